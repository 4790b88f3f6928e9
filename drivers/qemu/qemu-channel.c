/* qemu-channel.c: virDomainOpenChannel on QEMU: a <channel>'s chardev (QEMU's unix server
 * socket, or its pty) between two core Streams, one client per channel (qemu-console.c's
 * pump). */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

/* libvirt's names of a channel: its alias ("channel0", a user's ua- alias) or its virtio
 * target name ("org.qemu.guest_agent.0"); NULL: the first. */
static ssize_t channel_find(const DomainDevices *dv, const char *name) {
        char alias[32];
        if (!name)
                return dv->n_channels ? 0 : -1;
        for (size_t i = 0; i < dv->n_channels; i++) {
                const DomainChr *c = &dv->channels[i];
                snprintf(alias, sizeof alias, "channel%zu", i);
                if ((c->alias ? strcmp(name, c->alias) == 0 : strcmp(name, alias) == 0) ||
                    (c->target_name && strcmp(name, c->target_name) == 0))
                        return (ssize_t) i;
        }
        return -1;
}

/* QEMU's listening socket of a unix channel (without <source path>: qemu_channel_default_path());
 * non-blocking: a local connect to a listener
 * completes at once or fails. */
static int channel_connect(Domain *d, const DomainChr *chr, const char *name, VbError *err) {
        char *path = NULL;
        const char *dir = d->obj.conn->state_dir;
        if (chr->source_path)
                path = strdup(chr->source_path);
        else
                path = qemu_channel_default_path(dir, d->obj.name, chr->target_name);
        if (!path)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "channel %s has no socket path", name);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path) {
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "socket path of channel %s is too long: %s",
                             name, path);
                free(path);
                return -1;
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot connect to channel %s (%s): %s", name,
                             path, strerror(errno));
                if (fd >= 0)
                        close(fd);
                fd = -1;
        }
        free(path);
        return fd;
}

static int channel_open_pty(const DomainChr *chr, const char *name, VbError *err) {
        const char *path = chr->tty ? chr->tty : chr->source_path;
        if (!path)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "channel %s has no pty yet", name);
        int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot open channel %s (%s): %s", name,
                                    path, strerror(errno));
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(fd, TCSANOW, &t);
        }
        return fd;
}

void qemu_channels_close(QemuDomain *qd, const VbError *why) {
        for (size_t i = 0; i < qd->n_channel_clients; i++)
                qemu_chr_stream_close(qd->channel_clients[i], why);
        free(qd->channel_clients);
        qd->channel_clients = NULL;
        qd->n_channel_clients = 0;
}

/* channel i's client to out and in; console: virDomainOpenConsole's (pty only, its texts). */
static int channel_open(Domain *d, QemuDomain *qd, const DomainDevices *dv, ssize_t i, const char *shown,
                        unsigned flags, bool console, Stream *out, Stream *in, VbError *err) {
        const DomainChr *chr = &dv->channels[i];
        bool unix_server = !console && chr->type && strcmp(chr->type, "unix") == 0 &&
                           !(chr->source_mode && strcmp(chr->source_mode, "connect") == 0);
        bool pty = !chr->type || strcmp(chr->type, "pty") == 0;
        if (console && !pty)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "character device %s is not using a PTY", shown);
        if (!unix_server && !pty)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "channel %s is not using a PTY or UNIX socket", shown);
        if ((size_t) i >= qd->n_channel_clients) {
                /* clients keep pointers into the array: replace it only when none is open */
                for (size_t k = 0; k < qd->n_channel_clients; k++)
                        if (qd->channel_clients[k])
                                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                                    "channel %s: the channels changed while clients are open", shown);
                free(qd->channel_clients);
                qd->channel_clients = NULL;
                qd->n_channel_clients = 0;
                QemuConsole **a = calloc(dv->n_channels, sizeof *a);
                if (!a)
                        return vb_error_errno(err, -ENOMEM, "channel");
                qd->channel_clients = a;
                qd->n_channel_clients = dv->n_channels;
        }
        QemuConsole **slot = &qd->channel_clients[i];
        if (*slot && !(flags & DOMAIN_CHANNEL_FORCE))   /* DOMAIN_CONSOLE_FORCE is the same bit */
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, console
                                    ? "Active console session exists for this domain"
                                    : "Active channel stream exists for this domain");
        int fd = unix_server ? channel_connect(d, chr, shown, err) : channel_open_pty(chr, shown, err);
        if (fd < 0)
                return -1;
        if (qemu_chr_stream_attach(qd, fd, slot, out, in, err) < 0)
                return -1;
        log_info("domain %s: channel %s opened%s%s", d->obj.name, shown, console ? " as a console" : "",
                 flags & DOMAIN_CHANNEL_FORCE ? " (forced)" : "");
        return 0;
}

int qemu_domain_open_channel(Domain *d, const char *name, unsigned flags, Stream *out, Stream *in, VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "channel");
        const DomainDevices *dv = &domain_current_def(d)->priv->devices;
        ssize_t i = channel_find(dv, name);
        if (i < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot find channel %s",
                                    name ? name : "<null>");
        char label[32];
        snprintf(label, sizeof label, "channel%zd", i);
        return channel_open(d, qd, dv, i, name ? name : label, flags, false, out, in, err);
}

int qemu_channel_open_console(Domain *d, const char *alias, unsigned flags, Stream *out, Stream *in, VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "console");
        const DomainDevices *dv = &domain_current_def(d)->priv->devices;
        for (size_t i = 0; i < dv->n_channels; i++)
                if (dv->channels[i].alias && strcmp(dv->channels[i].alias, alias) == 0)
                        return channel_open(d, qd, dv, (ssize_t) i, alias, flags, true, out, in, err);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot find character device %s", alias);
}

void qemu_channels_remove(Domain *d, const DomainDef *live) {
        if (!live || !live->priv)
                return;
        const DomainDevices *devs = &live->priv->devices;
        for (size_t i = 0; i < devs->n_channels; i++) {
                const DomainChr *chr = &devs->channels[i];
                if (!chr->type || strcmp(chr->type, "unix") != 0 || chr->source_path)
                        continue;       /* a path the XML gave belongs to whoever gave it */
                char *path = qemu_channel_default_path(d->obj.conn->state_dir, d->obj.name, chr->target_name);
                if (path && unlink(path) < 0 && errno != ENOENT)
                        log_warning("domain %s: cannot remove %s: %s", d->obj.name, path, strerror(errno));
                free(path);
        }
}
