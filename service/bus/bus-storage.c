/* bus-storage.c: org.libvirt.StoragePool and org.libvirt.StorageVol: properties and verbs of pools and their volumes. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "storage.h"

#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

/* ---------------------------------------------------------------- pools */

static StoragePool *pool_of(BusSubtree *t, const char *path, VbError *err) {
        return bus_path_pool(t->conn, t->path, path, err);
}

static bool pool_active(const Object *o) {
        return pool_is_active((const StoragePool *) o);
}

static int pool_autostart(Object *o, bool autostart, VbError *err) {
        return pool_set_autostart((StoragePool *) o, autostart, err);
}

static char *pool_xml(Object *o, unsigned flags, VbError *err) {
        return pool_get_xml((StoragePool *) o, flags, err);
}

static const BusObjectState pool_state = {
        .active = pool_active,
        .autostart = offsetof(StoragePool, autostart),
        .persistent = offsetof(StoragePool, persistent),
        .set_autostart = pool_autostart,
};

static int pool_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return bus_enumerate_registry(&t->conn->storage->pools, nodes);
}

typedef enum PoolVerb { POOL_BUILD, POOL_CREATE, POOL_DELETE, POOL_DESTROY, POOL_UNDEFINE, POOL_REFRESH } PoolVerb;

static int run_pool_verb(sd_bus_message *m, BusSubtree *t, PoolVerb verb, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        int r;
        if (verb != POOL_DESTROY && verb != POOL_UNDEFINE) {
                r = sd_bus_message_read(m, "u", &flags);
                if (r < 0)
                        return r;
        }
        StoragePool *p = pool_of(t, sd_bus_message_get_path(m), &err);
        if (!p)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        switch (verb) {
        case POOL_BUILD: r = pool_build(p, flags, call, &err); break;
        case POOL_CREATE: r = pool_start(p, flags, call, &err); break;
        case POOL_DELETE: r = pool_delete(p, flags, call, &err); break;
        case POOL_DESTROY: r = pool_destroy(p, call, &err); break;
        case POOL_UNDEFINE: r = pool_undefine(p, &err); break;
        case POOL_REFRESH: r = pool_refresh(p, flags, call, &err); break;
        default: r = -1; break;
        }
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

static int method_pool_build(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_BUILD, ret_error);
}
static int method_pool_create(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_CREATE, ret_error);
}
static int method_pool_delete(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_DELETE, ret_error);
}
static int method_pool_destroy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_DESTROY, ret_error);
}
static int method_pool_undefine(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_UNDEFINE, ret_error);
}
static int method_pool_refresh(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_pool_verb(m, userdata, POOL_REFRESH, ret_error);
}

static int method_pool_get_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PoolInfo info = { 0 };
        VbError err = { 0 };
        StoragePool *p = pool_of(userdata, sd_bus_message_get_path(m), &err);
        if (!p || pool_get_info(p, &info, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) info.state, info.capacity, info.allocation,
                                          info.available);
}

static int method_pool_list_volumes(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, "virStoragePoolListAllVolumes", ret_error);
        if (r < 0)
                return r;
        StoragePool *p = pool_of(userdata, sd_bus_message_get_path(m), &err);
        if (!p || pool_list_volumes(p, &err) < 0)
                return bus_error(ret_error, &err);
        return bus_reply_object_list(m, &p->volumes, NULL, NULL);
}

static int method_pool_vol_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml, *key = NULL;
        unsigned flags;
        StorageVol *from = NULL, *v = NULL;
        VbError err = { 0 };
        bool with_from = strcmp(sd_bus_message_get_member(m), "StorageVolCreateXMLFrom") == 0;
        int r = with_from ? sd_bus_message_read(m, "ssu", &xml, &key, &flags)
                          : sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        StoragePool *p = pool_of(t, sd_bus_message_get_path(m), &err);
        if (!p)
                return bus_error(ret_error, &err);
        if (with_from) {
                from = vol_lookup_key(t->conn, key, &err);
                if (!from)
                        return bus_error(ret_error, &err);
        }
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = vol_create_xml(p, xml, strlen(xml), flags, from, call, &v, &err);
        return bus_call_finish(call, r, &err, v ? &v->obj : NULL, ret_error);
}

