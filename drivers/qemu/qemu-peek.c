/* qemu-peek.c: virDomainBlockPeek (a disk's raw file read in a thread, lib/file-peek.c) and virDomainMemoryPeek (QEMU's memsave / pmemsave into a pipe QEMU gets through add-fd and opens as /proc/self/fd/N, read on the loop as it is written) of QEMU guests. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "domain-model.h"
#include "domain-peek.h"
#include "file-peek.h"
#include "log.h"

/* ---- virDomainBlockPeek ---- */

typedef struct BlockPeek {
        Domain *d;
        Call *call;
        char *path, *name;      /* the file; the disk as the caller named it */
        uint64_t offset;
        size_t size;
} BlockPeek;

static void block_peek_free(BlockPeek *p) {
        call_unref(p->call);
        domain_unref(p->d);
        free(p->path);
        free(p->name);
        free(p);
}

/* libvirt's storage file backend's words for each step. */
static void block_peek_done(const uint8_t *buf, size_t got, int errnum, FilePeekStage stage, void *userdata) {
        BlockPeek *p = userdata;
        VbError e = { 0 };
        if (errnum) {
                const char *what = stage == FILE_PEEK_OPEN ? "Failed to open file" : stage == FILE_PEEK_SEEK
                                   ? "cannot seek into" : "cannot read header";
                vb_error_set(&e, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "%s '%s': %s", what, p->path, strerror(errnum));
        } else if (got < p->size) {
                vb_error_set(&e, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "'%s' starting from %llu has only %zu bytes available",
                             p->name, (unsigned long long) p->offset, got);
        }
        DomainPeekResult res = { .buf = buf, .len = got };
        call_complete(p->call, e.code ? -1 : 0, e.code ? &e : NULL, e.code ? NULL : &res);
        block_peek_free(p);
}

int qemu_domain_block_peek(Domain *d, const DomainDef *def, size_t index, const char *name, uint64_t offset,
                           size_t size, Call *call, VbError *err) {
        const DomainDisk *k = &def->priv->devices.disks[index];
        const char *format = k->driver_type ? k->driver_type : "raw";   /* what QEMU is told (qemu-command-disk.c) */
        if (strcmp(format, "raw") != 0)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "peeking is only supported for disk with 'raw' format not '%s'", format);
        if (k->net || (k->type && strcmp(k->type, "network") == 0))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "storage file reading is not supported for storage type network (protocol: %s)",
                                    k->net && k->net->protocol ? k->net->protocol : "none");
        if (k->source_fdgroup)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk '%s' is opened through the descriptors of fd group '%s', not by a path",
                                    name, k->source_fdgroup);
        const char *path = k->source_file ? k->source_file : k->source_dev;
        if (!path)      /* libvirt: "Failed to open file '(null)'" */
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "disk '%s' has no source to read",
                                    name);
        if (size == 0)  /* libvirt reads a header of nothing, which fails */
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "cannot read header '%s': %s", path,
                                    strerror(EINVAL));
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        BlockPeek *p = calloc(1, sizeof *p);
        if (!p || !qc)
                goto oom;
        *p = (BlockPeek) { .offset = offset, .size = size };
        p->path = strdup(path);
        p->name = strdup(name);
        if (!p->path || !p->name)
                goto oom;
        p->d = domain_ref(d);
        p->call = call_ref(call);
        int r = file_peek(qc->event, path, offset, size, block_peek_done, p);
        if (r < 0) {
                block_peek_free(p);
                return vb_error_errno(err, r, "block peek");
        }
        return VERB_PENDING;
oom:
        if (p) {
                free(p->path);
                free(p->name);
                free(p);
        }
        return vb_error_errno(err, -ENOMEM, "block peek");
}

/* ---- virDomainMemoryPeek ---- */

typedef struct MemPeek {
        Domain *d;
        Call *call;
        int fd;                 /* the pipe's read end, non-blocking */
        sd_event_source *source;
        const char *command;    /* memsave or pmemsave */
        uint64_t start;
        int64_t fdset;          /* -1 until add-fd answered */
        size_t size, got;
        uint8_t buf[];
} MemPeek;

static void mem_peek_free(MemPeek *p) {
        sd_event_source_disable_unref(p->source);
        if (p->fd >= 0)
                close(p->fd);
        call_unref(p->call);
        domain_unref(p->d);
        free(p);
}

