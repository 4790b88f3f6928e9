/* qemu-console.c: virDomainOpenConsole on QEMU: the console or serial libvirt's device name means (a channel's alias goes to qemu-channel.c), its pty opened raw and handed to qemu-chr-stream.c's pump, one client at a time (FORCE takes over). */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-priv.h"

/* libvirt's device names: "console<i>" and "serial<port>" (the aliases); NULL: the first
 * console, else the first serial. */
static const DomainChr *console_find(const DomainDevices *dv, const char *dev_name) {
        char alias[32];
        if (!dev_name)
                return dv->n_consoles ? &dv->consoles[0] : dv->n_serials ? &dv->serials[0] : NULL;
        for (size_t i = 0; i < dv->n_consoles; i++) {
                snprintf(alias, sizeof alias, "console%zu", i);
                if (strcmp(dev_name, alias) == 0)
                        return &dv->consoles[i];
        }
        for (size_t i = 0; i < dv->n_serials; i++) {
                const DomainChr *c = &dv->serials[i];
                snprintf(alias, sizeof alias, "serial%lld", c->target_port.set ? c->target_port.v : (long long) i);
                if (strcmp(dev_name, alias) == 0)
                        return c;
        }
        return NULL;
}

int qemu_domain_open_console(Domain *d, const char *dev_name, unsigned flags, Stream *out, Stream *in,
                             VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "console");
        const DomainDef *live = domain_current_def(d);
        const DomainChr *chr = console_find(&live->priv->devices, dev_name);
        if (!chr && dev_name && live->priv->devices.n_channels)
                return qemu_channel_open_console(d, dev_name, flags, out, in, err);
        if (!chr)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot find character device %s",
                                    dev_name ? dev_name : "<null>");
        const char *path = chr->tty ? chr->tty : chr->source_path;
        if (!(chr->type && strcmp(chr->type, "pty") == 0) || !path)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "character device %s is not using a PTY",
                                    dev_name ? dev_name : "console0");
        if (qd->console && !(flags & DOMAIN_CONSOLE_FORCE))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "Active console session exists for this domain");
        int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot open console %s: %s", path,
                                    strerror(errno));
        struct termios t;
        if (tcgetattr(fd, &t) == 0) {
                cfmakeraw(&t);
                tcsetattr(fd, TCSANOW, &t);
        }
        if (qemu_chr_stream_attach(qd, fd, &qd->console, out, in, err) < 0)
                return -1;
        log_info("domain %s: console %s (%s) opened%s", d->obj.name, dev_name ? dev_name : "(default)", path,
                 flags & DOMAIN_CONSOLE_FORCE ? " (forced)" : "");
        return 0;
}