static int method_pool_vol_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        StoragePool *p = pool_of(userdata, sd_bus_message_get_path(m), &err);
        StorageVol *v = p ? vol_lookup_name(p, name, &err) : NULL;
        if (!v)
                return bus_error(ret_error, &err);
        return bus_reply_object(m, &v->obj);
}

static const sd_bus_vtable pool_vtable[] = {
        SD_BUS_VTABLE_START(0),
        BUS_OBJECT_STATE_PROPERTIES
        SD_BUS_METHOD_WITH_ARGS("Build", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_pool_build, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_pool_create, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_pool_delete, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_pool_destroy, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ittt)", info), method_pool_get_info,
                                UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                                bus_object_method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ListStorageVolumes", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", storageVols),
                                method_pool_list_volumes, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Refresh", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_pool_refresh, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StorageVolCreateXML", SD_BUS_ARGS("s", xml, "u", flags),
                                SD_BUS_RESULT("o", storageVol), method_pool_vol_create_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StorageVolCreateXMLFrom", SD_BUS_ARGS("s", xml, "s", key, "u", flags),
                                SD_BUS_RESULT("o", storageVol), method_pool_vol_create_xml, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("StorageVolLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", storageVol),
                                method_pool_vol_lookup_by_name, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_pool_undefine, UNPRIV),
        SD_BUS_SIGNAL("Refresh", "", 0),
        SD_BUS_VTABLE_END,
};

static const BusPropName pool_changes[] = {
        { PROP_ACTIVE, "Active" },
        { PROP_AUTOSTART, "Autostart" },
        { PROP_PERSISTENT, "Persistent" },
        { 0, NULL },
};

const BusKind bus_kind_pool = {
        .kind = OBJECT_POOL,
        .interface = "org.libvirt.StoragePool",
        .vtable = pool_vtable,
        .changes = pool_changes,
        .exists = bus_object_exists,
        .enumerate = pool_enumerate,
        .state = &pool_state,
        .xml = pool_xml,
};

/* ---------------------------------------------------------------- volumes */

static StorageVol *vol_of(BusSubtree *t, const char *path, VbError *err) {
        return bus_path_vol(t->conn, t->path, path, err);
}

static int vol_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        VbError err = { 0 };
        StorageVol *v = vol_of(userdata, path, &err);
        if (!v)
                return bus_error(ret_error, &err);
        if (strcmp(property, "Key") == 0)
                return sd_bus_message_append(reply, "s", v->def && v->def->key ? v->def->key : "");
        if (strcmp(property, "Name") == 0)
                return sd_bus_message_append(reply, "s", v->obj.name);
        if (strcmp(property, "Path") == 0)
                return sd_bus_message_append(reply, "s", v->def && v->def->path ? v->def->path : "");
        if (strcmp(property, "Progress") == 0)
                return sd_bus_message_append(reply, "(stt)", v->progress.op ? v->progress.op : "",
                                             v->progress.done, v->progress.total);
        return -ENOENT;
}

static char *vol_xml(Object *o, unsigned flags, VbError *err) {
        return vol_get_xml((StorageVol *) o, flags, err);
}

static int vol_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        size_t n = 0, total = 0;
        REGISTRY_FOREACH(o, &t->conn->storage->pools)
                total += ((StoragePool *) o)->volumes.count;
        char **list = calloc(total + 1, sizeof *list);
        if (!list)
                return -ENOMEM;
        REGISTRY_FOREACH(o, &t->conn->storage->pools)
                REGISTRY_FOREACH(vo, &((StoragePool *) o)->volumes) {
                        if (n == total)
                                break;
                        list[n] = bus_object_path(vo);
                        if (!list[n])
                                goto oom;
                        n++;
                }
        *nodes = list;
        return 0;
