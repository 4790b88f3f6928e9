/* dir-pool.c: dir pools: a directory of volume files, scanned without following a symlink (each file
 * described by dir-describe.c). */
#define LOG_MODULE "storage"
#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "storage-backend.h"

/* libvirt's default mode of a pool directory it builds. */
#define DIR_POOL_MODE 0711

static int mkdir_parents(const char *path) {
        char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *s = strchr(copy + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
                        int e = -errno;
                        free(copy);
                        return e;
                }
                *s = '/';
        }
        free(copy);
        return 0;
}

int dir_pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        const char *path = p->def->target_path;
        StoragePermsView perms;
        pool_def_get_perms(p->def, &perms);
        mode_t mode = perms.mode >= 0 ? (mode_t) perms.mode : DIR_POOL_MODE;
        int r = mkdir_parents(path);
        if (r < 0)
                return storage_sys_error(err, -r, "cannot create path '%s'", path);
        bool created = mkdir(path, mode) == 0;
        if (!created && errno != EEXIST)
                return storage_sys_error(err, errno, "cannot create path '%s'", path);
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return storage_sys_error(err, errno, "cannot open directory '%s'", path);
        /* Set the mode and owners the definition asks for, also on a directory that was there
         * (mkdir's mode is filtered by the umask). */
        r = 0;
        if ((perms.mode >= 0 || created) && fchmod(fd, mode) < 0)
                r = storage_sys_error(err, errno, "cannot set mode of '%s'", path);
        else if ((perms.owner >= 0 || perms.group >= 0) &&
                 fchown(fd, (uid_t) perms.owner, (gid_t) perms.group) < 0)
                r = storage_sys_error(err, errno, "cannot set owner of '%s'", path);
        close(fd);
        if (r == 0)
                log_info("pool %s: built %s", p->obj.name, path);
        return r;
}

/* Bring the pool's volumes in line with its directory. */
static int dir_pool_scan(StoragePool *p, VbError *err) {
        int fd = dup(dir_pool_fd(p));
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return storage_sys_error(err, errno, "cannot open directory '%s'", p->def->target_path);
        }
        rewinddir(d);
        /* Mark by absence: every volume not seen again is dropped. */
        size_t n = 0, cap = 0;
        char **seen = NULL;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                VolDef *def = dir_vol_describe(p, e->d_name);
                if (!def)
                        continue;
                if (pool_sync_volume(p, def, err) < 0)
                        break;
                if (n == cap) {
                        cap = cap ? 2 * cap : 64;
                        char **grown = realloc(seen, cap * sizeof *seen);
                        if (!grown)
                                break;
                        seen = grown;
                }
                seen[n++] = strdup(e->d_name);
        }
        closedir(d);
        for (Object *o = p->volumes.first, *next; o; o = next) {
                next = o->next;
                bool found = false;
                for (size_t i = 0; i < n && !found; i++)
                        found = seen[i] && strcmp(seen[i], o->name) == 0;
                if (!found)
                        pool_drop_volume((StorageVol *) o);
        }
        for (size_t i = 0; i < n; i++)
                free(seen[i]);
        free(seen);
        dir_pool_update_sizes(p);
        return 0;
}

int dir_pool_start(StoragePool *p, Call *call, VbError *err) {
        const char *path = p->def->target_path;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return storage_sys_error(err, errno, "cannot open directory '%s'", path);
        DirPool *dp = calloc(1, sizeof *dp);
        if (!dp) {
                close(fd);
                return vb_error_errno(err, -ENOMEM, "pool");
        }
        dp->dirfd = fd;
        p->driver_data = dp;
        if (dir_pool_scan(p, err) < 0) {
                dir_pool_stop(p, NULL, NULL);
                return -1;
        }
        log_info("pool %s: started on %s with %zu volumes", p->obj.name, path, p->volumes.count);
        return 0;
}

int dir_pool_stop(StoragePool *p, Call *call, VbError *err) {
        DirPool *dp = p->driver_data;
        if (dp) {
                close(dp->dirfd);
                free(dp);
                p->driver_data = NULL;
        }
        return 0;
}

int dir_pool_refresh(StoragePool *p, Call *call, VbError *err) {
        return dir_pool_scan(p, err);
}

int dir_pool_remove(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        const char *path = p->def->target_path;
        if (rmdir(path) < 0)
                return storage_sys_error(err, errno, "failed to remove pool '%s'", path);
        log_info("pool %s: removed %s", p->obj.name, path);
        return 0;
}

static int dir_check(PoolDef *def, VbError *err) {
        return 0;
}

const StorageBackend storage_backend_dir = {
        .type = "dir",
        .check = dir_check,
        .build = dir_pool_build,
        .start = dir_pool_start,
        .stop = dir_pool_stop,
        .refresh = dir_pool_refresh,
        .remove = dir_pool_remove,
        .vol_create = dir_vol_create,
        .vol_delete = dir_vol_delete,
        .vol_wipe = storage_wipe,
        .vol_resize = dir_vol_resize,
        .vol_download = dir_vol_download,
        .vol_upload = dir_vol_upload,
        .vol_open = dir_vol_open,
};
