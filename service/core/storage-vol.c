/* storage-vol.c: StorageVol objects inside an active pool, found by name, key or path. */
#define LOG_MODULE "core"
#include <systemd/sd-event.h>

#include "storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"

void vol_free_all(StoragePool *p);
void vol_forget_all(StoragePool *p);

static void vol_index(StorageVol *v, bool add) {
        StorageSubsystem *s = v->obj.conn->storage;
        if (add) {
                if (v->def->key)
                        hashmap_put_str(&s->vols_by_key, v->def->key, v);
                if (v->def->path)
                        hashmap_put_str(&s->vols_by_path, v->def->path, v);
        } else {
                if (v->def->key)
                        hashmap_remove(&s->vols_by_key, v->def->key, strlen(v->def->key));
                if (v->def->path)
                        hashmap_remove(&s->vols_by_path, v->def->path, strlen(v->def->path));
        }
}

static void vol_free(StorageVol *v) {
        sd_event_source_disable_unref(v->progress.later);
        vol_def_free(v->def);
        free(v->obj.name);
        free(v);
}

static void vol_remove(StorageVol *v, bool announce) {
        if (announce)
                notify_simple(&v->obj, NOTICE_REMOVED);
        vol_index(v, false);
        registry_remove(&v->pool->volumes, &v->obj);
        vol_free(v);
}

/* The subsystem goes (daemon exit): no notices, the connections may be gone already. */
void vol_forget_all(StoragePool *p) {
        while (p->volumes.first) {
                StorageVol *v = (StorageVol *) p->volumes.first;
                registry_remove(&p->volumes, &v->obj);
                vol_free(v);
        }
}

/* The pool stopped: its volumes are no longer reachable. */
void vol_free_all(StoragePool *p) {
        while (p->volumes.first)
                vol_remove((StorageVol *) p->volumes.first, true);
}

StorageVol *vol_lookup_name(StoragePool *p, const char *name, VbError *err) {
        if (pool_check_active(p, err) < 0)
                return NULL;
        StorageVol *v = (StorageVol *) registry_find_name(&p->volumes, name);
        if (!v)
                vb_error_set(err, VB_ERR_NO_STORAGE_VOL, p->obj.conn->storage->error_from,
                             "no storage vol with matching name '%s'", name);
        return v;
}

StorageVol *vol_lookup_key(Connection *c, const char *key, VbError *err) {
        StorageVol *v = hashmap_get(&c->storage->vols_by_key, key, strlen(key));
        if (!v)
                vb_error_set(err, VB_ERR_NO_STORAGE_VOL, c->storage->error_from,
                             "no storage vol with matching key '%s'", key);
        return v;
}

StorageVol *vol_lookup_path(Connection *c, const char *path, VbError *err) {
        StorageVol *v = hashmap_get(&c->storage->vols_by_path, path, strlen(path));
        if (!v)
                vb_error_set(err, VB_ERR_NO_STORAGE_VOL, c->storage->error_from,
                             "no storage vol with matching path '%s'", path);
        return v;
}

static const PoolOps *ops_of(Connection *c) {
        return c->storage->ops;
}

static int not_supported(const char *api, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", api);
}

static void *publish(StoragePool *p, StorageVol *v, int *r, VbError *err) {
        if (*r >= 0 && registry_add(&p->volumes, &v->obj) < 0)
                *r = vb_error_errno(err, -ENOMEM, "volume");
        if (*r < 0) {
                vol_free(v);
                return NULL;
        }
        vol_index(v, true);
        log_info("pool %s: volume %s created", p->obj.name, v->def->name);
        notify_simple(&v->obj, NOTICE_ADDED);
        return v;
}

/* The end of a volume creation (the pool's job): the volume (data) is published, or forgotten. */
static void *finish_vol_create(Object *o, void *data, int *r, VbError *err) {
        return publish((StoragePool *) o, data, r, err);
}

int vol_create_xml(StoragePool *p, const char *xml, size_t len, unsigned flags, StorageVol *from, Call *call,
                   StorageVol **out, VbError *err) {
        /* PREALLOC_METADATA, REFLINK, VALIDATE */
        const char *api = from ? "virStorageVolCreateXMLFrom" : "virStorageVolCreateXML";
        if (vb_check_flags(flags, 0x7, api, err) < 0)
                return -1;
        const PoolOps *ops = ops_of(p->obj.conn);
        if (!ops->vol_create)
                return not_supported(api, err);
        if (pool_check_active(p, err) < 0)
                return -1;
        VolDef *def = vol_def_parse(xml, len, 0, err);
        if (!def)
                return -1;
        if (registry_find_name(&p->volumes, def->name)) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, p->obj.conn->storage->error_from, "storage vol already exists");
                vol_def_free(def);
                return -1;
        }
        StorageVol *v = calloc(1, sizeof *v);
        if (!v || !(v->obj.name = strdup(def->name))) {
                free(v);
                vol_def_free(def);
                return vb_error_errno(err, -ENOMEM, "volume");
        }
        v->obj.kind = OBJECT_VOLUME;
        v->obj.conn = p->obj.conn;
        v->obj.id = -1;
        v->pool = p;
        v->def = def;
        if (pool_busy(p, err) || job_begin(&p->job, "vol-create", VB_FROM_STORAGE, err) < 0) {
                vol_free(v);
                return -1;
        }
        p->job.finish = finish_vol_create;
        p->job.data = v;
        p->job.call = call ? call_ref(call) : NULL;
        int r = ops->vol_create(p, def, from, call, err);
        if (r == VERB_PENDING)
                return VERB_PENDING;
        r = job_settle(&p->job, &p->obj, r, err);
        if (r >= 0 && out)
                *out = v;
        return r;
}

