/* qemu-logs.c: QEMU's output through a pipe to its log writer (virtbus-qemu-log), which rotates the guest's log and outlives the daemon. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-priv.h"

#define LOG_WRITER_NAME "virtbus-qemu-log"

static const ProcessProgram log_writer_program = { "QEMU log writer", VB_FROM_QEMU };

/* Beside the running binary first (a build tree), then the installed module directory. */
static int writer_path(char *path, size_t len) {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(path, len, "%s/%s", exe, LOG_WRITER_NAME);
                        if (access(path, X_OK) == 0)
                                return 0;
                }
        }
        snprintf(path, len, "%s/%s", MODULE_DIR, LOG_WRITER_NAME);
        return access(path, X_OK) == 0 ? 0 : -errno;
}

static void on_writer_exit(Process *p, const siginfo_t *si, void *userdata) {
        QemuDomain *qd = userdata;
        if (si->si_code != CLD_EXITED || si->si_status != 0)
                log_warning("domain %s: a log writer ended with code %d, status %d (a log may lack its last lines)",
                            qd->domain->obj.name, si->si_code, si->si_status);
        for (size_t i = 0; i < QEMU_SERIAL_LOGS_MAX; i++)
                if (qd->serial_writers[i] == p) {
                        qd->serial_writers[i] = process_free(p);
                        return;
                }
        qd->log_writer = process_free(qd->log_writer);
        if (qd->log_writer_gone)
                qd->log_writer_gone(qd);
}

/* A writer for path in *slot, its pipe's write end in *write_fd. */
static int spawn_writer(QemuDomain *qd, const char *log_path, Process **slot, int *write_fd, VbError *err) {
        const QemuConfig *cfg = &qd->qc->cfg;
        char path[PATH_MAX + 64];
        int r = writer_path(path, sizeof path);
        if (r < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot find %s: %s", LOG_WRITER_NAME,
                                    strerror(-r));
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return vb_error_errno(err, -errno, "pipe for QEMU's log");
        char fd_s[16], size_s[32], backups_s[16];
        snprintf(fd_s, sizeof fd_s, "%d", p[0]);
        snprintf(size_s, sizeof size_s, "%llu", (unsigned long long) cfg->max_size);
        snprintf(backups_s, sizeof backups_s, "%d", cfg->max_backups);
        char *argv[] = { path, fd_s, (char *) log_path, size_s, backups_s, NULL };
        if (*slot)
                *slot = process_free(*slot);    /* the last QEMU's: it ends by itself */
        /* Its own complaints go to /dev/null's place: the guest's log is what it writes. */
        r = process_spawn(qd->qc->event, &log_writer_program, argv, "/dev/null", &p[0], 1, on_writer_exit, qd, slot,
                          err);
        close(p[0]);
        if (r < 0) {
                close(p[1]);
                return -1;
        }
        *write_fd = p[1];
        return 0;
}

int qemu_logs_start(QemuDomain *qd, const char *log_path, void (*gone)(QemuDomain *qd), int *write_fd, VbError *err) {
        qd->log_writer_gone = gone;
        return spawn_writer(qd, log_path, &qd->log_writer, write_fd, err);
}

int qemu_logs_serials(QemuDomain *qd, const DomainDef *live, int *fds, size_t n, VbError *err) {
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < n; i++)
                fds[i] = -1;
        for (size_t i = 0; i < dev->n_serials && i < n && i < QEMU_SERIAL_LOGS_MAX; i++) {
                const DomainChr *chr = &dev->serials[i];
                if (!chr->type || strcmp(chr->type, "file") != 0 || !chr->source_path || chr->source_path[0] != '/')
                        continue;
                if (spawn_writer(qd, chr->source_path, &qd->serial_writers[i], &fds[i], err) < 0) {
                        for (size_t j = 0; j < i; j++)
                                if (fds[j] >= 0)
                                        close(fds[j]);
                        return -1;
                }
        }
        return 0;
}

void qemu_logs_release(QemuDomain *qd) {
        qd->log_writer = process_free(qd->log_writer);
        for (size_t i = 0; i < QEMU_SERIAL_LOGS_MAX; i++)
                qd->serial_writers[i] = process_free(qd->serial_writers[i]);
}
