/* qemu-ksm.c: virNodeSetMemoryParameters on QEMU connections: the kernel's same-page merging files under /sys/kernel/mm/ksm written by a forked helper (lib/process-run.c), never on the event loop; a refusal names the file. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "call.h"
#include "log.h"
#include "process-run.h"

#define KSM_DIR "/sys/kernel/mm/ksm"

static const ProcessProgram ksm_writer = { "KSM writer", VB_FROM_QEMU };
static const char *const ksm_files[3] = { "pages_to_scan", "sleep_millisecs", "merge_across_nodes" };

typedef struct KsmWrite {
        Call *call;
        size_t n;
        char path[3][64];
        char value[3][16];
} KsmWrite;

/* In the child: each file in turn; the first that fails stops it, named in msg. */
static int write_files(void *arg, char *msg, size_t msg_size) {
        const KsmWrite *w = arg;
        for (size_t i = 0; i < w->n; i++) {
                int fd = open(w->path[i], O_WRONLY | O_CLOEXEC);
                ssize_t len = (ssize_t) strlen(w->value[i]);
                int e = fd < 0 ? errno : write(fd, w->value[i], (size_t) len) != len ? (errno ? errno : EIO) : 0;
                if (fd >= 0 && close(fd) < 0 && !e)
                        e = errno;
                if (e) {
                        snprintf(msg, msg_size, "cannot write %s: %s", w->path[i], strerrordesc_np(e));
                        return e;
                }
        }
        return 0;
}

static void on_written(int status, const char *out, size_t len, void *userdata) {
        KsmWrite *w = userdata;
        VbError e = { 0 };
        if (status != 0)
                vb_error_set(&e, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "%s", len ? out : "the KSM writer failed");
        else
                log_info("KSM settings written");
        call_complete(w->call, status ? -1 : 0, status ? &e : NULL, NULL);
        call_unref(w->call);
        free(w);
}

int qemu_node_set_memory_parameters(Connection *c, const bool set[3], const unsigned v[3], Call *call, VbError *err) {
        QemuConn *qc = qemu_conn_of(c);
        if (!qc)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "no QEMU connection");
        KsmWrite *w = calloc(1, sizeof *w);
        if (!w)
                return vb_error_errno(err, -ENOMEM, "KSM");
        for (size_t i = 0; i < 3; i++) {
                if (!set[i])
                        continue;
                snprintf(w->path[w->n], sizeof w->path[w->n], "%s/%s", KSM_DIR, ksm_files[i]);
                snprintf(w->value[w->n], sizeof w->value[w->n], "%u", v[i]);
                if (access(w->path[w->n], F_OK) < 0) {
                        free(w);
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                            "Parameter 'shm_%s' is not supported by this kernel", ksm_files[i]);
                }
                w->n++;
        }
        w->call = call_ref(call);
        if (process_run_fn(qc->event, &ksm_writer, write_files, w, on_written, w, err) < 0) {
                call_unref(w->call);
                free(w);
                return -1;
        }
        return VERB_PENDING;
}
