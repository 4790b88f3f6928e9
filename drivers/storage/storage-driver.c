/* storage-driver.c: the host's storage subsystem: its ops table, pool definitions on disk (one XML file per pool, 0600) and autostart at daemon start. */
#define LOG_MODULE "storage"
#include "storage-driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "iscsi-direct.h"
#include "storage-backend.h"
#include "vol-stream.h"

/* <config_root>/storage, or with a sub-directory. */
static char *storage_dir(Connection *c, const char *sub) {
        char *dir = NULL;
        if (!c->manager->config_root ||
            asprintf(&dir, "%s/storage%s%s", c->manager->config_root, sub ? "/" : "", sub ? sub : "") < 0)
                return NULL;
        return dir;
}

static int pool_file_name(const char *name, char *out, size_t size) {
        return snprintf(out, size, "%s.xml", name) < (int) size ? 0 : -ENAMETOOLONG;
}

static bool storage_has_type(const char *type) {
        return storage_backend_of_type(type) != NULL;
}

static int storage_post_parse(PoolDef *def, VbError *err) {
        const StorageBackend *b = storage_backend_of_type(def->type);
        if (!b)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "storage pool type '%s' has no backend on this host", def->type);
        if (def->name[0] == '.' || strchr(def->name, '/'))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "pool name '%s' cannot contain '/' or start with '.'", def->name);
        if (b->check && b->check(def, err) < 0)
                return -1;
        if (b->no_target_path)
                return 0;
        if (!def->target_path || def->target_path[0] != '/')
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "%s pool '%s' needs an absolute <target><path>", def->type, def->name);
        /* A trailing slash would make two spellings of one volume path. */
        size_t n = strlen(def->target_path);
        while (n > 1 && def->target_path[n - 1] == '/')
                def->target_path[--n] = '\0';
        return 0;
}

#define POOL_VERB(verb, what, params, args)                                         \
        static int storage_##verb params {                                          \
                const StorageBackend *b = storage_backend_of(p);                               \
                return b && b->verb ? b->verb args : storage_no_support(p, what, err);      \
        }
#define VOL_VERB(verb, what, params, args)                                          \
        static int storage_##verb params {                                          \
                const StorageBackend *b = storage_backend_of(v->pool);                         \
                return b && b->verb ? b->verb args : storage_no_support(v->pool, what, err); \
        }
POOL_VERB(build, "build", (StoragePool *p, unsigned flags, Call *call, VbError *err), (p, flags, call, err))
POOL_VERB(start, "start", (StoragePool *p, Call *call, VbError *err), (p, call, err))
POOL_VERB(stop, "stop", (StoragePool *p, Call *call, VbError *err), (p, call, err))
POOL_VERB(refresh, "refresh", (StoragePool *p, Call *call, VbError *err), (p, call, err))
POOL_VERB(remove, "delete", (StoragePool *p, unsigned flags, Call *call, VbError *err), (p, flags, call, err))
POOL_VERB(vol_create, "volume creation", (StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err),
          (p, def, from, call, err))
VOL_VERB(vol_delete, "volume delete", (StorageVol *v, unsigned flags, Call *call, VbError *err), (v, flags, call, err))
VOL_VERB(vol_resize, "volume resize", (StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err),
         (v, capacity, flags, call, err))
VOL_VERB(vol_download, "volume download", (StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err),
         (v, offset, length, st, err))
VOL_VERB(vol_upload, "volume upload", (StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err),
         (v, offset, length, st, err))

static int storage_vol_wipe_pattern(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err) {
        const StorageBackend *b = storage_backend_of(v->pool);
        return b && b->vol_wipe ? b->vol_wipe(v, algorithm, flags, call, err) : storage_no_support(v->pool, "volume wipe", err);
}

static int storage_find_sources(Connection *c, const char *type, const char *spec, Call *call, VbError *err) {
        const StorageBackend *b = storage_backend_of_type(type);
        if (!b || !b->find_sources)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "finding sources of '%s' pools", type);
        return b->find_sources(c->manager->event, spec, call, err);
}

static int storage_network_source(StorageVol *v, DomainDiskNet *net, VbError *err) {
        const StorageBackend *b = storage_backend_of(v->pool);
        return b && b->network_source ? b->network_source(v, net, err) : storage_no_support(v->pool, "a network disk", err);
}

static int storage_vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        return storage_vol_wipe_pattern(v, 0, flags, call, err);
}

static int storage_define(StoragePool *p, const PoolDef *def, VbError *err) {
        char *dir = storage_dir(p->obj.conn, NULL), file[300];
        char *xml = pool_def_format(def, 1);
        int r = -1;
        if (!dir || !xml)
                vb_error_errno(err, -ENOMEM, "pool definition");
        else if (pool_file_name(def->name, file, sizeof file) < 0)
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE, "pool name too long");
        else if (persist_ensure_dir(dir, err) >= 0 && persist_write(dir, file, xml, strlen(xml), err) >= 0)
                r = 0;
        free(dir);
        free(xml);
        return r;
}