oom:
        for (size_t i = 0; i < n; i++)
                free(list[i]);
        free(list);
        return -ENOMEM;
}

static int method_vol_get_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VolInfo info = { 0 };
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        /* VIR_STORAGE_VOL_GET_PHYSICAL: allocation is the physical size, the same for plain files */
        r = bus_check_flags(flags, 1, "virStorageVolGetInfoFlags", ret_error);
        if (r < 0)
                return r;
        StorageVol *v = vol_of(userdata, sd_bus_message_get_path(m), &err);
        if (!v || vol_get_info(v, &info, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(itt)", (int32_t) info.type, info.capacity, info.allocation);
}

typedef enum VolVerb { VOL_DELETE, VOL_RESIZE, VOL_WIPE } VolVerb;

/* Delete(u flags), Resize(t capacity, u flags), Wipe(u pattern, u flags): verbs that may finish
 * later. libvirt-dbus calls virStorageVolWipePattern; the core wipes with zeros only (pattern 0). */
static int run_vol_verb(sd_bus_message *m, BusSubtree *t, VolVerb verb, sd_bus_error *ret_error) {
        uint64_t capacity = 0;
        uint32_t pattern = 0;
        unsigned flags;
        VbError err = { 0 };
        int r = verb == VOL_RESIZE ? sd_bus_message_read(m, "tu", &capacity, &flags)
              : verb == VOL_WIPE   ? sd_bus_message_read(m, "uu", &pattern, &flags)
                                   : sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        StorageVol *v = vol_of(t, sd_bus_message_get_path(m), &err);
        if (!v)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        switch (verb) {
        case VOL_DELETE: r = vol_delete(v, flags, call, &err); break;
        case VOL_RESIZE: r = vol_resize(v, capacity, flags, call, &err); break;
        case VOL_WIPE: r = vol_wipe_pattern(v, pattern, flags, call, &err); break;
        default: r = -1; break;
        }
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

static int method_vol_delete(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_vol_verb(m, userdata, VOL_DELETE, ret_error);
}
static int method_vol_resize(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_vol_verb(m, userdata, VOL_RESIZE, ret_error);
}
static int method_vol_wipe(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_vol_verb(m, userdata, VOL_WIPE, ret_error);
}

static const sd_bus_vtable vol_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Key", "s", vol_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Name", "s", vol_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Path", "s", vol_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        /* virtbus extension: a long operation's (operation, bytes done, bytes total) */
        SD_BUS_PROPERTY("Progress", "(stt)", vol_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_vol_delete, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Download", SD_BUS_ARGS("t", offset, "t", length, "u", flags, "h", fd),
                                SD_BUS_NO_RESULT, bus_method_vol_download, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(itt)", info),
                                method_vol_get_info, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                                bus_object_method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Resize", SD_BUS_ARGS("t", capacity, "u", flags), SD_BUS_NO_RESULT,
                                method_vol_resize, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Upload", SD_BUS_ARGS("t", offset, "t", length, "u", flags, "h", fd),
                                SD_BUS_NO_RESULT, bus_method_vol_upload, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Wipe", SD_BUS_ARGS("u", pattern, "u", flags), SD_BUS_NO_RESULT, method_vol_wipe,
                                UNPRIV),
        SD_BUS_VTABLE_END,
};

static const BusPropName vol_changes[] = {
        { PROP_PROGRESS, "Progress" },
        { 0, NULL },
};

const BusKind bus_kind_vol = {
        .kind = OBJECT_VOLUME,
        .interface = "org.libvirt.StorageVol",
        .vtable = vol_vtable,
        .changes = vol_changes,
        .exists = bus_object_exists,
        .enumerate = vol_enumerate,
        .xml = vol_xml,
};
