/* fs-pool.c: fs pools: a block device with a file system (<source><device path='…'/><format type='ext4'/>),
 * made by mkfs at build, mounted on the target at start (mount(2) in a child, in the daemon's mount
 * namespace), unmounted at stop; the volumes are files as in a dir pool. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "storage-backend.h"

static const ProcessProgram fs_blkid = { "blkid", VB_FROM_STORAGE };
static const ProcessProgram fs_mkfs = { "mkfs", VB_FROM_STORAGE };
static const ProcessProgram fs_mount = { "mount", VB_FROM_STORAGE };

#define BLKID "/usr/sbin/blkid"
#define FS_TYPES_MAX 32

static const char *fs_device(const StoragePool *p) {
        PoolSourceView src;
        pool_def_get_source(p->def, &src);
        return src.n_devices ? src.devices[0] : NULL;
}

static const char *fs_format(const StoragePool *p) {
        PoolSourceView src;
        pool_def_get_source(p->def, &src);
        return src.format ? src.format : "auto";
}

static int fs_check(PoolDef *def, VbError *err) {
        PoolSourceView src;
        pool_def_get_source(def, &src);
        if (src.n_devices != 1 || src.devices[0][0] != '/')
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "fs pool '%s' needs one <source><device path='…'/> with an absolute path", def->name);
        if (!src.format && pool_def_set_source(def, NULL, "auto") < 0)
                return vb_error_errno(err, -ENOMEM, "pool definition");
        pool_def_get_source(def, &src);
        /* The format names a mkfs program and a kernel file system type: a plain word. */
        const char *f = src.format;
        if (!f[0] || strlen(f) > 16 || strspn(f, "abcdefghijklmnopqrstuvwxyz0123456789+") != strlen(f))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "unknown fs pool format type '%s'", f);
        return 0;
}

/* ---- build: mkfs when asked to overwrite, or when the device has no file system ---- */

typedef struct FsBuild {
        StoragePool *pool;
        unsigned flags;
} FsBuild;

/* The target directory is made last: a refused build leaves nothing behind. */
static void build_end(FsBuild *b, int r, const VbError *err) {
        StoragePool *p = b->pool;
        VbError e = { 0 };
        free(b);
        if (r == 0 && dir_pool_build(p, 0, NULL, &e) < 0) {
                r = -1;
                err = &e;
        }
        pool_job_done(p, r, err);
}

static void on_mkfs(int status, const char *out, size_t len, void *userdata) {
        FsBuild *b = userdata;
        VbError err = { 0 };
        if (status != 0) {
                storage_child_error(&err, status, out, "mkfs of '%s'", fs_device(b->pool));
                build_end(b, -1, &err);
                return;
        }
        log_info("pool %s: %s file system made on %s", b->pool->obj.name, fs_format(b->pool), fs_device(b->pool));
        build_end(b, 0, NULL);
}

static int run_mkfs(FsBuild *b, VbError *err) {
        const char *format = fs_format(b->pool);
        if (strcmp(format, "auto") == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "cannot make a file system of format 'auto' on '%s': name one in <source><format type='…'/>",
                                    fs_device(b->pool));
        char prog[64];
        snprintf(prog, sizeof prog, "/usr/sbin/mkfs.%s", format);
        /* Overwriting is what the caller asked for (or the device is empty): mkfs must not ask. */
        bool ext = strncmp(format, "ext", 3) == 0;
        char *argv[] = { prog, ext ? "-F" : "-f", "-q", (char *) fs_device(b->pool), NULL };
        if (!ext && strcmp(format, "xfs") != 0 && strcmp(format, "btrfs") != 0) {
                argv[1] = (char *) fs_device(b->pool);
                argv[2] = NULL;
        }
        return process_run_exec(storage_event(b->pool), &fs_mkfs, argv, NULL, 0, on_mkfs, b, err);
}