/* What is in the pipe now; false on a read error other than "nothing yet". */
static bool mem_peek_drain(MemPeek *p) {
        while (p->got < p->size) {
                ssize_t n = read(p->fd, p->buf + p->got, p->size - p->got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN;
                if (n == 0)
                        break;
                p->got += (size_t) n;
        }
        return true;
}

/* QEMU writes while it runs the command (blocking its own loop once the pipe is full): read
 * as it comes. */
static int on_pipe(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MemPeek *p = userdata;
        if (!mem_peek_drain(p) || p->got == p->size || (revents & EPOLLHUP))
                sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

static void on_ignored(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_debug("remove-fd: %s", desc ? desc : cls);
}

static void mem_peek_finish(MemPeek *p, const char *command, const char *cls, const char *desc) {
        VbError e = { 0 };
        if (cls)
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "unable to execute QEMU command '%s': %s", command,
                             desc ? desc : cls);
        else if (!mem_peek_drain(p) || p->got < p->size)
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "QEMU's %s gave %zu of %zu bytes", command,
                             p->got, p->size);
        DomainPeekResult res = { .buf = p->buf, .len = p->got };
        call_complete(p->call, e.code ? -1 : 0, e.code ? &e : NULL, e.code ? NULL : &res);
        mem_peek_free(p);
}

static void on_saved(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        MemPeek *p = userdata;
        if (p->fdset >= 0 && !(cls && strcmp(cls, "Disconnected") == 0)) {
                json_object *args = json_object_new_object();
                json_object_object_add(args, "fdset-id", json_object_new_int64(p->fdset));
                (void) qmp_send(q, "remove-fd", args, on_ignored, NULL);
        }
        mem_peek_finish(p, p->command, cls, desc);
}

static void on_fd_added(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        MemPeek *p = userdata;
        json_object *set, *fd;
        if (!cls && !(ret && json_object_object_get_ex(ret, "fdset-id", &set) &&
                      json_object_object_get_ex(ret, "fd", &fd)))
                cls = "add-fd answered no fdset-id and fd";
        if (cls) {
                mem_peek_finish(p, "add-fd", cls, desc);
                return;
        }
        p->fdset = json_object_get_int64(set);
        /* memsave and pmemsave fopen() their file (no /dev/fdset/N): QEMU's own descriptor of
         * the pipe, reopened through its /proc, is the pipe. */
        char file[48];
        snprintf(file, sizeof file, "/proc/self/fd/%d", json_object_get_int(fd));
        json_object *args = json_object_new_object();
        json_object_object_add(args, "val", json_object_new_int64((int64_t) p->start));
        json_object_object_add(args, "size", json_object_new_int64((int64_t) p->size));
        json_object_object_add(args, "filename", json_object_new_string(file));
        if (qmp_send(q, p->command, args, on_saved, p) < 0)
                on_saved(q, NULL, "Disconnected", "the monitor is gone", p);
}

int qemu_domain_memory_peek(Domain *d, uint64_t start, size_t size, bool physical, uint8_t *out, Call *call,
                            VbError *err) {
        (void) out;     /* always later: QEMU answers */
        QemuDomain *qd = d->driver_data;
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        if (!qd || !qc || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        if (start > INT64_MAX || size > INT64_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "address 0x%llx is out of QEMU's range",
                                    (unsigned long long) start);
        MemPeek *p = calloc(1, sizeof *p + size);
        if (!p)
                return vb_error_errno(err, -ENOMEM, "memory peek");
        *p = (MemPeek) { .fd = -1, .fdset = -1, .start = start, .size = size,
                         .command = physical ? "pmemsave" : "memsave" };
        /* A pipe, not a file: nothing lands on disk, nothing to label for a confined QEMU and
         * nothing to remove; QEMU's write end is blocking (it would fail on EAGAIN). */
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                int r = -errno;
                free(p);
                return vb_error_errno(err, r, "memory peek pipe");
        }
        p->fd = pfd[0];
        int r = fcntl(p->fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(qc->event, &p->source, p->fd, EPOLLIN, on_pipe, p);
        if (r < 0) {
                close(pfd[1]);
                mem_peek_free(p);
                return vb_error_errno(err, r, "memory peek pipe");
        }
        p->d = domain_ref(d);
        p->call = call_ref(call);
        r = qmp_send_fd(qd->qmp, "add-fd", NULL, pfd[1], on_fd_added, p);      /* takes pfd[1] */
        if (r < 0) {
                mem_peek_free(p);
                return vb_error_errno(err, r, "add-fd");
        }
        return VERB_PENDING;
}
