/* qemu-startup-policy.c: a disk's <source startupPolicy> at start: a missing source fails the start
 * (mandatory, and requisite on a cold boot) or is dropped from the running definition (optional,
 * and requisite when the state comes from elsewhere: a restore, an incoming migration): a CD-ROM
 * or floppy runs empty, another disk runs without that disk. Each drop is libvirt's DISK_CHANGE
 * event, before the guest's start. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "domain-device.h"
#include "domain-events.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

static bool is_str(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

static bool removable(const DomainDisk *k) {
        return is_str(k->device, "cdrom") || is_str(k->device, "floppy");
}

/* libvirt's checks of the policy itself. */
static int check(const DomainDisk *k, VbError *err) {
        if (is_str(k->type, "network"))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "Setting disk %s is not allowed for disk of network type",
                                    k->source_startup_policy);
        if (is_str(k->source_startup_policy, "requisite") && !removable(k))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "Setting disk 'requisite' is allowed only for cdrom or floppy");
        return 0;
}

int qemu_disks_startup_policy(Domain *d, DomainDef *live, bool incoming, VbError *err) {
        DomainDevices *dev = &live->priv->devices;
        for (size_t i = dev->n_disks; i-- > 0;) {
                DomainDisk *k = &dev->disks[i];
                if (!k->source_startup_policy)
                        continue;
                if (check(k, err) < 0)
                        return -1;
                const char *src = k->source_file ? k->source_file : k->source_dev;
                if (!src || access(src, F_OK) == 0 || errno != ENOENT)
                        continue;       /* there (or not ours to judge: QEMU says why it cannot open it) */
                bool drop = is_str(k->source_startup_policy, "optional") ||
                            (is_str(k->source_startup_policy, "requisite") && incoming);
                if (!drop)
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU,
                                            "Cannot access storage file '%s': %s", src, strerror(ENOENT));
                char alias[64] = "", *old = strdup(src);
                if (!old)
                        return vb_error_errno(err, -ENOMEM, "disk source");
                qemu_disk_alias(live, i, alias, sizeof alias, NULL);
                if (removable(k)) {
                        free(k->source_file);
                        free(k->source_dev);
                        k->source_file = k->source_dev = NULL;
                        domain_notify_disk_change(d, old, NULL, alias, DOMAIN_DISK_CHANGE_MISSING_ON_START);
                } else {
                        domain_devices_remove_disk(dev, i);
                        domain_notify_disk_change(d, old, NULL, alias, DOMAIN_DISK_DROP_MISSING_ON_START);
                }
                free(old);
        }
        return 0;
}
