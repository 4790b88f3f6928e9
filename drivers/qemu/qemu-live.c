/* qemu-live.c: the running definition's live values (automatic display ports). */
#include "qemu-live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "qemu-command.h"

void qemu_live_set_display_ports(DomainDef *live, const int ports[3]) {
        if (!live || !live->priv)
                return;
        DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_graphics; i++) {
                DomainGraphics *g = &dev->graphics[i];
                /* "automatic" as qemu-command-devices.c decides it */
                bool autoport = (g->autoport && strcmp(g->autoport, "yes") == 0) || !g->port.set || g->port.v == -1;
                bool vnc = g->type && strcmp(g->type, "vnc") == 0;
                int port = !g->type ? -1 : vnc ? ports[0] : strcmp(g->type, "spice") == 0 ? ports[1] : -1;
                if (autoport && port > 0) {
                        /* libvirt's live XML: autoport='yes' with the port; a restart reads both */
                        char *yes = strdup("yes");
                        if (yes) {
                                free(g->autoport);
                                g->autoport = yes;
                        }
                        g->port = (ConfInt) { .set = true, .v = port };
                }
                if (vnc && g->websocket.set && g->websocket.v == -1 && ports[2] > 0)
                        g->websocket.v = ports[2];
        }
}

static bool chr_is_pty(const DomainChr *chr) {
        return !chr->type || strcmp(chr->type, "pty") == 0;
}

static const char *pty_of(const char *label, const char *const *labels, const char *const *paths, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(labels[i], label) == 0)
                        return paths[i];
        return NULL;
}

/* libvirt's live XML: <serial type='pty'><source path='/dev/pts/N'/> and the console, which
 * shares the serial's chardev, with tty='/dev/pts/N' too. */
static void chr_set_pty(DomainChr *chr, const char *path, bool tty) {
        char *p = strdup(path), *t = tty ? strdup(path) : NULL;
        if (!p || (tty && !t)) {
                free(p);
                free(t);
                return;
        }
        free(chr->source_path);
        chr->source_path = p;
        if (tty) {
                free(chr->tty);
                chr->tty = t;
        }
}

/* libvirt's alias: the chardev's label without "char" (a console on a serial port shares the
 * serial's alias); a user's ua- alias stays. */
static void chr_set_alias(DomainChr *chr, const char *label) {
        if (chr->alias)
                return;
        chr->alias = strdup(label + strlen("char"));
}

void qemu_live_set_ptys(DomainDef *live, const char *const *labels, const char *const *paths, size_t n) {
        if (!live || !live->priv)
                return;
        DomainDevices *dev = &live->priv->devices;
        char label[QEMU_ID_MAX + 4], id[QEMU_ID_MAX];
        for (size_t i = 0; i < dev->n_serials; i++) {
                DomainChr *chr = &dev->serials[i];
                long long port = chr->target_port.set ? chr->target_port.v : (long long) i;
                snprintf(label, sizeof label, "charserial%lld", port);
                chr_set_alias(chr, label);
                const char *p = chr_is_pty(chr) ? pty_of(label, labels, paths, n) : NULL;
                if (p)
                        chr_set_pty(chr, p, false);
        }
        for (size_t i = 0; i < dev->n_consoles; i++) {
                DomainChr *chr = &dev->consoles[i];
                if (!chr->target_type || strcmp(chr->target_type, "serial") == 0)
                        snprintf(label, sizeof label, "charserial%lld",
                                 chr->target_port.set ? chr->target_port.v : 0LL);
                else
                        snprintf(label, sizeof label, "charconsole%zu", i);
                chr_set_alias(chr, label);
                const char *p = chr_is_pty(chr) ? pty_of(label, labels, paths, n) : NULL;
                if (p)
                        chr_set_pty(chr, p, true);
        }
        for (size_t i = 0; i < dev->n_channels; i++) {       /* virDomainOpenChannel's ptys */
                DomainChr *chr = &dev->channels[i];
                qemu_device_id(chr->alias, QEMU_ID_CHANNEL, i, id, sizeof id);
                snprintf(label, sizeof label, "char%s", id);
                chr_set_alias(chr, label);
                const char *p = chr_is_pty(chr) ? pty_of(label, labels, paths, n) : NULL;
                if (p)
                        chr_set_pty(chr, p, true);
        }
}

bool qemu_live_has_pty(const DomainDef *def) {
        if (!def || !def->priv)
                return false;
        const DomainDevices *dev = &def->priv->devices;
        for (size_t i = 0; i < dev->n_serials; i++)
                if (chr_is_pty(&dev->serials[i]))
                        return true;
        for (size_t i = 0; i < dev->n_consoles; i++)
                if (chr_is_pty(&dev->consoles[i]))
                        return true;
        for (size_t i = 0; i < dev->n_channels; i++)
                if (chr_is_pty(&dev->channels[i]))
                        return true;
        return false;
}

bool qemu_live_has_balloon(const DomainDef *def) {
        return !def || !def->priv || !def->priv->devices.memballoon.model ||
               strcmp(def->priv->devices.memballoon.model, "none") != 0;
}
