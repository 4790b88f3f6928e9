/* wipe.c: volume wipe (virStorageVolWipePattern) on the descriptor the pool's backend opened: zero
 * (written by a forked child, with progress), trim (holes punched, or BLKDISCARD on a block
 * device) and scrub's patterns (scrub -p run on /dev/fd/N). An algorithm whose tool is missing is
 * refused before anything is touched. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child-progress.h"
#include "log.h"
#include "storage-backend.h"

#define SCRUB "/usr/bin/scrub"

static const ProcessProgram storage_scrub = { "scrub", VB_FROM_STORAGE };

/* virStorageVolWipeAlgorithm: the names scrub knows them by (0 zero and 9 trim are ours). */
static const char *const algorithm_names[] = {
        "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33", "random", "trim",
};
enum { WIPE_ZERO = 0, WIPE_RANDOM = 8, WIPE_TRIM = 9, WIPE_LAST = 10 };

const char *storage_wipe_algorithm_name(unsigned algorithm) {
        return algorithm < WIPE_LAST ? algorithm_names[algorithm] : NULL;
}

typedef struct Wipe {
        StorageVol *vol;
        int fd;
        uint64_t size;
        bool block;
        ZeroJob zero;
        ChildProgress *progress;
        char fdpath[32], size_arg[32];
} Wipe;

static void wipe_end(Wipe *w, int status, const char *out) {
        StorageVol *v = w->vol;
        VbError err = { 0 };
        int r = 0;
        if (status != 0)
                r = storage_child_error(&err, status, out, "wipe of volume '%s'", v->obj.name);
        struct stat st;
        bool have = !w->block && fstat(w->fd, &st) == 0;
        /* scrub pads a file to its last block (and syncs each pass): the volume keeps its size;
         * only the padding goes, the loop does not wait for a disk. */
        if (r == 0 && have && (uint64_t) st.st_size != w->size && ftruncate(w->fd, (off_t) w->size) < 0)
                r = storage_sys_error(&err, errno, "cannot resize volume '%s'", v->def->path);
        if (have && fstat(w->fd, &st) == 0)
                v->def->allocation = (uint64_t) st.st_blocks * 512;
        close(w->fd);
        child_progress_free(w->progress);
        free(w);
        if (dir_pool_fd(v->pool) >= 0)
                dir_pool_update_sizes(v->pool);
        vol_job_done(v, r, r < 0 ? &err : NULL);
}

static void on_wiped(int status, const char *out, size_t len, void *userdata) {
        wipe_end(userdata, status, out);
}

/* "trim": the file's blocks given back (reads then see zeros); a block device's discarded. */
static int trim_fd(void *arg, char *msg, size_t msg_size) {
        Wipe *w = arg;
        int r;
        if (w->block) {
                uint64_t range[2] = { 0, w->size };
                r = ioctl(w->fd, BLKDISCARD, range);
        } else
                r = w->size ? fallocate(w->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t) w->size) : 0;
        if (r < 0) {
                int e = errno;
                snprintf(msg, msg_size, "cannot trim: %s", strerrordesc_np(e));
                return e;
        }
        return 0;
}

int storage_wipe(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err) {
        if (algorithm >= WIPE_LAST)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE, "wiping algorithm %u not supported", algorithm);
        bool scrub = algorithm != WIPE_ZERO && algorithm != WIPE_TRIM;
        if (scrub && access(SCRUB, X_OK) < 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "wiping algorithm '%s' is not supported: it needs %s (Debian package scrub), which is not installed",
                                    algorithm_names[algorithm], SCRUB);
        if (storage_vol_check_unused(v, "wipe", err) < 0)
                return -1;
        Wipe *w = calloc(1, sizeof *w);
        if (!w)
                return vb_error_errno(err, -ENOMEM, "wipe");
        w->vol = v;
        w->fd = storage_vol_open(v, O_RDWR, &w->size, err);
        if (w->fd < 0) {
                free(w);
                return -1;
        }
        struct stat st;
        w->block = fstat(w->fd, &st) == 0 && S_ISBLK(st.st_mode);
        int r;
        if (algorithm == WIPE_ZERO) {
                w->progress = child_progress_new(v->pool, v->obj.name, "wipe", w->size);
                w->zero = (ZeroJob) { .fd = w->fd, .size = w->size, .progress = child_progress_counter(w->progress) };
                r = process_run_fn(storage_event(v->pool), &storage_helper, dir_zero_file, &w->zero, on_wiped, w, err);
        } else if (algorithm == WIPE_TRIM) {
                r = process_run_fn(storage_event(v->pool), &storage_helper, trim_fd, w, on_wiped, w, err);
        } else {
                snprintf(w->fdpath, sizeof w->fdpath, "/dev/fd/%d", w->fd);
                snprintf(w->size_arg, sizeof w->size_arg, "%llu", (unsigned long long) w->size);
                /* -f: a file scrubbed before is scrubbed again; -S: no signature is left in it. */
                char *argv[] = { SCRUB, "-f", "-S", "-p", (char *) algorithm_names[algorithm], w->fdpath, NULL };
                r = process_run_exec(storage_event(v->pool), &storage_scrub, argv, &w->fd, 1, on_wiped, w, err);
        }
        if (r < 0) {
                child_progress_free(w->progress);
                close(w->fd);
                free(w);
                return -1;
        }
        log_info("pool %s: volume %s: wipe (%s) begins", v->pool->obj.name, v->obj.name, algorithm_names[algorithm]);
        return VERB_PENDING;
}
