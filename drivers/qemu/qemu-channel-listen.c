/* qemu-channel-listen.c: the sockets of unix channels without <source path> (virt-install's
 * guest agent channel) for a QEMU that runs as another user: it cannot create a socket in the
 * daemon's state directory, so the daemon binds each at its default path
 * (qemu_channel_default_path()) and QEMU inherits it (-chardev socket,fd=N,server=on), as
 * for the monitor. QEMU calls listen() itself. The files go at stop (qemu_channels_remove). */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

/* A channel whose socket the daemon names and QEMU listens on. */
static bool default_server(const DomainChr *c) {
        return c->type && strcmp(c->type, "unix") == 0 && !c->source_path && c->target_name &&
               !(c->source_mode && strcmp(c->source_mode, "connect") == 0);
}

int qemu_channel_bind(const char *path, VbError *err) {
        if (unlink(path) < 0 && errno != ENOENT)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot remove the old channel socket %s: %s",
                                        path, strerror(errno));
        int fd = qemu_socket_bind(path, "channel", err);
        if (fd < 0)
                return -1;
        if (chmod(path, 0600) < 0) {
                int e = errno;
                close(fd);
                unlink(path);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot set the mode of %s: %s", path,
                                        strerror(e));
        }
        return fd;
}

int qemu_channels_listen(Domain *d, const DomainDef *live, QemuChannelFds *out, VbError *err) {
        *out = (QemuChannelFds) { 0 };
        const DomainDevices *dv = &live->priv->devices;
        size_t want = 0;
        for (size_t i = 0; i < dv->n_channels; i++)
                want += default_server(&dv->channels[i]);
        if (!want)
                return 0;
        if (want > QEMU_CHANNEL_FDS_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "%zu unix channels without a <source path> (at most %d for a QEMU running as another user)",
                                    want, QEMU_CHANNEL_FDS_MAX);
        out->fds = malloc(dv->n_channels * sizeof *out->fds);
        if (!out->fds)
                return vb_error_errno(err, -ENOMEM, "channel sockets");
        out->n = dv->n_channels;
        for (size_t i = 0; i < out->n; i++)
                out->fds[i] = -1;
        for (size_t i = 0; i < out->n; i++) {
                if (!default_server(&dv->channels[i]))
                        continue;
                /* a name with '/' has no default path: the command line refuses it plainly */
                char *path = qemu_channel_default_path(d->obj.conn->state_dir, d->obj.name, dv->channels[i].target_name);
                if (!path)
                        continue;
                out->fds[i] = qemu_channel_bind(path, err);
                free(path);
                if (out->fds[i] < 0) {
                        qemu_channel_fds_close(out);
                        qemu_channels_remove(d, live);
                        return -1;
                }
        }
        return 0;
}

size_t qemu_channel_fds_keep(const QemuChannelFds *f, int *keep, size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < f->n && n < max; i++)
                if (f->fds[i] >= 0)
                        keep[n++] = f->fds[i];
        return n;
}

void qemu_channel_fds_close(QemuChannelFds *f) {
        for (size_t i = 0; i < f->n; i++)
                if (f->fds[i] >= 0)
                        close(f->fds[i]);
        free(f->fds);
        *f = (QemuChannelFds) { 0 };
}
