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

const ProcessProgram storage_qemu_img = { "qemu-img", VB_FROM_STORAGE };
const ProcessProgram storage_helper = { "storage helper", VB_FROM_STORAGE };

int storage_sys_error(VbError *err, int errnum, const char *fmt, const char *what) {
        char text[512];
        snprintf(text, sizeof text, fmt, what);
        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "%s: %s", text, strerror(errnum));
}

int storage_check_vol_name(const char *name, VbError *err) {
        if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > 255)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "volume name '%s' must be one file name: not empty, no '/', not starting with '.'",
                                    name);
        return 0;
}

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

static int storage_post_parse(PoolDef *def, VbError *err) {
        if (strcmp(def->type, "iscsi-direct") == 0)
                return iscsi_direct_post_parse(def, err);
        if (strcmp(def->type, "dir") != 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "storage pool type '%s' (the host has dir and iscsi-direct pools only)", def->type);
        if (def->name[0] == '.' || strchr(def->name, '/'))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "pool name '%s' cannot contain '/' or start with '.'", def->name);
        if (!def->target_path || def->target_path[0] != '/')
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "dir pool '%s' needs an absolute <target><path>", def->name);
        /* A trailing slash would make two spellings of one volume path. */
        size_t n = strlen(def->target_path);
        while (n > 1 && def->target_path[n - 1] == '/')
                def->target_path[--n] = '\0';
        return 0;
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

/* ---- the ops by pool type: dir, or iscsi-direct (whose LUNs are made by the target's admin) ---- */

static int no_support(VbError *err, const char *what) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", what);
}

static int host_pool_start(StoragePool *p, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? iscsi_direct_pool_start(p, call, err) : dir_pool_start(p, call, err);
}

static int host_pool_stop(StoragePool *p, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? iscsi_direct_pool_stop(p, call, err) : dir_pool_stop(p, call, err);
}

static int host_pool_refresh(StoragePool *p, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? iscsi_direct_pool_refresh(p, call, err) : dir_pool_refresh(p, call, err);
}

static int host_pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? no_support(err, "virStoragePoolBuild: an iscsi-direct pool has nothing to build")
                                  : dir_pool_build(p, flags, call, err);
}

static int host_pool_remove(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? no_support(err, "pool does not support pool deletion")
                                  : dir_pool_remove(p, flags, call, err);
}

static int host_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        return iscsi_direct_is(p) ? no_support(err, "storage pool does not support volume creation")
                                  : dir_vol_create(p, def, from, call, err);
}

static int host_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        return iscsi_direct_is(v->pool) ? no_support(err, "storage pool does not support volume deletion")
                                        : dir_vol_delete(v, flags, call, err);
}

static int host_vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        return iscsi_direct_is(v->pool) ? iscsi_direct_vol_wipe(v, flags, call, err) : dir_vol_wipe(v, flags, call, err);
}

static int host_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        return iscsi_direct_is(v->pool) ? no_support(err, "storage pool does not support changing of volume capacity")
                                        : dir_vol_resize(v, capacity, flags, call, err);
}

static int host_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return iscsi_direct_is(v->pool) ? iscsi_direct_vol_download(v, offset, length, st, err)
                                        : dir_vol_download(v, offset, length, st, err);
}

static int host_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return iscsi_direct_is(v->pool) ? iscsi_direct_vol_upload(v, offset, length, st, err)
                                        : dir_vol_upload(v, offset, length, st, err);
}

const PoolOps storage_host_ops = {
        .post_parse = storage_post_parse,
        .define = storage_define,
        .undefine = storage_undefine,
        .start = host_pool_start,
        .stop = host_pool_stop,
        .build = host_pool_build,
        .remove = host_pool_remove,
        .refresh = host_pool_refresh,
        .vol_create = host_vol_create,
        .vol_delete = host_vol_delete,
        .vol_wipe = host_vol_wipe,
        .vol_resize = host_vol_resize,
        .vol_download = host_vol_download,
        .vol_upload = host_vol_upload,
        .network_source = iscsi_direct_network_source,
        .load_all = storage_load_all,
        .set_autostart = storage_set_autostart,
};

void storage_driver_attach(Manager *m) {
        m->host_storage->ops = &storage_host_ops;
}

void storage_driver_shutdown(Manager *m) {
        int n = dir_xfer_shutdown_all() + iscsi_direct_xfer_shutdown_all() + iscsi_direct_wipe_shutdown_all();
        if (n)
                log_info("%d volume transfer(s) ended by the shutdown", n);
        REGISTRY_FOREACH(o, &m->host_storage->pools) {
                StoragePool *p = (StoragePool *) o;
                if (iscsi_direct_is(p))
                        iscsi_direct_pool_shutdown(p);
                else
                        dir_pool_stop(p, NULL, NULL);   /* closes the directory */
        }
}
