/* qemu-cgroup.c: a guest's QEMU in its own cgroup (lib/cgroup.c) under machine.slice with the definition's <cputune> and <memtune>, removed when QEMU is gone. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <errno.h>

#include "cgroup.h"
#include "domain-model.h"
#include "domain.h"
#include "domain-events.h"
#include "log.h"

/* qemu.conf cgroup_controllers: unset = the connection's default (system: cgroups; session:
 * none, as libvirt's session daemon); [] = none. */
void qemu_cgroup_init(QemuConn *qc, bool system) {
        char **list = qc->cfg.cgroup_controllers;
        qc->cgroups = list ? list[0] != NULL : system;
        /* a list: only its controllers are used (libvirt's semantics) */
        unsigned mask = list ? 0 : CGROUP_CTRL_ALL;
        for (char **c = list; c && *c; c++) {
                int b = cgroup_controller_bit(*c);
                if (b > 0)
                        mask |= (unsigned) b;
        }
        cgroup_use_controllers(mask);
        if (qc->cgroups)
                log_info("guests get a cgroup each under machine.slice (cgroup v%d)", cgroup_is_v2(NULL) ? 2 : 1);
}

int qemu_cgroup_group(const char *name, char *buf, size_t len) {
        int n = snprintf(buf, len, "machine.slice/virtbus-qemu-%s.scope", name);
        if (n < 0 || (size_t) n >= len)
                return -1;
        for (char *p = buf + strlen("machine.slice/"); *p; p++)
                if (*p == '/')
                        *p = '_';
        return 0;
}

/* <numatune><memory mode='strict|restrictive' nodeset='…'/>: the guest's cpuset.mems (its vcpuN
 * and emulator children, created later, take it from there). Other modes need a memory policy
 * inside QEMU, which virtbus does not set: refused. */
int qemu_cgroup_apply_numatune(const char *group, const DomainNumatune *nt, VbError *err) {
        if (!nt->nodeset)
                return 0;
        if (nt->mode && strcmp(nt->mode, "strict") != 0 && strcmp(nt->mode, "restrictive") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "numatune mode '%s' is not supported (only strict and restrictive)", nt->mode);
        if (!cgroup_has_cpuset(NULL))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cgroup cpuset controller is not mounted");
        CgroupWrite w = { .controller = "cpuset", .file = "cpuset.mems" };
        snprintf(w.value, sizeof w.value, "%s", nt->nodeset);
        return cgroup_apply(NULL, group, &w, 1, err);
}

/* <blkiotune>: each device path resolved to its major:minor, then lib/cgroup.c's plan. */
int qemu_cgroup_apply_blkiotune(const char *group, const DomainBlkiotune *bt, VbError *err) {
        if (!bt->weight && !bt->n_devices)
                return 0;
        CgroupBlkioDev *devs = calloc(bt->n_devices ? bt->n_devices : 1, sizeof *devs);
        if (!devs)
                return vb_error_errno(err, -ENOMEM, "blkiotune");
        for (size_t i = 0; i < bt->n_devices; i++) {
                const DomainBlkioDevice *d = &bt->devices[i];
                struct stat st;
                if (stat(d->path, &st) < 0 || !S_ISBLK(st.st_mode)) {
                        free(devs);
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "Path '%s' must be a block device",
                                            d->path);
                }
                devs[i] = (CgroupBlkioDev) { major(st.st_rdev), minor(st.st_rdev), d->weight, d->read_bytes_sec,
                                             d->write_bytes_sec, d->read_iops_sec, d->write_iops_sec };
        }
        CgroupBlkio b = { bt->weight, devs, bt->n_devices };
        CgroupWrite w[64];
        bool v2 = cgroup_is_v2(NULL);
        int n = cgroup_blkio_plan(&b, v2, cgroup_blkio_weight_file(NULL, group), w, 64, err);
        free(devs);
        if (n < 0 || cgroup_apply(NULL, group, w, (size_t) n, err) < 0)
                return -1;
        return 0;
}