static int vol_run(StorageVol *v, const char *name, JobFinishFn finish, Call *call, VbError *err) {
        if (job_begin(&v->job, name, VB_FROM_STORAGE, err) < 0)
                return -1;
        v->job.finish = finish;
        v->job.call = call ? call_ref(call) : NULL;
        return 0;
}

void vol_job_done(StorageVol *v, int r, const VbError *err) {
        job_done(&v->job, &v->obj, r, err);
}

static void *finish_delete(Object *o, void *data, int *r, VbError *err) {
        StorageVol *v = (StorageVol *) o;
        if (*r >= 0) {
                log_info("pool %s: volume %s deleted", v->pool->obj.name, v->obj.name);
                vol_remove(v, true);
        }
        return NULL;
}

int vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0x3, "virStorageVolDelete", err) < 0)
                return -1;
        const PoolOps *ops = ops_of(v->obj.conn);
        if (!ops->vol_delete)
                return not_supported("virStorageVolDelete", err);
        if (vol_run(v, "delete", finish_delete, call, err) < 0)
                return -1;
        return job_settle(&v->job, &v->obj, ops->vol_delete(v, flags, call, err), err);
}

int vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0, "virStorageVolWipe", err) < 0)
                return -1;
        const PoolOps *ops = ops_of(v->obj.conn);
        if (!ops->vol_wipe)
                return not_supported("virStorageVolWipe", err);
        if (vol_run(v, "wipe", NULL, call, err) < 0)
                return -1;
        return job_settle(&v->job, &v->obj, ops->vol_wipe(v, flags, call, err), err);
}

int vol_wipe_pattern(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err) {
        if (algorithm == 0)
                return vol_wipe(v, flags, call, err);
        if (vb_check_flags(flags, 0, "virStorageVolWipePattern", err) < 0)
                return -1;
        const PoolOps *ops = ops_of(v->obj.conn);
        if (!ops->vol_wipe_pattern)
                return not_supported("virStorageVolWipePattern", err);
        if (vol_run(v, "wipe", NULL, call, err) < 0)
                return -1;
        return job_settle(&v->job, &v->obj, ops->vol_wipe_pattern(v, algorithm, flags, call, err), err);
}

int vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        /* ALLOCATE, DELTA, SHRINK */
        if (vb_check_flags(flags, 0x7, "virStorageVolResize", err) < 0)
                return -1;
        if (flags & 0x2)
                capacity += v->def->capacity;
        if (capacity < v->def->capacity && !(flags & 0x4))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "Can't shrink capacity below current capacity unless shrink flag explicitly specified");
        const PoolOps *ops = ops_of(v->obj.conn);
        if (!ops->vol_resize)
                return not_supported("virStorageVolResize", err);
        if (vol_run(v, "resize", NULL, call, err) < 0)
                return -1;
        return job_settle(&v->job, &v->obj, ops->vol_resize(v, capacity, flags, call, err), err);
}

char *vol_get_xml(StorageVol *v, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "virStorageVolGetXMLDesc", err) < 0)
                return NULL;
        char *xml = vol_def_format(v->def, 0);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format volume XML");
        return xml;
}

int vol_get_info(StorageVol *v, VolInfo *info, VbError *err) {
        static const char *const types[] = { "file", "block", "dir", "network", "netdir", "ploop" };
        int type = 0;
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
                if (v->def->type && strcmp(v->def->type, types[i]) == 0)
                        type = (int) i;
        *info = (VolInfo) { .type = type, .capacity = v->def->capacity, .allocation = v->def->allocation };
        return 0;
}

int pool_sync_volume(StoragePool *p, VolDef *def, VbError *err) {
        StorageVol *v = (StorageVol *) registry_find_name(&p->volumes, def->name);
        if (v) {
                vol_index(v, false);
                vol_def_free(v->def);
                v->def = def;
                vol_index(v, true);
                return 0;
        }
        v = calloc(1, sizeof *v);
        if (!v || !(v->obj.name = strdup(def->name))) {
                free(v);
                vol_def_free(def);
                return vb_error_errno(err, -ENOMEM, "volume");
        }
        v->obj.kind = OBJECT_VOLUME;
        v->obj.conn = p->obj.conn;
        v->obj.id = -1;
        v->pool = p;
        v->def = def;
        if (registry_add(&p->volumes, &v->obj) < 0) {
                vol_free(v);
                return vb_error_errno(err, -ENOMEM, "volume");
        }
        vol_index(v, true);
        notify_simple(&v->obj, NOTICE_ADDED);
        return 0;
}

void pool_drop_volume(StorageVol *v) {
        vol_remove(v, true);
}
