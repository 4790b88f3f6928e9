/* qemu-cgroup.c: a guest's QEMU in its own cgroup (lib/cgroup.c) under machine.slice with the definition's <cputune> and <memtune>, removed when QEMU is gone. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "domain-model.h"
#include "log.h"

/* qemu.conf cgroup_controllers: unset = the connection's default (system: cgroups; session:
 * none, as libvirt's session daemon); [] = none. */
void qemu_cgroup_init(QemuConn *qc, bool system) {
        char **list = qc->cfg.cgroup_controllers;
        qc->cgroups = list ? list[0] != NULL : system;
        if (qc->cgroups)
                log_info("guests get a cgroup each under machine.slice (cgroup v%d)", cgroup_is_v2(NULL) ? 2 : 1);
}

static int group_name(const char *name, char *buf, size_t len) {
        int n = snprintf(buf, len, "machine.slice/virtbus-qemu-%s.scope", name);
        if (n < 0 || (size_t) n >= len)
                return -1;
        for (char *p = buf + strlen("machine.slice/"); *p; p++)
                if (*p == '/')
                        *p = '_';
        return 0;
}

int qemu_cgroup_start(QemuConn *qc, const char *name, const DomainDef *def, pid_t pid, VbError *err) {
        if (!qc->cgroups)
                return 0;
        char group[512];
        if (group_name(name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        const DomainCputune *ct = def->priv ? &def->priv->cputune : NULL;
        CgroupCpuTune t = { 0 };
        if (ct) {
                t.has_shares = ct->shares.set;
                t.shares = ct->shares.set ? (unsigned long long) ct->shares.v : 0;
                t.period_us = ct->period.set ? (unsigned long long) ct->period.v : 0;
                t.quota_us = ct->quota.set ? ct->quota.v : 0;
        }
        const DomainMemtune *mt = def->priv ? &def->priv->memtune : NULL;
        CgroupMemTune m = { 0 };
        if (mt) {
                m = (CgroupMemTune) { mt->hard_limit_kib, mt->soft_limit_kib, mt->swap_hard_limit_kib };
                if (m.hard_kib && m.swap_hard_kib && m.hard_kib > m.swap_hard_kib)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "memory hard_limit tunable value must be lower than or equal to swap_hard_limit");
        }
        CgroupWrite w[2 * CGROUP_MAX_WRITES];
        bool v2 = cgroup_is_v2(NULL);
        size_t n = cgroup_cpu_plan(&t, v2, w);
        n += cgroup_memory_plan(&m, v2, w + n);
        if (cgroup_create_for(NULL, group, pid, w, n, err) < 0)
                return -1;
        log_info("domain %s: QEMU %d in cgroup %s", name, (int) pid, group);
        return 0;
}

void qemu_cgroup_stop(QemuConn *qc, const char *name) {
        char group[512];
        if (!qc || !qc->cgroups || group_name(name, group, sizeof group) < 0)
                return;
        cgroup_remove(NULL, group);
}