int qemu_cgroup_start(QemuConn *qc, const char *name, const DomainDef *def, pid_t pid, VbError *err) {
        if (!qc->cgroups)
                return 0;
        char group[512];
        if (qemu_cgroup_group(name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        const DomainCputune *ct = def->priv ? &def->priv->cputune : NULL;
        CgroupCpuTune t = { 0 };
        if (ct) {       /* period and quota are per vCPU: their groups get them (qemu-pin.c) */
                t.has_shares = ct->shares.set;
                t.shares = ct->shares.set ? (unsigned long long) ct->shares.v : 0;
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
        if (cgroup_create_for(NULL, group, pid, w, n, err) < 0 ||
            (def->priv && qemu_cgroup_apply_numatune(group, &def->priv->numatune, err) < 0) ||
            (def->priv && qemu_cgroup_apply_blkiotune(group, &def->priv->blkiotune, err) < 0))
                return -1;
        log_info("domain %s: QEMU %d in cgroup %s", name, (int) pid, group);
        return 0;
}

void qemu_cgroup_stop(QemuConn *qc, const char *name) {
        char group[512];
        if (!qc || !qc->cgroups || qemu_cgroup_group(name, group, sizeof group) < 0)
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
        if (qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
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
        if (!qc || !qc->cgroups || qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return -1;
        return cgroup_cpu_time(NULL, group, ns) < 0 ? -1 : 0;
}

/* cpu.time, cpu.user and cpu.system of the guest's cgroup; -1 without one. */
int qemu_cgroup_cpu_stat(Domain *d, uint64_t *total, uint64_t *user, uint64_t *system) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups || qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return -1;
        return cgroup_cpu_stat(NULL, group, total, user, system) < 0 ? -1 : 0;
}

/* virDomainSetSchedulerParameters on a running guest: shares into its cgroup, period and quota
 * into each vCPU's (as at start; the guest's own group when its vCPUs have none). */
int qemu_cgroup_set_cputune(Domain *d, const DomainCputune *ct, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cgroup CPU controller is not mounted");
        if (qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        CgroupCpuTune t = {
                .has_shares = ct->shares.set,
                .shares = ct->shares.set ? (unsigned long long) ct->shares.v : 0,
                .period_us = ct->period.set ? (unsigned long long) ct->period.v : 0,
                .quota_us = ct->quota.set ? ct->quota.v : 0,
        };
        QemuDomain *qd = d->driver_data;
        size_t nv = qd ? qd->n_vcpu_tids : 0;
        bool v2 = cgroup_is_v2(NULL);
        CgroupCpuTune whole = t, per = { .period_us = t.period_us, .quota_us = t.quota_us };
        if (nv)
                whole.period_us = 0, whole.quota_us = 0;
        CgroupWrite w[CGROUP_MAX_WRITES];
        size_t n = cgroup_cpu_plan(&whole, v2, w);
        if (cgroup_apply(NULL, group, w, n, err) < 0)
                return -1;
        n = cgroup_cpu_plan(&per, v2, w);
        for (size_t i = 0; i < nv; i++) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s/vcpu%zu", group, i);
                if (cgroup_apply(NULL, sub, w, n, err) < 0)
                        return -1;
        }
        log_info("domain %s: cputune shares %llu period %llu quota %lld", d->obj.name, t.shares, t.period_us, t.quota_us);
        DomainStatParam p[3];
        size_t k = 0;
        if (ct->shares.set)
                p[k++] = (DomainStatParam) { .key = "cputune.cpu_shares", .type = DOMAIN_STAT_ULLONG, .ull = t.shares };
        if (ct->period.set)
                p[k++] = (DomainStatParam) { .key = "cputune.vcpu_period", .type = DOMAIN_STAT_ULLONG, .ull = t.period_us };
        if (ct->quota.set)
                p[k++] = (DomainStatParam) { .key = "cputune.vcpu_quota", .type = DOMAIN_STAT_LLONG, .ull = (uint64_t) t.quota_us };
        domain_notify_tunable(d, p, k);
        return 0;
}

/* virDomainSetBlkioParameters on a running guest. */
int qemu_cgroup_set_blkiotune(Domain *d, const DomainBlkiotune *t, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        char group[512];
        if (!qc || !qc->cgroups)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "blkio cgroup isn't mounted");
        if (qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        if (qemu_cgroup_apply_blkiotune(group, t, err) < 0)
                return -1;
        log_info("domain %s: blkiotune weight %u, %zu device(s)", d->obj.name, t->weight, t->n_devices);
        return 0;
}

/* virDomainSetNumaParameters on a running guest: cpuset.mems of its group and of the vcpuN and
 * emulator children. v1 keeps every child inside its parent: a smaller set goes to the children
 * first, a larger one to the parent first; one order of the two works. */
int qemu_cgroup_set_numatune(Domain *d, const DomainNumatune *t, VbError *err) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        QemuDomain *qd = d->driver_data;
        char group[512];
        if (!qc || !qc->cgroups || !cgroup_has_cpuset(NULL))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cgroup cpuset controller is not mounted");
        if (qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "domain name too long for a cgroup");
        size_t nv = qd ? qd->n_vcpu_tids : 0;
        CgroupWrite w = { .controller = "cpuset", .file = "cpuset.mems" };
        snprintf(w.value, sizeof w.value, "%s", t->nodeset);
        for (int order = 0; order < 2; order++) {
                VbError e = { 0 };
                bool ok = order == 0 || qemu_cgroup_apply_numatune(group, t, &e) == 0;
                for (size_t i = 0; ok && i <= nv; i++) {
                        char sub[600];
                        if (i < nv)
                                snprintf(sub, sizeof sub, "%s/vcpu%zu", group, i);
                        else
                                snprintf(sub, sizeof sub, "%s/emulator", group);
                        ok = cgroup_apply(NULL, sub, &w, 1, &e) == 0;
                }
                if (ok && order == 0)
                        ok = qemu_cgroup_apply_numatune(group, t, &e) == 0;
                if (ok) {
                        log_info("domain %s: memory nodes %s", d->obj.name, t->nodeset);
                        return 0;
                }
                if (order == 1) {
                        *err = e;
                        return -1;
                }
        }
        return -1;
}
