/* qemu-cgroup.c: a guest's QEMU in its own cgroup (lib/cgroup.c) under machine.slice with the definition's <cputune> and <memtune>, removed when QEMU is gone. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "domain-model.h"
#include "domain.h"
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

/* virDomainSetMemoryParameters on a running guest: the new <memtune> into its cgroup. An
 * unset limit goes back to "no limit"; the swap limit is written in the order the kernel
 * accepts (v1's memsw must never be below the memory limit). */
int qemu_cgroup_set_memtune(Domain *d, const DomainMemtune *mt, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "cgroup memory controller is not mounted");
        if (group_name(d->obj.name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        bool v2 = cgroup_is_v2(NULL);
        CgroupMemTune m = { mt->hard_limit_kib, mt->soft_limit_kib, mt->swap_hard_limit_kib };
        CgroupWrite w[CGROUP_MAX_WRITES];
        size_t n = cgroup_memory_plan(&m, v2, w);
        CgroupWrite all[3 + CGROUP_MAX_WRITES];
        size_t k = 0;
        const char *files_v1[] = { "memory.memsw.limit_in_bytes", "memory.limit_in_bytes", "memory.soft_limit_in_bytes" };
        const char *files_v2[] = { "memory.swap.max", "memory.max", "memory.high" };
        const unsigned long long vals[] = { m.swap_hard_kib, m.hard_kib, m.soft_kib };
        /* First lift every limit that goes away or may be in the way (swap, then memory; "no
         * limit" is -1 on v1, "max" on v2), then write the new ones (memory, then swap). */
        for (size_t i = 0; i < 3; i++) {
                if (!v2 && i == 0 && access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) != 0)
                        continue;
                if (v2 && vals[i])
                        continue;       /* v2 limits are independent: written below */
                all[k].controller = "memory";
                snprintf(all[k].file, sizeof all[k].file, "%s", v2 ? files_v2[i] : files_v1[i]);
                snprintf(all[k].value, sizeof all[k].value, "%s", v2 ? "max" : "-1");
                k++;
        }
        for (size_t i = 0; i < n; i++)
                all[k++] = w[i];
        if (cgroup_apply(NULL, group, all, k, err) < 0)
                return -1;
        log_info("domain %s: memtune hard %llu soft %llu swap %llu KiB", d->obj.name, m.hard_kib, m.soft_kib,
                 m.swap_hard_kib);
        return 0;
}

/* CPU time of everything in the guest's cgroup (QEMU and its threads), as libvirt's
 * virDomainGetInfo reads it; -1 without a cgroup (the caller falls back to /proc). */
int qemu_cgroup_cpu_time(Domain *d, uint64_t *ns) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups || group_name(d->obj.name, group, sizeof group) < 0)
                return -1;
        return cgroup_cpu_time(NULL, group, ns) < 0 ? -1 : 0;
}

/* cpu.time, cpu.user and cpu.system of the guest's cgroup; -1 without one. */
int qemu_cgroup_cpu_stat(Domain *d, uint64_t *total, uint64_t *user, uint64_t *system) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups || group_name(d->obj.name, group, sizeof group) < 0)
                return -1;
        return cgroup_cpu_stat(NULL, group, total, user, system) < 0 ? -1 : 0;
}

/* virDomainSetSchedulerParameters on a running guest: shares, period and quota into its cgroup
 * (the whole guest's, as at start: vCPU threads have no groups of their own yet). */
int qemu_cgroup_set_cputune(Domain *d, const DomainCputune *ct, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cgroup CPU controller is not mounted");
        if (group_name(d->obj.name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        CgroupCpuTune t = {
                .has_shares = ct->shares.set,
                .shares = ct->shares.set ? (unsigned long long) ct->shares.v : 0,
                .period_us = ct->period.set ? (unsigned long long) ct->period.v : 0,
                .quota_us = ct->quota.set ? ct->quota.v : 0,
        };
        CgroupWrite w[CGROUP_MAX_WRITES];
        size_t n = cgroup_cpu_plan(&t, cgroup_is_v2(NULL), w);
        if (cgroup_apply(NULL, group, w, n, err) < 0)
                return -1;
        log_info("domain %s: cputune shares %llu period %llu quota %lld", d->obj.name, t.shares, t.period_us, t.quota_us);
        return 0;
}
