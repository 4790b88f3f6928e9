/* storage-pool.c: StoragePool objects and their state machine (inactive, building, running). */
#define LOG_MODULE "core"
#include "storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "uuid.h"

void vol_free_all(StoragePool *p);

static const PoolOps *pool_ops(StoragePool *p) {
        static const PoolOps none;
        const PoolOps *ops = p->obj.conn->driver->pool;
        return ops ? ops : &none;
}

static StoragePool *pool_new(Connection *c, const PoolDef *def) {
        StoragePool *p = calloc(1, sizeof *p);
        if (!p)
                return NULL;
        p->obj.kind = OBJECT_POOL;
        p->obj.conn = c;
        p->obj.id = -1;
        memcpy(p->obj.uuid, def->uuid, 16);
        p->obj.name = strdup(def->name);
        if (!p->obj.name) {
                free(p);
                return NULL;
        }
        registry_init(&p->volumes);
        return p;
}

static void pool_free(StoragePool *p) {
        vol_free_all(p);
        registry_done(&p->volumes);
        pool_def_free(p->def);
        free(p->obj.name);
        free(p);
}

static void pool_remove(StoragePool *p) {
        notify_simple(&p->obj, NOTICE_REMOVED);
        registry_remove(&p->obj.conn->pools, &p->obj);
        pool_free(p);
}

void pool_free_all(Connection *c) {
        while (c->pools.first) {
                StoragePool *p = (StoragePool *) c->pools.first;
                registry_remove(&c->pools, &p->obj);
                pool_free(p);
        }
}

int pool_add(Connection *c, PoolDef *def, bool persistent, bool active, StoragePool **out, VbError *err) {
        StoragePool *p = pool_new(c, def);
        if (!p)
                return vb_error_errno(err, -ENOMEM, "pool");
        if (registry_add(&c->pools, &p->obj) < 0) {
                pool_free(p);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE,
                                    "pool '%s' already exists", def->name);
        }
        p->def = def;
        p->persistent = persistent;
        p->state = active ? POOL_RUNNING : POOL_INACTIVE;
        if (out)
                *out = p;
        return 0;
}

StoragePool *pool_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err) {
        StoragePool *p = (StoragePool *) registry_find_uuid(&c->pools, uuid);
        if (!p) {
                char s[UUID_STRING_LEN];
                uuid_format(uuid, s);
                vb_error_set(err, VB_ERR_NO_STORAGE_POOL, connection_error_origin(c),
                             "no storage pool with matching uuid '%s'", s);
        }
        return p;
}

StoragePool *pool_lookup_name(Connection *c, const char *name, VbError *err) {
        StoragePool *p = (StoragePool *) registry_find_name(&c->pools, name);
        if (!p)
                vb_error_set(err, VB_ERR_NO_STORAGE_POOL, connection_error_origin(c),
                             "no storage pool with matching name '%s'", name);
        return p;
}

int pool_list_volumes(StoragePool *p, VbError *err) {
        if (!pool_is_active(p))   /* libvirt's text for listing names no pool */
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE, "storage pool is not active");
        return 0;
}

StoragePool *pool_lookup_volume(StorageVol *v) {
        return v->pool;
}

int pool_check_active(StoragePool *p, VbError *err) {
        if (!pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is not active", p->obj.name);
        return 0;
}

/* The one place a pool's state changes; event < 0 for none. */
static void pool_transition(StoragePool *p, PoolState to, int event) {
        PoolState old = p->state;
        bool was_active = pool_is_active(p);
        p->state = to;
        log_info("pool %s: state %d → %d", p->obj.name, old, to);
        if (event >= 0)
                notify_lifecycle(&p->obj, event, 0);
        if (was_active != pool_is_active(p))
                notify_changed(&p->obj, PROP_ACTIVE);
        if (!pool_is_active(p))
                vol_free_all(p);
        if (!pool_is_active(p) && !p->persistent)
                pool_remove(p);
}

static PoolDef *pool_parse_for(Connection *c, const char *xml, size_t len, StoragePool **existing,
                               VbError *err) {
        PoolDef *def = pool_def_parse(xml, len, 0, err);
        if (!def) {
                if (err && err->code == VB_ERR_XML_DETAIL)
                        err->from = VB_FROM_STORAGE;
                return NULL;
        }
        if (c->driver->pool_post_parse && c->driver->pool_post_parse(c, def, err) < 0)
                return pool_def_free(def);
        char s[UUID_STRING_LEN];
        StoragePool *by_uuid = (StoragePool *) registry_find_uuid(&c->pools, def->uuid);
        StoragePool *by_name = (StoragePool *) registry_find_name(&c->pools, def->name);
        if (by_name && by_name != by_uuid) {
                uuid_format(by_name->obj.uuid, s);
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE,
                             "pool '%s' already exists with uuid %s", def->name, s);
                return pool_def_free(def);
        }
        if (by_uuid && !by_name) {
                uuid_format(by_uuid->obj.uuid, s);
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE,
                             "pool '%s' is already defined with uuid %s", by_uuid->obj.name, s);
                return pool_def_free(def);
        }
        *existing = by_uuid;
        return def;
}

