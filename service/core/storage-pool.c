/* storage-pool.c: StoragePool objects and their state machine (inactive, building, running), and the storage subsystem that holds them. */
#define LOG_MODULE "core"
#include "storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "uuid.h"

void vol_free_all(StoragePool *p);
void vol_forget_all(StoragePool *p);

static const PoolOps *pool_ops(StoragePool *p) {
        return p->obj.conn->storage->ops;
}

static int not_supported(const char *api, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", api);
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
        registry_remove(&p->obj.conn->storage->pools, &p->obj);
        pool_free(p);
}

void pool_free_all(Registry *pools) {
        while (pools->first) {
                StoragePool *p = (StoragePool *) pools->first;
                registry_remove(pools, &p->obj);
                vol_forget_all(p);
                pool_free(p);
        }
}

const PoolOps host_pool_ops = { 0 };

StorageSubsystem *storage_subsystem_new(const PoolOps *ops, int error_from) {
        StorageSubsystem *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        registry_init(&s->pools);
        hashmap_init(&s->vols_by_key);
        hashmap_init(&s->vols_by_path);
        s->ops = ops;
        s->error_from = error_from;
        return s;
}

StorageSubsystem *storage_subsystem_free(StorageSubsystem *s) {
        if (!s)
                return NULL;
        pool_free_all(&s->pools);
        registry_done(&s->pools);
        hashmap_done(&s->vols_by_key);
        hashmap_done(&s->vols_by_path);
        free(s);
        return NULL;
}

