/* dir-vol.c: volumes of dir pools: create (raw, qcow2 through qemu-img), clone, delete, wipe, resize; every file reached with openat relative to the pool directory, never through a symlink. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "storage-backend.h"
#include "child-progress.h"
#include "process-run.h"

/* One pending volume operation: what its child needs and what the end applies. */
typedef struct VolOp {
        StoragePool *pool;
        StorageVol *vol;        /* delete, wipe, resize: the job is the volume's */
        VolDef *def;            /* create: the job is the pool's */
        int fd, src;
        bool created;           /* create: remove the file when the operation fails */
        uint64_t capacity;      /* resize */
        CopyJob copy;
        ZeroJob zero;
        char fdpath[32], srcpath[32];
        ChildProgress *progress;        /* clone: told on the source volume */
} VolOp;

static VolOp *vol_op_new(StoragePool *p) {
        VolOp *op = calloc(1, sizeof *op);
        if (op) {
                op->pool = p;
                op->fd = op->src = -1;
        }
        return op;
}

static void vol_op_free(VolOp *op) {
        child_progress_free(op->progress);
        if (op->fd >= 0)
                close(op->fd);
        if (op->src >= 0)
                close(op->src);
        free(op);
}

/* The child's failure as the operation's error: its own words when it wrote some. */
static void child_error(VbError *err, const char *what, int status, const char *out) {
        size_t n = strlen(out);
        while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                n--;
        if (n)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "%s: %.*s", what, (int) n, out);
        else
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "%s: exit status %d", what, status);
}

/* The sizes of the open file (raw) or from qemu-img's JSON (qcow2). */
static void sizes_from_fd(VolDef *def, int fd) {
        struct stat st;
        if (fstat(fd, &st) == 0) {
                def->allocation = (uint64_t) st.st_blocks * 512;
                if (!def->format || strcmp(def->format, "raw") == 0)
                        def->capacity = (uint64_t) st.st_size;
        }
}

static int sizes_from_info(VolDef *def, const char *json) {
        json_object *o = json_tokener_parse(json), *v;
        if (!o)
                return -1;
        if (json_object_object_get_ex(o, "virtual-size", &v))
                def->capacity = (uint64_t) json_object_get_int64(v);
        if (json_object_object_get_ex(o, "actual-size", &v))
                def->allocation = (uint64_t) json_object_get_int64(v);
        json_object_put(o);
        return 0;
}

/* ---- create ---------------------------------------------------------------------------- */

static void create_end(VolOp *op, int r, VbError *err) {
        StoragePool *p = op->pool;
        if (r < 0 && op->created)
                unlinkat(dir_pool_fd(p), op->def->name, 0);
        if (r >= 0)
                log_info("pool %s: volume %s (%s, %llu bytes) created", p->obj.name, op->def->name,
                         op->def->format, (unsigned long long) op->def->capacity);
        dir_pool_update_sizes(p);
        vol_op_free(op);
        pool_job_done(p, r, err);
}

static void on_info(int status, const char *out, size_t len, void *userdata) {
        VolOp *op = userdata;
        VbError err = { 0 };
        if (status != 0 || sizes_from_info(op->def, out) < 0) {
                child_error(&err, "qemu-img info failed", status, out);
                create_end(op, -1, &err);
                return;
        }
        create_end(op, 0, NULL);
}

static int run_info(VolOp *op, VbError *err) {
        char *argv[] = { QEMU_IMG, "info", "--output=json", "-U", op->fdpath, NULL };
        return process_run_exec(storage_event(op->pool), &storage_qemu_img, argv, &op->fd, 1, on_info, op, err);
}

static void on_created(int status, const char *out, size_t len, void *userdata) {
        VolOp *op = userdata;
        VbError err = { 0 };
        child_progress_free(op->progress);
        op->progress = NULL;
        if (status != 0) {
                child_error(&err, "cannot create volume", status, out);
                create_end(op, -1, &err);
                return;
        }
        if (op->def->format && strcmp(op->def->format, "raw") != 0) {
                if (run_info(op, &err) < 0)
                        create_end(op, -1, &err);
                return;
        }
        sizes_from_fd(op->def, op->fd);
        create_end(op, 0, NULL);
}

static int allocate_file(void *arg, char *msg, size_t msg_size) {
        VolOp *op = arg;
        int r = posix_fallocate(op->fd, 0, (off_t) op->def->allocation);
        if (r)
                snprintf(msg, msg_size, "cannot allocate %llu bytes: %s", (unsigned long long) op->def->allocation,
                         strerrordesc_np(r));
        return r;
}

static int copy_then_resize(void *arg, char *msg, size_t msg_size) {
        VolOp *op = arg;
        int r = dir_copy_sparse(&op->copy, msg, msg_size);
        if (!r && op->def->capacity > op->copy.size && ftruncate(op->fd, (off_t) op->def->capacity) < 0) {
                r = errno;
                snprintf(msg, msg_size, "cannot grow the clone: %s", strerrordesc_np(r));
        }
        return r;
}