/* blkid -p: status 0 with the type found, 2 when the device holds no known signature. */
static void on_probed(int status, const char *out, size_t len, void *userdata) {
        FsBuild *b = userdata;
        VbError err = { 0 };
        const char *dev = fs_device(b->pool);
        if (status == 0) {
                size_t n = strcspn(out, "\n");
                if (b->flags & POOL_BUILD_NO_OVERWRITE) {
                        vb_error_set(&err, VB_ERR_STORAGE_POOL_BUILT, VB_FROM_STORAGE,
                                     "Device '%s' already formatted using '%.*s'", dev, (int) n, n ? out : "unknown");
                        build_end(b, -1, &err);
                        return;
                }
                /* No flag: an existing file system is kept, never overwritten. */
                log_info("pool %s: %s already holds '%.*s': kept", b->pool->obj.name, dev, (int) n, out);
                build_end(b, 0, NULL);
                return;
        }
        if (status != 2) {
                storage_child_error(&err, status, out, "probe of '%s'", dev);
                build_end(b, -1, &err);
                return;
        }
        if (run_mkfs(b, &err) < 0)
                build_end(b, -1, &err);
}

static int fs_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if ((flags & POOL_BUILD_OVERWRITE) && (flags & POOL_BUILD_NO_OVERWRITE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and 'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
        const char *dev = fs_device(p);
        struct stat st;
        if (stat(dev, &st) < 0)
                return storage_sys_error(err, errno, "cannot access '%s'", dev);
        if (!S_ISBLK(st.st_mode))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "source device '%s' is not a block device", dev);
        FsBuild *b = calloc(1, sizeof *b);
        if (!b)
                return vb_error_errno(err, -ENOMEM, "pool build");
        *b = (FsBuild) { .pool = p, .flags = flags };
        int r;
        if (flags & POOL_BUILD_OVERWRITE)
                r = run_mkfs(b, err);
        else {
                char *argv[] = { BLKID, "-p", "-o", "value", "-s", "TYPE", (char *) dev, NULL };
                r = process_run_exec(storage_event(p), &fs_blkid, argv, NULL, 0, on_probed, b, err);
        }
        if (r < 0) {
                free(b);
                return -1;
        }
        return VERB_PENDING;
}

/* ---- start and stop: mount(2) and umount2(2) in a child ---- */

/* Is path a mount point, and of what? (/proc/self/mountinfo: field 5 the mount point, octal
 * escapes for blanks; after " - " the type and the source.) */
