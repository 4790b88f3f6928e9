/* qemu-alias.c: the ids QEMU knows a guest's devices by, as libvirt names them: the command line gives them (-device …,id=), the running definition shows them as <alias name='…'/>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-alias.h"
#include "qemu-disk-addr.h"

bool qemu_machine_is_q35(const DomainDef *def) {
        const char *m = def && def->priv ? def->priv->os.machine : NULL;
        return m && (strcmp(m, "q35") == 0 || strncmp(m, "pc-q35-", 7) == 0);
}

bool qemu_alias_usable(const char *alias, size_t len) {
        static const char id_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
        size_t n = strspn(alias, id_chars);
        return n > 0 && alias[n] == '\0' && n < len;
}

bool qemu_alias_is_user(const char *alias) {
        return alias && strncmp(alias, "ua-", 3) == 0;
}

void qemu_controller_id(const char *type, const char *model, long long index, bool q35, char *buf, size_t len) {
        type = type ? type : "";
        if (strcmp(type, "pci") == 0) {
                /* the root bus is the machine's: pci.0 on i440fx, pcie.0 on q35 */
                if (index == 0)
                        snprintf(buf, len, "%s", model && strcmp(model, "pcie-root") == 0 ? "pcie.0" : "pci.0");
                else
                        snprintf(buf, len, "pci.%lld", index);
        } else if (index == 0 && (strcmp(type, "usb") == 0 || strcmp(type, "ide") == 0)) {
                snprintf(buf, len, "%s", type);     /* UHCI companions share "usb" with their EHCI */
        } else if (index == 0 && q35 && strcmp(type, "sata") == 0) {
                snprintf(buf, len, "ide");           /* q35's own AHCI */
        } else {
                snprintf(buf, len, "%s%lld", type, index);
        }
}

void qemu_usb_dev_id(const char *alias, const char *prefix, size_t i, char *buf, size_t len) {
        if (alias && qemu_alias_usable(alias, len))
                snprintf(buf, len, "%s", alias);
        else
                snprintf(buf, len, "%s%zu", prefix, i);
}

void qemu_device_id(const char *alias, QemuIdKind kind, size_t i, char *buf, size_t len) {
        static const char *const prefix[] = {
                [QEMU_ID_VIDEO] = "video", [QEMU_ID_SOUND] = "sound", [QEMU_ID_REDIRDEV] = "redir",
                [QEMU_ID_WATCHDOG] = "watchdog", [QEMU_ID_RNG] = "rng", [QEMU_ID_BALLOON] = "balloon",
                [QEMU_ID_CHANNEL] = "channel",
        };
        /* The balloon's is fixed: the stats and the target size are read from its QOM path. */
        qemu_usb_dev_id(kind == QEMU_ID_BALLOON ? NULL : alias, prefix[kind], i, buf, len);
}

/* *alias becomes id (nothing changes when it is id already). */
static int set_alias(char **alias, const char *id) {
        if (*alias && strcmp(*alias, id) == 0)
                return 0;
        char *s = strdup(id);
        if (!s)
                return -ENOMEM;
        free(*alias);
        *alias = s;
        return 0;
}

static int set_indexed(char **alias, QemuIdKind kind, size_t i) {
        char id[64];
        qemu_device_id(*alias, kind, i, id, sizeof id);
        return set_alias(alias, id);
}

/* *alias, when the definition has none QEMU can take, becomes prefix<i>. */
static int set_unnamed(char **alias, const char *prefix, size_t i) {
        char id[64];
        snprintf(id, sizeof id, "%s%zu", prefix, i);
        return *alias && qemu_alias_usable(*alias, sizeof id) ? 0 : set_alias(alias, id);
}

int qemu_aliases_assign(DomainDef *live, bool start) {
        if (!live || !live->priv)
                return 0;
        DomainDevices *d = &live->priv->devices;
        bool q35 = qemu_machine_is_q35(live);
        char id[64];
        int r = 0;
        /* disks and controllers: the fixed ids the command line and the monitor calls use (always
         * computed from their place, never read back from here); a user's ua- alias stays the
         * name the live XML shows, as libvirt's, so detach-device-alias finds it */
        for (size_t i = 0; i < d->n_disks && r == 0; i++)
                if (!qemu_alias_is_user(d->disks[i].alias) && qemu_disk_alias(live, i, id, sizeof id, NULL) == 0)
                        r = set_alias(&d->disks[i].alias, id);
        for (size_t i = 0; i < d->n_controllers && r == 0; i++) {
                DomainController *ctl = &d->controllers[i];
                qemu_controller_id(ctl->type, ctl->model, ctl->index.set ? ctl->index.v : 0, q35, id, sizeof id);
                if (!qemu_alias_is_user(ctl->alias))
                        r = set_alias(&ctl->alias, id);
        }
        for (size_t i = 0; i < d->n_videos && r == 0; i++)
                if (!d->videos[i].model_type || strcmp(d->videos[i].model_type, "none") != 0)
                        r = set_indexed(&d->videos[i].alias, QEMU_ID_VIDEO, i);
        for (size_t i = 0; i < d->n_sounds && r == 0; i++)
                r = set_indexed(&d->sounds[i].alias, QEMU_ID_SOUND, i);
        for (size_t i = 0; i < d->n_redirdevs && r == 0; i++)
                r = set_indexed(&d->redirdevs[i].alias, QEMU_ID_REDIRDEV, i);
        for (size_t i = 0; i < d->n_watchdogs && r == 0; i++)
                r = set_indexed(&d->watchdogs[i].alias, QEMU_ID_WATCHDOG, i);
        for (size_t i = 0; i < d->n_rngs && r == 0; i++)
                r = set_indexed(&d->rngs[i].alias, QEMU_ID_RNG, i);
        if (r == 0 && d->memballoon.model && strcmp(d->memballoon.model, "none") != 0)
                r = set_indexed(&d->memballoon.alias, QEMU_ID_BALLOON, 0);
        if (!start)
                return r;
        /* Devices a hotplug adds and removes: named by their place only as the command line
         * numbers them (a hotplugged one has its own id already). */
        for (size_t i = 0; i < d->n_interfaces && r == 0; i++)
                r = set_unnamed(&d->interfaces[i].alias, "net", i);
        for (size_t i = 0; i < d->n_inputs && r == 0; i++)
                r = set_unnamed(&d->inputs[i].alias, "input", i);      /* PS/2 ones too, as libvirt */
        for (size_t i = 0; i < d->n_hubs && r == 0; i++)
                r = set_unnamed(&d->hubs[i].alias, "hub", i);
        for (size_t i = 0; i < d->n_memories && r == 0; i++)
                r = set_unnamed(&d->memories[i].alias, "dimm", i);
        return r;
}