static int start_clone(VolOp *op, StorageVol *from, VbError *err) {
        StoragePool *sp = from->pool;
        if (!pool_is_active(sp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is not active", sp->obj.name);
        /* The source as its own backend opens it: a file of a dir or fs pool, an LV's device. */
        uint64_t src_size = 0;
        op->src = storage_vol_open(from, O_RDONLY, &src_size, err);
        if (op->src < 0)
                return -1;
        const char *from_format = from->def->format ? from->def->format : "raw";
        snprintf(op->srcpath, sizeof op->srcpath, "/dev/fd/%d", op->src);
        if (strcmp(op->def->format, from_format) != 0) {
                int fds[2] = { op->fd, op->src };
                char *argv[] = { QEMU_IMG, "convert", "-f", (char *) from_format, "-O", op->def->format,
                                 op->srcpath, op->fdpath, NULL };
                return process_run_exec(storage_event(op->pool), &storage_qemu_img, argv, fds, 2, on_created, op, err) < 0 ? -1
                                                                                                       : VERB_PENDING;
        }
        op->progress = child_progress_new(sp, from->obj.name, "clone", src_size);
        op->copy = (CopyJob) { .src = op->src, .dst = op->fd, .size = src_size,
                               .progress = child_progress_counter(op->progress) };
        if (op->def->capacity < from->def->capacity)
                op->def->capacity = from->def->capacity;
        return process_run_fn(storage_event(op->pool), &storage_helper, copy_then_resize, op, on_created, op, err) < 0 ? -1
                                                                                                    : VERB_PENDING;
}

static int start_create(VolOp *op, VbError *err) {
        VolDef *def = op->def;
        if (strcmp(def->format, "raw") == 0) {
                if (def->backing_path)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_STORAGE,
                                            "a raw volume cannot have a backing store");
                if (ftruncate(op->fd, (off_t) def->capacity) < 0)
                        return storage_sys_error(err, errno, "cannot size volume '%s'", def->name);
                if (def->allocation == 0) {
                        sizes_from_fd(def, op->fd);
                        return 0;
                }
                return process_run_fn(storage_event(op->pool), &storage_helper, allocate_file, op, on_created, op, err) < 0 ? -1
                                                                                                     : VERB_PENDING;
        }
        char size[32], *backing = NULL;
        snprintf(size, sizeof size, "%llu", (unsigned long long) def->capacity);
        char *argv[12] = { QEMU_IMG, "create", "-q", "-f", def->format };
        int n = 5;
        if (def->backing_path) {
                if (def->backing_path[0] != '/' &&
                    asprintf(&backing, "%s/%s", op->pool->def->target_path, def->backing_path) < 0)
                        return vb_error_errno(err, -ENOMEM, "backing path");
                argv[n++] = "-b";
                argv[n++] = backing ? backing : def->backing_path;
                argv[n++] = "-F";
                argv[n++] = def->backing_format ? def->backing_format : "raw";
        }
        argv[n++] = op->fdpath;
        if (def->capacity || !def->backing_path)
                argv[n++] = size;
        argv[n] = NULL;
        int r = process_run_exec(storage_event(op->pool), &storage_qemu_img, argv, &op->fd, 1, on_created, op, err);
        free(backing);
        return r < 0 ? -1 : VERB_PENDING;
}

int dir_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        if (storage_check_vol_name(def->name, err) < 0)
                return -1;
        if (!def->format && !(def->format = strdup(from && from->def->format ? from->def->format : "raw")))
                return vb_error_errno(err, -ENOMEM, "volume");
        if (strcmp(def->format, "raw") != 0 && strcmp(def->format, "qcow2") != 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "volume format '%s' (dir pools create raw and qcow2)", def->format);
        free(def->path);
        free(def->key);
        if (asprintf(&def->path, "%s/%s", p->def->target_path, def->name) < 0 || !(def->key = strdup(def->path)))
                return vb_error_errno(err, -ENOMEM, "volume path");
        if (def->allocation > def->capacity)
                def->allocation = def->capacity;
        StoragePermsView perms;
        vol_def_get_perms(def, &perms);
        mode_t mode = perms.mode >= 0 ? (mode_t) perms.mode : 0600;
        VolOp *op = vol_op_new(p);
        if (!op)
                return vb_error_errno(err, -ENOMEM, "volume");
        op->def = def;
        op->fd = openat(dir_pool_fd(p), def->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (op->fd < 0) {
                int e = errno;
                vol_op_free(op);
                if (e == EEXIST)
                        return vb_error_set(err, VB_ERR_STORAGE_VOL_EXIST, VB_FROM_STORAGE, "%s", def->name);
                return storage_sys_error(err, e, "cannot create volume '%s'", def->name);
        }
        op->created = true;
        snprintf(op->fdpath, sizeof op->fdpath, "/dev/fd/%d", op->fd);
        int r = 0;
        if (fchmod(op->fd, mode) < 0 ||
            ((perms.owner >= 0 || perms.group >= 0) && fchown(op->fd, (uid_t) perms.owner, (gid_t) perms.group) < 0))
                r = storage_sys_error(err, errno, "cannot set the permissions of volume '%s'", def->name);
        else
                r = from ? start_clone(op, from, err) : start_create(op, err);
        if (r != VERB_PENDING) {
                /* Done at once (a sparse raw file) or failed before a child ran. */
                if (r < 0)
                        unlinkat(dir_pool_fd(p), def->name, 0);
                else
                        dir_pool_update_sizes(p);
                vol_op_free(op);
                return r;
        }
        return VERB_PENDING;
}