static bool mounted_from(const char *path, char *source, size_t size) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return false;
        char *line = NULL;
        size_t cap = 0;
        bool found = false;
        while (!found && getline(&line, &cap, f) > 0) {
                char point[4096], src[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
                        continue;
                /* Undo \ooo escapes in place. */
                char *w = point;
                for (const char *r = point; *r; r++) {
                        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
                                *w++ = (char) (((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
                                r += 3;
                        } else
                                *w++ = *r;
                }
                *w = '\0';
                const char *dash = strstr(line, " - ");
                if (strcmp(point, path) != 0 || !dash || sscanf(dash, " - %*s %4095s", src) != 1)
                        continue;
                snprintf(source, size, "%s", src);
                found = true;
        }
        free(line);
        fclose(f);
        return found;
}

typedef struct FsMount {
        StoragePool *pool;
        char dev[4096], target[4096];
        char types[FS_TYPES_MAX][24];   /* tried in turn ("auto": the kernel's block file systems) */
        size_t n_types;
} FsMount;

static int do_mount(void *arg, char *msg, size_t msg_size) {
        FsMount *m = arg;
        int e = EINVAL;
        for (size_t i = 0; i < m->n_types; i++) {
                if (mount(m->dev, m->target, m->types[i], MS_NOSUID | MS_NODEV, NULL) == 0)
                        return 0;
                /* "Not this type" (EINVAL, ENODEV) tells less than any other refusal. */
                if ((errno != EINVAL && errno != ENODEV) || e == EINVAL)
                        e = errno;
        }
        snprintf(msg, msg_size, "cannot mount '%s' on '%s': %s", m->dev, m->target, strerrordesc_np(e));
        return e;
}

static int do_umount(void *arg, char *msg, size_t msg_size) {
        FsMount *m = arg;
        if (umount2(m->target, UMOUNT_NOFOLLOW) == 0)
                return 0;
        int e = errno;
        snprintf(msg, msg_size, "cannot unmount '%s': %s", m->target, strerrordesc_np(e));
        return e;
}

/* The kernel's file systems that need a device (no "nodev" mark), for format 'auto'. */
static void kernel_block_types(FsMount *m) {
        FILE *f = fopen("/proc/filesystems", "re");
        char line[128];
        while (f && m->n_types < FS_TYPES_MAX && fgets(line, sizeof line, f)) {
                if (strncmp(line, "nodev", 5) == 0)
                        continue;
                char name[24];
                if (sscanf(line, " %23s", name) == 1)
                        snprintf(m->types[m->n_types++], sizeof m->types[0], "%s", name);
        }
        if (f)
                fclose(f);
}

static void mount_error(VbError *err, int status, const char *out) {
        size_t n = strlen(out);
        while (n && out[n - 1] == '\n')
                n--;
        if (status > 0 && status < 125)
                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "%.*s", (int) n, out);
        else
                storage_child_error(err, status, out, "%s", "mount");
}

static void on_mounted(int status, const char *out, size_t len, void *userdata) {
        FsMount *m = userdata;
        StoragePool *p = m->pool;
        VbError err = { 0 };
        int r = 0;
        if (status != 0) {
                mount_error(&err, status, out);
                r = -1;
        } else if (dir_pool_start(p, NULL, &err) < 0) {
                umount2(m->target, MNT_DETACH);     /* does not wait for the disk */
                r = -1;
        } else
                log_info("pool %s: %s mounted on %s", p->obj.name, m->dev, m->target);
        free(m);
        pool_job_done(p, r, r < 0 ? &err : NULL);
}

static FsMount *fs_mount_new(StoragePool *p, VbError *err) {
        FsMount *m = calloc(1, sizeof *m);
        if (!m) {
                vb_error_errno(err, -ENOMEM, "pool");
                return NULL;
        }
        m->pool = p;
        snprintf(m->dev, sizeof m->dev, "%s", fs_device(p));
        snprintf(m->target, sizeof m->target, "%s", p->def->target_path);
        return m;
}

static int fs_start(StoragePool *p, Call *call, VbError *err) {
        const char *dev = fs_device(p), *target = p->def->target_path;
        struct stat st;
        if (stat(dev, &st) < 0)
                return storage_sys_error(err, errno, "cannot access '%s'", dev);
        if (!S_ISBLK(st.st_mode))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "source device '%s' is not a block device", dev);
        if (stat(target, &st) < 0)
                return storage_sys_error(err, errno, "cannot access '%s'", target);
        char source[4096];
        if (mounted_from(target, source, sizeof source)) {
                struct stat src;
                /* Ours already (a daemon restart): keep it; anything else is not ours to cover. */
                if (stat(source, &src) == 0 && S_ISBLK(src.st_mode) && src.st_rdev == st.st_rdev)
                        return dir_pool_start(p, call, err);
                if (strcmp(source, dev) != 0)
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                            "target '%s' of pool '%s' already has '%s' mounted on it", target,
                                            p->obj.name, source);
                return dir_pool_start(p, call, err);
        }
        FsMount *m = fs_mount_new(p, err);
        if (!m)
                return -1;
        const char *format = fs_format(p);
        if (strcmp(format, "auto") == 0)
                kernel_block_types(m);
        else
                snprintf(m->types[m->n_types++], sizeof m->types[0], "%s", format);
        if (process_run_fn(storage_event(p), &fs_mount, do_mount, m, on_mounted, m, err) < 0) {
                free(m);
                return -1;
        }
        return VERB_PENDING;
}

static void on_unmounted(int status, const char *out, size_t len, void *userdata) {
        FsMount *m = userdata;
        StoragePool *p = m->pool;
        VbError err = { 0 }, again = { 0 };
        int r = 0;
        if (status != 0) {
                mount_error(&err, status, out);
                r = -1;
                /* Still mounted: the pool stays active, with its directory open again. */
                if (dir_pool_start(p, NULL, &again) < 0)
                        log_error("pool %s: %s", p->obj.name, again.message);
        } else
                log_info("pool %s: %s unmounted", p->obj.name, m->target);
        free(m);
        pool_job_done(p, r, r < 0 ? &err : NULL);
}

static int fs_stop(StoragePool *p, Call *call, VbError *err) {
        /* The open directory would keep the file system busy. */
        dir_pool_stop(p, NULL, NULL);
        char source[4096];
        if (!mounted_from(p->def->target_path, source, sizeof source))
                return 0;
        FsMount *m = fs_mount_new(p, err);
        if (!m || process_run_fn(storage_event(p), &fs_mount, do_umount, m, on_unmounted, m, err) < 0) {
                free(m);
                dir_pool_start(p, NULL, NULL);
                return -1;
        }
        return VERB_PENDING;
}

const StorageBackend storage_backend_fs = {
        .type = "fs",
        .check = fs_check,
        .build = fs_build,
        .start = fs_start,
        .stop = fs_stop,
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