static int storage_set_autostart(StoragePool *p, bool autostart, VbError *err) {
        char *dir = storage_dir(p->obj.conn, "autostart"), file[300];
        if (!dir)
                return vb_error_errno(err, -ENOMEM, "autostart");
        int r = pool_file_name(p->obj.name, file, sizeof file);
        if (r >= 0)
                r = autostart ? (persist_ensure_dir(dir, err) < 0 ? -1 : persist_write(dir, file, p->obj.name, strlen(p->obj.name), err))
                              : persist_remove(dir, file, err);
        free(dir);
        return r < 0 ? -1 : 0;
}

static int storage_undefine(StoragePool *p, VbError *err) {
        char *dir = storage_dir(p->obj.conn, NULL), file[300];
        if (!dir)
                return vb_error_errno(err, -ENOMEM, "pool definition");
        int r = pool_file_name(p->obj.name, file, sizeof file);
        if (r >= 0 && p->autostart)
                r = storage_set_autostart(p, false, err);
        if (r >= 0)
                r = persist_remove(dir, file, err);
        free(dir);
        return r < 0 ? -1 : 0;
}

static int load_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        Connection *c = userdata;
        VbError err = { 0 };
        PoolDef *def = pool_def_parse(data, len, 0, &err);
        if (!def || storage_post_parse(def, &err) < 0) {
                log_error("%s/%s: pool definition refused: %s", dir, name, err.message);
                pool_def_free(def);
                return -1;
        }
        char file[300];
        if (pool_file_name(def->name, file, sizeof file) < 0 || strcmp(file, name) != 0) {
                log_error("%s/%s: defines pool '%s', not the one its name says: ignored", dir, name, def->name);
                pool_def_free(def);
                return -1;
        }
        StoragePool *p;
        if (pool_add(c, def, true, false, &p, &err) < 0) {
                log_error("%s/%s: %s", dir, name, err.message);
                pool_def_free(def);
                return -1;
        }
        char *marks = storage_dir(c, "autostart");
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", marks ? marks : "", file);
        p->autostart = marks && access(path, F_OK) == 0;
        free(marks);
        return 0;
}

static int storage_load_all(Connection *c) {
        char *dir = storage_dir(c, NULL);
        if (!dir)
                return -ENOMEM;
        int refused = persist_load_dir(dir, ".xml", load_one, c);
        free(dir);
        /* A pool whose directory is missing stays inactive, with the reason in the log; nothing
         * is created or deleted on its behalf. */
        REGISTRY_FOREACH(o, &c->storage->pools) {
                StoragePool *p = (StoragePool *) o;
                if (!p->autostart || pool_is_active(p))
                        continue;
                VbError err = { 0 };
                if (pool_start(p, 0, NULL, &err) < 0)
                        log_error("pool %s: autostart failed: %s", p->obj.name, err.message);
                else
                        log_info("pool %s: autostarted", p->obj.name);
        }
        return refused;
}

const PoolOps storage_host_ops = {
        .post_parse = storage_post_parse,
        .has_type = storage_has_type,
        .define = storage_define,
        .undefine = storage_undefine,
        .start = storage_start,
        .stop = storage_stop,
        .build = storage_build,
        .remove = storage_remove,
        .refresh = storage_refresh,
        .vol_create = storage_vol_create,
        .vol_delete = storage_vol_delete,
        .vol_wipe = storage_vol_wipe,
        .vol_wipe_pattern = storage_vol_wipe_pattern,
        .vol_resize = storage_vol_resize,
        .vol_download = storage_vol_download,
        .vol_upload = storage_vol_upload,
        .find_sources = storage_find_sources,
        .network_source = storage_network_source,
        .load_all = storage_load_all,
        .set_autostart = storage_set_autostart,
};

void storage_driver_attach(Manager *m) {
        m->host_storage->ops = &storage_host_ops;
}

void storage_driver_shutdown(Manager *m) {
        int n = vol_stream_shutdown_all() + iscsi_direct_wipe_shutdown_all();
        if (n)
                log_info("%d volume transfer(s) ended by the shutdown", n);
        REGISTRY_FOREACH(o, &m->host_storage->pools) {
                StoragePool *p = (StoragePool *) o;
                if (iscsi_direct_is(p))
                        iscsi_direct_pool_shutdown(p);  /* logs out, joins the session's thread */
                else
                        dir_pool_stop(p, NULL, NULL);   /* dir, fs: closes the directory (a mount stays); logical: holds nothing */
        }
}