int pool_define(Connection *c, const char *xml, size_t len, unsigned flags, StoragePool **out, VbError *err) {
        if (vb_check_flags(flags, 1, "virStoragePoolDefineXML", err) < 0)
                return -1;
        StoragePool *p = NULL;
        PoolDef *def = pool_parse_for(c, xml, len, &p, err);
        if (!def)
                return -1;
        if (p) {
                if (pool_is_active(p)) {
                        pool_def_free(def);
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                            "storage pool '%s' is active", p->obj.name);
                }
                pool_def_free(p->def);
                p->def = def;
                notify_lifecycle(&p->obj, POOL_EVENT_DEFINED, 0);
        } else {
                if (pool_add(c, def, true, false, &p, err) < 0) {
                        pool_def_free(def);
                        return -1;
                }
                notify_simple(&p->obj, NOTICE_ADDED);
                notify_lifecycle(&p->obj, POOL_EVENT_DEFINED, 0);
        }
        if (out)
                *out = p;
        return 0;
}

int pool_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, StoragePool **out, VbError *err) {
        /* BUILD, BUILD_OVERWRITE, BUILD_NO_OVERWRITE */
        if (vb_check_flags(flags, 0x7, "virStoragePoolCreateXML", err) < 0)
                return -1;
        StoragePool *p = NULL;
        PoolDef *def = pool_parse_for(c, xml, len, &p, err);
        if (!def)
                return -1;
        if (p) {
                pool_def_free(def);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' already exists", p->obj.name);
        }
        if (pool_add(c, def, false, false, &p, err) < 0) {
                pool_def_free(def);
                return -1;
        }
        p->persistent = true;   /* held until started, so that a failed start frees it once */
        notify_simple(&p->obj, NOTICE_ADDED);
        int r = pool_start(p, flags, err);
        p->persistent = false;
        if (r < 0) {
                pool_remove(p);
                return -1;
        }
        if (out)
                *out = p;
        return 0;
}

int pool_undefine(StoragePool *p, VbError *err) {
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is still active", p->obj.name);
        if (!p->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is transient", p->obj.name);
        notify_lifecycle(&p->obj, POOL_EVENT_UNDEFINED, 0);
        pool_remove(p);
        return 0;
}

int pool_start(StoragePool *p, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0x7, "virStoragePoolCreate", err) < 0)
                return -1;
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, connection_error_origin(p->obj.conn),
                                    "storage pool '%s' is active", p->obj.name);
        if ((flags & 0x7) && pool_build(p, flags & 0x6, err) < 0)
                return -1;
        if (pool_ops(p)->start && pool_ops(p)->start(p, err) < 0)
                return -1;
        pool_transition(p, POOL_RUNNING, POOL_EVENT_STARTED);
        return 0;
}

int pool_build(StoragePool *p, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0x7, "virStoragePoolBuild", err) < 0)
                return -1;
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is active", p->obj.name);
        if (pool_ops(p)->build && pool_ops(p)->build(p, flags, err) < 0)
                return -1;
        notify_lifecycle(&p->obj, POOL_EVENT_CREATED, 0);
        return 0;
}

int pool_destroy(StoragePool *p, VbError *err) {
        if (pool_check_active(p, err) < 0)
                return -1;
        if (pool_ops(p)->stop && pool_ops(p)->stop(p, err) < 0)
                return -1;
        pool_transition(p, POOL_INACTIVE, POOL_EVENT_STOPPED);
        return 0;
}

int pool_delete(StoragePool *p, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 1, "virStoragePoolDelete", err) < 0)
                return -1;
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is active", p->obj.name);
        if (!pool_ops(p)->remove)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "pool does not support pool deletion");
        if (pool_ops(p)->remove(p, flags, err) < 0)
                return -1;
        notify_lifecycle(&p->obj, POOL_EVENT_DELETED, 0);
        return 0;
}

int pool_refresh(StoragePool *p, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "virStoragePoolRefresh", err) < 0 || pool_check_active(p, err) < 0)
                return -1;
        if (pool_ops(p)->refresh && pool_ops(p)->refresh(p, err) < 0)
                return -1;
        notify_simple(&p->obj, NOTICE_POOL_REFRESH);
        return 0;
}

int pool_set_autostart(StoragePool *p, bool autostart, VbError *err) {
        if (!p->persistent)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "cannot set autostart for transient pool");
        if (p->autostart == autostart)
                return 0;
        p->autostart = autostart;
        notify_changed(&p->obj, PROP_AUTOSTART);
        return 0;
}

char *pool_get_xml(StoragePool *p, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 1, "virStoragePoolGetXMLDesc", err) < 0)
                return NULL;
        char *xml = pool_def_format(p->def, flags);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format pool XML");
        return xml;
}

int pool_get_info(StoragePool *p, PoolInfo *info, VbError *err) {
        bool active = pool_is_active(p);
        *info = (PoolInfo) {
                .state = p->state,
                .capacity = active ? p->def->capacity : 0,
                .allocation = active ? p->def->allocation : 0,
                .available = active ? p->def->available : 0,
        };
        return 0;
}
