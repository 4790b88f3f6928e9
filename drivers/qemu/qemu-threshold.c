/* qemu-threshold.c: a disk's write threshold through QMP block-set-write-threshold on its format node (drive-<alias>), and QEMU's BLOCK_WRITE_THRESHOLD event (QEMU has then cleared it) turned into the core's BLOCK_THRESHOLD notice. */
#define LOG_MODULE "qemu"
#include <stdio.h>
#include <string.h>

#include "domain-model.h"
#include "domain-threshold.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

int qemu_set_block_threshold(Domain *d, size_t index, uint64_t threshold, Call *call, VbError *err) {
        QemuDomain *qd = qemu_tune_monitor(d, err);
        char alias[64], node[80];
        if (!qd || qemu_disk_alias(d->live, index, alias, sizeof alias, err) < 0)
                return -1;
        snprintf(node, sizeof node, "drive-%s", alias);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "node-name", json_object_new_string(node));
        json_object_object_add(args, "write-threshold", json_object_new_int64((int64_t) threshold));
        int r = qmp_send(qd->qmp, "block-set-write-threshold", args, qemu_tune_change_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "block-set-write-threshold");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* {node-name, amount-exceeded, write-threshold}: the disk whose format node it is. */
void qemu_threshold_event(QemuDomain *qd, json_object *data) {
        Domain *d = qd->domain;
        json_object *v;
        const char *node = data && json_object_object_get_ex(data, "node-name", &v) ? json_object_get_string(v) : NULL;
        if (!node || !d->live || strncmp(node, "drive-", 6) != 0)
                return;
        uint64_t excess = json_object_object_get_ex(data, "amount-exceeded", &v) ? (uint64_t) json_object_get_int64(v) : 0;
        uint64_t threshold = json_object_object_get_ex(data, "write-threshold", &v) ? (uint64_t) json_object_get_int64(v) : 0;
        for (size_t i = 0; i < d->live->priv->devices.n_disks; i++) {
                char alias[64];
                if (qemu_disk_alias(d->live, i, alias, sizeof alias, NULL) == 0 && strcmp(node + 6, alias) == 0) {
                        domain_notify_block_threshold(d, i, threshold, excess);
                        return;
                }
        }
        log_debug("domain %s: write threshold event of unknown node %s", d->obj.name, node);
}