int pool_add(Connection *c, PoolDef *def, bool persistent, bool active, StoragePool **out, VbError *err) {
        StoragePool *p = pool_new(c, def);
        if (!p)
                return vb_error_errno(err, -ENOMEM, "pool");
        if (registry_add(&c->storage->pools, &p->obj) < 0) {
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
        StoragePool *p = (StoragePool *) registry_find_uuid(&c->storage->pools, uuid);
        if (!p) {
                char s[UUID_STRING_LEN];
                uuid_format(uuid, s);
                vb_error_set(err, VB_ERR_NO_STORAGE_POOL, c->storage->error_from,
                             "no storage pool with matching uuid '%s'", s);
        }
        return p;
}

StoragePool *pool_lookup_name(Connection *c, const char *name, VbError *err) {
        StoragePool *p = (StoragePool *) registry_find_name(&c->storage->pools, name);
        if (!p)
                vb_error_set(err, VB_ERR_NO_STORAGE_POOL, c->storage->error_from,
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
        if (c->storage->ops->post_parse && c->storage->ops->post_parse(def, err) < 0)
                return pool_def_free(def);
        char s[UUID_STRING_LEN];
        StoragePool *by_uuid = (StoragePool *) registry_find_uuid(&c->storage->pools, def->uuid);
        StoragePool *by_name = (StoragePool *) registry_find_name(&c->storage->pools, def->name);
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
        const PoolOps *ops = c->storage->ops;
        if (!ops->define)
                return not_supported("virStoragePoolDefineXML", err);
        StoragePool *p = NULL;
        PoolDef *def = pool_parse_for(c, xml, len, &p, err);
        if (!def)
                return -1;
        if (p) {
                int r = -1;
                if (pool_is_active(p))
                        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                     "storage pool '%s' is active", p->obj.name);
                else if (!pool_busy(p, err))
                        r = ops->define(p, def, err);
                if (r < 0) {
                        pool_def_free(def);
                        return -1;
                }
                pool_def_free(p->def);
                p->def = def;
                notify_lifecycle(&p->obj, POOL_EVENT_DEFINED, 0);
        } else {
                if (pool_add(c, def, true, false, &p, err) < 0) {
                        pool_def_free(def);
                        return -1;
                }
                if (ops->define(p, def, err) < 0) {
                        p->def = NULL;
                        pool_def_free(def);
                        registry_remove(&c->storage->pools, &p->obj);
                        pool_free(p);
                        return -1;
                }
                notify_simple(&p->obj, NOTICE_ADDED);
                notify_lifecycle(&p->obj, POOL_EVENT_DEFINED, 0);
        }
        if (out)
                *out = p;
        return 0;
}

/* Run a pool op inside the pool's job (taken by the caller). */
static int pool_run(StoragePool *p, int r, VbError *err) {
        return job_settle(&p->job, &p->obj, r, err);
}

static int pool_job(StoragePool *p, const char *name, JobFinishFn finish, Call *call, VbError *err) {
        if (pool_busy(p, err) || job_begin(&p->job, name, VB_FROM_STORAGE, err) < 0)
                return -1;
        p->job.finish = finish;
        p->job.call = call ? call_ref(call) : NULL;
        log_debug("pool %s: job %s begins", p->obj.name, name);
        return 0;
}

void pool_job_done(StoragePool *p, int r, const VbError *err) {
        job_done(&p->job, &p->obj, r, err);
}

static void *finish_start(Object *o, void *data, int *r, VbError *err) {
        StoragePool *p = (StoragePool *) o;
        if (*r >= 0)
                pool_transition(p, POOL_RUNNING, POOL_EVENT_STARTED);
        return p;
}

/* A transient pool that did not start leaves no trace. */
static void *finish_create(Object *o, void *data, int *r, VbError *err) {
        StoragePool *p = (StoragePool *) o;
        if (*r < 0) {
                pool_remove(p);
                return NULL;
        }
        p->persistent = false;
        pool_transition(p, POOL_RUNNING, POOL_EVENT_STARTED);
        return p;
}

static void *finish_build(Object *o, void *data, int *r, VbError *err) {
        if (*r >= 0)
                notify_lifecycle(o, POOL_EVENT_CREATED, 0);
        return NULL;
}

static void *finish_stop(Object *o, void *data, int *r, VbError *err) {
        if (*r >= 0)
                pool_transition((StoragePool *) o, POOL_INACTIVE, POOL_EVENT_STOPPED);
        return NULL;
}

static void *finish_delete(Object *o, void *data, int *r, VbError *err) {
        if (*r >= 0)
                notify_lifecycle(o, POOL_EVENT_DELETED, 0);
        return NULL;
}

static void *finish_refresh(Object *o, void *data, int *r, VbError *err) {
        if (*r >= 0)
                notify_simple(o, NOTICE_POOL_REFRESH);
        return NULL;
}

/* virStoragePoolCreateFlags BUILD_OVERWRITE (2) and BUILD_NO_OVERWRITE (4) are the build's
 * OVERWRITE (8) and NO_OVERWRITE (4). */
static unsigned build_flags(unsigned create_flags) {
        return ((create_flags & 0x2) ? 0x8 : 0) | (create_flags & 0x4);
}

/* A start with a build flag: the build ran as the job "start" (data: its call); when it
 * succeeded the pool is started under the same call, and then finishes the verb. */
static void *chain_start(Object *o, Call *call, int *r, VbError *err, JobFinishFn then) {
        StoragePool *p = (StoragePool *) o;
        if (*r < 0)
                return then(o, NULL, r, err);
        notify_lifecycle(o, POOL_EVENT_CREATED, 0);
        if (pool_job(p, "start", then, call, err) < 0) {
                *r = -1;
                return then(o, NULL, r, err);
        }
        int s = pool_ops(p)->start(p, call, err);
        if (s == VERB_PENDING)
                return JOB_CHAINED;
        call_unref(p->job.call);
        p->job = (Job) { 0 };
        *r = s < 0 ? -1 : 0;
        return then(o, NULL, r, err);
}

static void *finish_build_then_start(Object *o, void *data, int *r, VbError *err) {
        return chain_start(o, data, r, err, finish_start);
}

static void *finish_build_then_create(Object *o, void *data, int *r, VbError *err) {
        return chain_start(o, data, r, err, finish_create);
}

/* The start job: a build first when flags ask for one (pool-start --build). */
static int pool_start_job(StoragePool *p, unsigned flags, JobFinishFn then, JobFinishFn build_then, Call *call,
                          VbError *err) {
        const PoolOps *ops = pool_ops(p);
        if (!(flags & 0x7)) {
                if (pool_job(p, "start", then, call, err) < 0)
                        return -1;
                return pool_run(p, ops->start(p, call, err), err);
        }
        if (!ops->build)
                return not_supported("virStoragePoolBuild", err);
        if (pool_job(p, "start", build_then, call, err) < 0)
                return -1;
        p->job.data = call;
        return pool_run(p, ops->build(p, build_flags(flags), call, err), err);
}

int pool_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call, StoragePool **out,
                    VbError *err) {
        /* BUILD, BUILD_OVERWRITE, BUILD_NO_OVERWRITE */
        if (vb_check_flags(flags, 0x7, "virStoragePoolCreateXML", err) < 0)
                return -1;
        if (!c->storage->ops->start)
                return not_supported("virStoragePoolCreateXML", err);
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
        if ((flags & 0x7) && !c->storage->ops->build) {
                pool_remove(p);
                return not_supported("virStoragePoolBuild", err);
        }
        StoragePool *created = p;       /* finish_create frees it when the start fails */
        int r = pool_start_job(p, flags, finish_create, finish_build_then_create, call, err);
        if (r >= 0 && out)
                *out = created;
        return r;
}

