/* qemu-fdgroup.c: at a start, the disks with <source fdgroup='NAME'> get the descriptors a client associated with the domain (virDomainFDAssociate). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-fdgroup.h"
#include "domain-model.h"
#include "domain.h"

int qemu_disk_fdsets_prepare(Domain *d, const DomainDef *live, QemuDiskFdsets *out, VbError *err) {
        *out = (QemuDiskFdsets) { 0 };
        const DomainDevices *dv = live->priv ? &live->priv->devices : NULL;
        size_t n_disks = dv ? dv->n_disks : 0, total = 0, with_group = 0;
        for (size_t i = 0; i < n_disks; i++)
                with_group += dv->disks[i].source_fdgroup != NULL;
        if (with_group == 0)
                return 0;       /* nothing to pass */
        out->sets = calloc(n_disks, sizeof *out->sets);
        if (!out->sets)
                return vb_error_errno(err, -ENOMEM, "disk fd sets");
        out->n = n_disks;
        for (size_t i = 0; i < n_disks; i++) {
                const char *group = dv->disks[i].source_fdgroup;
                if (!group)
                        continue;
                size_t n = 0;
                const int *fds = domain_fd_group_find(d, group, &n, err);
                if (!fds || total + n > QEMU_DISK_FDS_MAX) {
                        if (fds)
                                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                             "more than %d descriptors for the disks' fd groups", QEMU_DISK_FDS_MAX);
                        qemu_disk_fdsets_free(out);
                        return -1;
                }
                out->sets[i] = (QemuDiskFdset) { .fds = fds, .n = n };
                total += n;
        }
        out->n_fds = total;
        return 0;
}

size_t qemu_disk_fdsets_keep(const QemuDiskFdsets *s, int *keep, size_t room) {
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++)
                for (size_t j = 0; j < s->sets[i].n && k < room; j++)
                        keep[k++] = s->sets[i].fds[j];
        return k;
}

void qemu_disk_fdsets_free(QemuDiskFdsets *s) {
        free(s->sets);
        *s = (QemuDiskFdsets) { 0 };
}
