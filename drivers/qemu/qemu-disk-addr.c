/* qemu-disk-addr.c: where a disk sits and the id QEMU knows it by, derived from its target name as libvirt derives them (vda → virtio-disk0, sdb → scsi0-0-0-1, hdc → ide0-1-0). */
#include "qemu-disk-addr.h"

#include <stdio.h>
#include <string.h>

/* libvirt's virDiskNameToIndex: the letters after the prefix, bijective base 26 ("vda" 0,
 * "vdz" 25, "vdaa" 26). */
static int disk_name_index(const char *dev, const char **prefix) {
        static const char *const prefixes[] = { "xvd", "ubd", "fd", "hd", "vd", "sd", NULL };
        const char *p = NULL;
        for (size_t i = 0; prefixes[i] && !p; i++)
                if (strncmp(dev, prefixes[i], strlen(prefixes[i])) == 0)
                        p = prefixes[i];
        if (!p)
                return -1;
        const char *s = dev + strlen(p);
        long idx = 0;
        if (!*s || strlen(s) > 4)
                return -1;
        for (; *s; s++) {
                if (*s < 'a' || *s > 'z')
                        return -1;
                idx = idx * 26 + (*s - 'a' + 1);
        }
        *prefix = p;
        return (int) (idx - 1);
}

static const char *disk_default_bus(const char *prefix) {
        if (strcmp(prefix, "hd") == 0)
                return "ide";
        if (strcmp(prefix, "sd") == 0)
                return "scsi";
        if (strcmp(prefix, "vd") == 0)
                return "virtio";
        if (strcmp(prefix, "fd") == 0)
                return "fdc";
        return strcmp(prefix, "xvd") == 0 ? "xen" : "uml";
}

int qemu_disk_place(const DomainDisk *d, QemuDiskPlace *p, VbError *err) {
        const char *prefix = NULL;
        int idx = d->target_dev ? disk_name_index(d->target_dev, &prefix) : -1;
        if (idx < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "Unknown disk name '%s' and no address specified",
                                    d->target_dev ? d->target_dev : "");
        *p = (QemuDiskPlace) { .bus = d->target_bus ? d->target_bus : disk_default_bus(prefix) };
        if (strcmp(p->bus, "virtio") == 0) {
                snprintf(p->alias, sizeof p->alias, "virtio-disk%d", idx);
        } else if (strcmp(p->bus, "ide") == 0) {
                p->ctrl = (unsigned) idx / 4;
                p->busno = ((unsigned) idx % 4) / 2;
                p->unit = (unsigned) idx % 2;
                snprintf(p->alias, sizeof p->alias, "ide%u-%u-%u", p->ctrl, p->busno, p->unit);
        } else if (strcmp(p->bus, "sata") == 0) {
                p->ctrl = (unsigned) idx / 6;
                p->unit = (unsigned) idx % 6;
                snprintf(p->alias, sizeof p->alias, "sata%u-0-%u", p->ctrl, p->unit);
        } else if (strcmp(p->bus, "scsi") == 0) {
                p->ctrl = (unsigned) idx / 7;
                p->unit = (unsigned) idx % 7;
                snprintf(p->alias, sizeof p->alias, "scsi%u-0-0-%u", p->ctrl, p->unit);
        } else {
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk bus '%s' of disk '%s' is not supported", p->bus, d->target_dev);
        }
        if (p->ctrl >= QEMU_MAX_CONTROLLERS)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk '%s' is beyond the controllers supported", d->target_dev);
        return 0;
}

int qemu_disk_alias(const DomainDef *def, size_t i, char *buf, size_t len, VbError *err) {
        if (!def || !def->priv || i >= def->priv->devices.n_disks)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "no disk %zu", i);
        QemuDiskPlace p;
        if (qemu_disk_place(&def->priv->devices.disks[i], &p, err) < 0)
                return -1;
        snprintf(buf, len, "%s", p.alias);
        return 0;
}
