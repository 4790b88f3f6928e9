/* dir-vol-ops.c: delete and resize of a dir pool's volumes, refused while a running guest uses the volume. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "domain-model.h"
#include "log.h"
#include "storage-backend.h"
#include "child-progress.h"
#include "process-run.h"

/* virStorageVolDeleteFlags / libvirt's wipe: no force flag in the API; in use means refused. */
static const char *vol_user(StorageVol *v) {
        Manager *m = v->obj.conn->manager;
        for (size_t i = 0; i < m->n_conns; i++) {
                Connection *c = m->conns[i];
                if (c->storage != v->obj.conn->storage)
                        continue;
                REGISTRY_FOREACH(o, &c->domains) {
                        Domain *d = (Domain *) o;
                        if (!domain_is_active(d) || !d->live)
                                continue;
                        for (size_t k = 0; k < d->live->priv->devices.n_disks; k++) {
                                const DomainDisk *disk = &d->live->priv->devices.disks[k];
                                if ((disk->source_file && strcmp(disk->source_file, v->def->path) == 0) ||
                                    (disk->source_dev && strcmp(disk->source_dev, v->def->path) == 0))
                                        return d->obj.name;
                        }
                }
        }
        return NULL;
}

int storage_vol_check_unused(StorageVol *v, const char *what, VbError *err) {
        const char *user = vol_user(v);
        if (user)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "cannot %s volume '%s': it is in use by running domain '%s'", what,
                                    v->obj.name, user);
        return 0;
}

int dir_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err) {
        int fd = openat(dir_pool_fd(v->pool), v->obj.name, flags | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return storage_sys_error(err, errno, "cannot open volume '%s'", v->def->path);
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "volume '%s' is not a regular file", v->def->path);
        }
        if (size)
                *size = (uint64_t) st.st_size;
        return fd;
}

int dir_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        if (storage_vol_check_unused(v, "delete", err) < 0)
                return -1;
        /* unlinkat removes the name in the pool directory: a symlink itself, never its target. */
        if (unlinkat(dir_pool_fd(v->pool), v->obj.name, 0) < 0 && errno != ENOENT)
                return storage_sys_error(err, errno, "cannot unlink file '%s'", v->def->path);
        log_info("pool %s: volume %s deleted", v->pool->obj.name, v->obj.name);
        dir_pool_update_sizes(v->pool);
        return 0;
}

typedef struct VolWork {
        StorageVol *vol;
        int fd;
        uint64_t capacity;
        char fdpath[32];
} VolWork;

static void work_end(VolWork *w, int status, const char *out, const char *what) {
        StorageVol *v = w->vol;
        VbError err = { 0 };
        int r = 0;
        if (status != 0) {
                size_t n = strlen(out);
                while (n && out[n - 1] == '\n')
                        n--;
                r = vb_error_set(&err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "%s '%s' failed: %.*s", what,
                                 v->obj.name, (int) n, n ? out : "no reason given");
        } else {
                dir_vol_update_sizes(v);
        }
        close(w->fd);
        free(w);
        dir_pool_update_sizes(v->pool);
        vol_job_done(v, r, r < 0 ? &err : NULL);
}

static void on_resized(int status, const char *out, size_t len, void *userdata) {
        work_end(userdata, status, out, "resize of volume");
}

static VolWork *work_new(StorageVol *v, VbError *err) {
        VolWork *w = calloc(1, sizeof *w);
        if (!w) {
                vb_error_errno(err, -ENOMEM, "volume");
                return NULL;
        }
        w->vol = v;
        w->fd = storage_vol_open(v, O_RDWR, NULL, err);
        if (w->fd < 0) {
                free(w);
                return NULL;
        }
        snprintf(w->fdpath, sizeof w->fdpath, "/dev/fd/%d", w->fd);
        return w;
}

static int grow_allocated(void *arg, char *msg, size_t msg_size) {
        VolWork *w = arg;
        int r = posix_fallocate(w->fd, 0, (off_t) w->capacity);
        if (r)
                snprintf(msg, msg_size, "cannot allocate: %s", strerrordesc_np(r));
        return r;
}

int dir_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        VolWork *w = work_new(v, err);
        if (!w)
                return -1;
        w->capacity = capacity;
        int r;
        bool raw = !v->def->format || strcmp(v->def->format, "raw") == 0;
        if (raw && !(flags & 0x1)) {
                /* Sparse: the size alone, at once. */
                r = ftruncate(w->fd, (off_t) capacity) < 0 ? storage_sys_error(err, errno, "cannot resize volume '%s'",
                                                                               v->def->path) : 0;
                close(w->fd);
                free(w);
                if (r == 0) {
                        v->def->capacity = capacity;
                        dir_pool_update_sizes(v->pool);
                }
                return r;
        }
        if (raw) {
                r = process_run_fn(storage_event(v->pool), &storage_helper, grow_allocated, w, on_resized, w, err);
        } else {
                char size[32];
                snprintf(size, sizeof size, "%llu", (unsigned long long) capacity);
                char *argv[] = { QEMU_IMG, "resize", "-q", "-f", v->def->format, w->fdpath, size, NULL, NULL };
                if (flags & 0x4) {      /* SHRINK */
                        argv[5] = "--shrink";
                        argv[6] = w->fdpath;
                        argv[7] = size;
                }
                r = process_run_exec(storage_event(v->pool), &storage_qemu_img, argv, &w->fd, 1, on_resized, w, err);
        }
        if (r < 0) {
                close(w->fd);
                free(w);
                return -1;
        }
        return VERB_PENDING;
}