int pool_undefine(StoragePool *p, VbError *err) {
        const PoolOps *ops = pool_ops(p);
        if (!ops->undefine)
                return not_supported("virStoragePoolUndefine", err);
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is still active", p->obj.name);
        if (!p->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is transient", p->obj.name);
        if (pool_busy(p, err) || ops->undefine(p, err) < 0)
                return -1;
        notify_lifecycle(&p->obj, POOL_EVENT_UNDEFINED, 0);
        pool_remove(p);
        return 0;
}

int pool_start(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0x7, "virStoragePoolCreate", err) < 0)
                return -1;
        if (!pool_ops(p)->start)
                return not_supported("virStoragePoolCreate", err);
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, p->obj.conn->storage->error_from,
                                    "storage pool '%s' is active", p->obj.name);
        return pool_start_job(p, flags, finish_start, finish_build_then_start, call, err);
}

int pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        /* REPAIR, RESIZE, NO_OVERWRITE, OVERWRITE */
        if (vb_check_flags(flags, 0xf, "virStoragePoolBuild", err) < 0)
                return -1;
        const PoolOps *ops = pool_ops(p);
        if (!ops->build)
                return not_supported("virStoragePoolBuild", err);
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is active", p->obj.name);
        if (pool_job(p, "build", finish_build, call, err) < 0)
                return -1;
        return pool_run(p, ops->build(p, flags, call, err), err);
}

int pool_destroy(StoragePool *p, Call *call, VbError *err) {
        const PoolOps *ops = pool_ops(p);
        if (!ops->stop)
                return not_supported("virStoragePoolDestroy", err);
        if (pool_check_active(p, err) < 0 || pool_job(p, "destroy", finish_stop, call, err) < 0)
                return -1;
        return pool_run(p, ops->stop(p, call, err), err);
}

int pool_delete(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 1, "virStoragePoolDelete", err) < 0)
                return -1;
        if (pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is active", p->obj.name);
        const PoolOps *ops = pool_ops(p);
        if (!ops->remove)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "pool does not support pool deletion");
        if (pool_job(p, "delete", finish_delete, call, err) < 0)
                return -1;
        return pool_run(p, ops->remove(p, flags, call, err), err);
}

int pool_refresh(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0, "virStoragePoolRefresh", err) < 0)
                return -1;
        const PoolOps *ops = pool_ops(p);
        if (!ops->refresh)
                return not_supported("virStoragePoolRefresh", err);
        if (pool_check_active(p, err) < 0 || pool_job(p, "refresh", finish_refresh, call, err) < 0)
                return -1;
        return pool_run(p, ops->refresh(p, call, err), err);
}

int pool_set_autostart(StoragePool *p, bool autostart, VbError *err) {
        if (!pool_ops(p)->define)
                return not_supported("virStoragePoolSetAutostart", err);
        if (!p->persistent)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "cannot set autostart for transient pool");
        if (pool_busy(p, err))
                return -1;
        if (p->autostart == autostart)
                return 0;
        if (pool_ops(p)->set_autostart && pool_ops(p)->set_autostart(p, autostart, err) < 0)
                return -1;
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

int pool_load_all(Connection *c) {
        StorageSubsystem *s = c->storage;
        if (!s || s->loaded || !s->ops->load_all)
                return 0;
        s->loaded = true;
        return s->ops->load_all(c);
}
