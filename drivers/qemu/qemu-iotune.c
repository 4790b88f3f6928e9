/* qemu-iotune.c: a disk's <iotune> as QMP block_set_io_throttle's arguments on the disk's device (its QOM path: the alias, or a virtio disk's virtio-backend under it), sent before the guest runs (as libvirt does with -blockdev; a refusal fails the start) and by virDomainSetBlockIoTune (qemu-tune.c). */
#define LOG_MODULE "qemu"
#include <stdio.h>
#include <string.h>

#include "domain-model.h"
#include "qemu-command.h"
#include "qemu-priv.h"

/* QMP's names, in the order of DomainDiskIotune.v */
static const char *const qmp_names[DISK_IOTUNE_N] = {
        "bps", "bps_rd", "bps_wr", "iops", "iops_rd", "iops_wr",
        "bps_max", "bps_rd_max", "bps_wr_max", "iops_max", "iops_rd_max", "iops_wr_max",
        "iops_size",
        "bps_max_length", "bps_rd_max_length", "bps_wr_max_length",
        "iops_max_length", "iops_rd_max_length", "iops_wr_max_length",
};

json_object *qemu_iotune_args(const DomainDisk *disk, const char *alias, const DomainDiskIotune *t) {
        json_object *args = json_object_new_object();
        char id[128];
        /* a virtio-blk-pci device is a proxy: the block device is its virtio-backend child */
        if (disk->target_bus && strcmp(disk->target_bus, "virtio") == 0)
                snprintf(id, sizeof id, "/machine/peripheral/%s/virtio-backend", alias);
        else
                snprintf(id, sizeof id, "%s", alias);
        json_object_object_add(args, "id", json_object_new_string(id));
        for (unsigned i = 0; i < DISK_IOTUNE_N; i++)
                /* the six averages are required; a burst length of 0 is refused by QEMU */
                if (i < DISK_IOTUNE_MAX_BASE || t->v[i])
                        json_object_object_add(args, qmp_names[i], json_object_new_int64((int64_t) t->v[i]));
        if (t->group_name)
                json_object_object_add(args, "group", json_object_new_string(t->group_name));
        return args;
}

/* QEMU refusing a disk's limits fails the start, as libvirt's does. */
static void on_start_throttle(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING || !cls)
                return;
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot set the disk I/O limits: %s", desc ? desc : cls);
        qemu_domain_start_fail(qd, &e);
}

void qemu_iotune_start(QemuDomain *qd, Qmp *q) {
        const DomainDevices *dev = &qd->live->priv->devices;
        for (size_t i = 0; i < dev->n_disks; i++) {
                char alias[64];
                VbError e = { 0 };
                if (!domain_disk_iotune_is_set(&dev->disks[i].iotune))
                        continue;
                if (qemu_disk_alias(qd->live, i, alias, sizeof alias, &e) < 0) {
                        qemu_domain_start_fail(qd, &e);
                        return;
                }
                qmp_send(q, "block_set_io_throttle", qemu_iotune_args(&dev->disks[i], alias, &dev->disks[i].iotune), on_start_throttle,
                         qd);
        }
}
