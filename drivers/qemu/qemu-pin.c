/* qemu-pin.c: a guest's vCPU and emulator threads: found with QMP query-cpus-fast, put in their own cgroups (vcpuN, emulator) with <cputune>'s per-vCPU period/quota and vcpupin/emulatorpin (cpuset.cpus and sched_setaffinity), pinned live, and reported (virDomainGetVcpus, Get{Vcpu,Emulator}PinInfo). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cpumap.h"
#include "domain-info.h"
#include "domain-model.h"
#include "domain-events.h"
#include "log.h"

static void set_tids(QemuDomain *qd, json_object *ret) {
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        free(qd->vcpu_tids);
        qd->vcpu_tids = n ? calloc(n, sizeof *qd->vcpu_tids) : NULL;
        qd->n_vcpu_tids = 0;
        for (size_t i = 0; qd->vcpu_tids && i < n; i++) {
                json_object *e = json_object_array_get_idx(ret, i), *idx, *tid;
                if (!json_object_object_get_ex(e, "cpu-index", &idx) || !json_object_object_get_ex(e, "thread-id", &tid))
                        continue;
                int64_t k = json_object_get_int64(idx);
                if (k < 0 || (size_t) k >= n)
                        continue;
                qd->vcpu_tids[k] = (pid_t) json_object_get_int64(tid);
                if ((size_t) k + 1 > qd->n_vcpu_tids)
                        qd->n_vcpu_tids = (size_t) k + 1;
        }
}

/* The vCPU's pin: its <vcpupin>, else <vcpu cpuset>, else NULL (every CPU). */
static const char *vcpu_pin_of(const DomainDef *def, unsigned vcpu) {
        const DomainCputune *t = &def->priv->cputune;
        for (size_t i = 0; i < t->n_vcpupins; i++)
                if (t->vcpupins[i].vcpu.set && t->vcpupins[i].vcpu.v == (long long) vcpu)
                        return t->vcpupins[i].cpuset;
        return def->priv->vcpu_cpuset;
}

static const char *emulator_pin_of(const DomainDef *def) {
        return def->priv->cputune.emulatorpin ? def->priv->cputune.emulatorpin : def->priv->vcpu_cpuset;
}

static int set_affinity(pid_t tid, const uint8_t *map, size_t maplen, VbError *err) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (size_t i = 0; i < maplen * 8 && i < CPU_SETSIZE; i++)
                if (map[i / 8] & (1u << (i % 8)))
                        CPU_SET(i, &set);
        if (sched_setaffinity(tid, sizeof set, &set) < 0 && errno != ESRCH)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU,
                                        "cannot set CPU affinity on process %d: %s", (int) tid, strerror(errno));
        return 0;
}

static int affinity_from_list(pid_t tid, const char *cpuset, VbError *err) {
        uint8_t map[CPU_SETSIZE / 8];
        int r = cpumap_parse(cpuset, map, sizeof map);
        if (r < 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "cannot parse CPU list '%s'", cpuset);
        return set_affinity(tid, map, sizeof map, err);
}

static bool is_vcpu(const QemuDomain *qd, pid_t tid) {
        for (size_t i = 0; i < qd->n_vcpu_tids; i++)
                if (qd->vcpu_tids[i] == tid)
                        return true;
        return false;
}

/* QEMU's threads that are neither vCPUs nor IOThreads (main loop, RCU, workers): up to max. */
static size_t emulator_threads(const QemuDomain *qd, pid_t *out, size_t max) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", (int) process_pid(qd->proc));
        DIR *dh = opendir(path);
        size_t n = 0;
        struct dirent *e;
        while (dh && (e = readdir(dh)) && n < max) {
                pid_t tid = (pid_t) atoi(e->d_name);
                if (tid > 0 && !is_vcpu(qd, tid) && !qemu_is_iothread(qd, tid))
                        out[n++] = tid;
        }
        if (dh)
                closedir(dh);
        return n;
}

#define EMULATOR_THREADS_MAX 256

/* At start, QEMU still paused: each vCPU thread into GROUP/vcpuN with the per-vCPU period and
 * quota and its pin, the other threads into GROUP/emulator with the emulator pin; without
 * cgroups the pins alone (sched_setaffinity). */
static int place_threads(QemuDomain *qd, VbError *err) {
        const DomainDef *def = qd->live;
        const DomainCputune *ct = &def->priv->cputune;
        char group[512];
        bool cg = qd->qc->cgroups && qemu_cgroup_group(qd->domain->obj.name, group, sizeof group) == 0;
        bool v2 = cgroup_is_v2(NULL), cpuset = cg && cgroup_has_cpuset(NULL);
        for (size_t i = 0; i < qd->n_vcpu_tids; i++) {
                const char *pin = vcpu_pin_of(def, (unsigned) i);
                if (cg) {
                        char child[32], sub[600];
                        snprintf(child, sizeof child, "vcpu%zu", i);
                        snprintf(sub, sizeof sub, "%s/%s", group, child);
                        CgroupCpuTune t = { .period_us = ct->period.set ? (unsigned long long) ct->period.v : 0,
                                            .quota_us = ct->quota.set ? ct->quota.v : 0 };
                        CgroupWrite w[CGROUP_MAX_WRITES + 1];
                        size_t n = cgroup_cpu_plan(&t, v2, w);
                        if (pin && cpuset) {
                                w[n].controller = "cpuset";
                                snprintf(w[n].file, sizeof w[n].file, "cpuset.cpus");
                                snprintf(w[n].value, sizeof w[n].value, "%s", pin);
                                n++;
                        }
                        if (cgroup_thread_group(NULL, group, child, &qd->vcpu_tids[i], 1, err) < 0 ||
                            cgroup_apply(NULL, sub, w, n, err) < 0)
                                return -1;
                }
                if (pin && affinity_from_list(qd->vcpu_tids[i], pin, err) < 0)
                        return -1;
        }
        pid_t tids[EMULATOR_THREADS_MAX];
        size_t n = emulator_threads(qd, tids, EMULATOR_THREADS_MAX);
        const char *pin = emulator_pin_of(def);
        if (cg) {
                char sub[600];
                snprintf(sub, sizeof sub, "%s/emulator", group);
                CgroupWrite w = { .controller = "cpuset", .file = "cpuset.cpus" };
                if (pin)
                        snprintf(w.value, sizeof w.value, "%s", pin);
                if (cgroup_thread_group(NULL, group, "emulator", tids, n, err) < 0 ||
                    (pin && cpuset && cgroup_apply(NULL, sub, &w, 1, err) < 0))
                        return -1;
        }
        for (size_t i = 0; pin && i < n; i++)
                if (affinity_from_list(tids[i], pin, err) < 0)
                        return -1;
        for (size_t i = 0; i < qd->n_iothreads; i++)
                if (qemu_iothread_place(qd, qd->iothreads[i].id, NULL, err) < 0)
                        return -1;
        log_info("domain %s: %zu vCPU thread(s), %zu emulator thread(s) and %zu IOThread(s) placed%s", qd->domain->obj.name,
                 qd->n_vcpu_tids, n, qd->n_iothreads, cg ? " in their cgroups" : "");
        return 0;
}

static void on_cpus_start(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING)
                return;
        VbError e = { 0 };
        if (cls || !ret)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "query-cpus-fast failed: %s",
                             desc ? desc : cls ? cls : "no answer");
        else
                set_tids(qd, ret);
        if (!e.code)
                place_threads(qd, &e);
        if (e.code)
                return qemu_domain_start_fail(qd, &e);
        qemu_start_next(qd, q);
}

static void on_cpus_recover(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        if (cls || !ret)
                log_warning("domain %s: vCPU threads unknown: %s", qd->domain->obj.name, desc ? desc : cls ? cls : "?");
        else
                set_tids(qd, ret);
}

/* The IOThreads first: their reply comes before the vCPUs', whose handler places every thread. */
int qemu_threads_query(QemuDomain *qd, Qmp *q, QemuStartNext placed) {
        int r = qemu_iothreads_query(qd, q);
        if (r < 0)
                return r;
        if (placed)
                qd->start_next = placed;
        return qmp_send(q, "query-cpus-fast", NULL, placed ? on_cpus_start : on_cpus_recover, qd);
}

static int cgroup_pin(QemuDomain *qd, const char *child, const char *cpuset, VbError *err);

int qemu_iothread_place(QemuDomain *qd, unsigned id, const char *cpuset, VbError *err) {
        pid_t tid = qemu_iothread_tid(qd, id);
        if (tid <= 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot find new IOThread '%u' in QEMU monitor.", id);
        const DomainDef *def = qd->live ? qd->live : qd->domain->live;
        const char *pin = cpuset ? cpuset : def ? domain_iothread_pin_of(def, id) : NULL;
        if (!pin && def)
                pin = def->priv->vcpu_cpuset;
        char group[512], child[32];
        snprintf(child, sizeof child, "iothread%u", id);
        if (qd->qc->cgroups && qemu_cgroup_group(qd->domain->obj.name, group, sizeof group) == 0) {
                if (cgroup_thread_group(NULL, group, child, &tid, 1, err) < 0)
                        return -1;
                if (pin && cgroup_pin(qd, child, pin, err) < 0)
                        return -1;
        }
        return pin ? affinity_from_list(tid, pin, err) : 0;
}

/* ---- live pinning ---- */

static QemuDomain *running(Domain *d, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->proc) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
                return NULL;
        }
        return qd;
}

static int cgroup_pin(QemuDomain *qd, const char *child, const char *cpuset, VbError *err) {
        char group[512], sub[600];
        if (!qd->qc->cgroups || !cgroup_has_cpuset(NULL) ||
            qemu_cgroup_group(qd->domain->obj.name, group, sizeof group) < 0)
                return 0;
        snprintf(sub, sizeof sub, "%s/%s", group, child);
        CgroupWrite w = { .controller = "cpuset", .file = "cpuset.cpus" };
        snprintf(w.value, sizeof w.value, "%s", cpuset);
        return cgroup_apply(NULL, sub, &w, 1, err);
}

int qemu_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err) {
        QemuDomain *qd = running(d, err);
        if (!qd)
                return -1;
        if (vcpu >= qd->n_vcpu_tids || qd->vcpu_tids[vcpu] <= 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "failed to get vcpu %u thread", vcpu);
        char child[32];
        snprintf(child, sizeof child, "vcpu%u", vcpu);
        if (cgroup_pin(qd, child, cpuset, err) < 0 || set_affinity(qd->vcpu_tids[vcpu], map, maplen, err) < 0)
                return -1;
        char key[48];
        snprintf(key, sizeof key, "cputune.vcpupin%u", vcpu);
        domain_notify_tunable_string(d, key, cpuset);
        return 0;
}

int qemu_pin_emulator(Domain *d, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err) {
        QemuDomain *qd = running(d, err);
        if (!qd)
                return -1;
        if (cgroup_pin(qd, "emulator", cpuset, err) < 0)
                return -1;
        pid_t tids[EMULATOR_THREADS_MAX];
        size_t n = emulator_threads(qd, tids, EMULATOR_THREADS_MAX);
        for (size_t i = 0; i < n; i++)
                if (set_affinity(tids[i], map, maplen, err) < 0)
                        return -1;
        domain_notify_tunable_string(d, "cputune.emulatorpin", cpuset);
        return 0;
}

int qemu_pin_iothread(Domain *d, unsigned id, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err) {
        QemuDomain *qd = running(d, err);
        if (!qd)
                return -1;
        pid_t tid = qemu_iothread_tid(qd, id);
        if (tid <= 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "iothread %u not found", id);
        char child[32];
        snprintf(child, sizeof child, "iothread%u", id);
        if (cgroup_pin(qd, child, cpuset, err) < 0 || set_affinity(tid, map, maplen, err) < 0)
                return -1;
        char key[48];
        snprintf(key, sizeof key, "cputune.iothreadpin%u", id);
        domain_notify_tunable_string(d, key, cpuset);
        return 0;
}

/* ---- reports ---- */

static int host_cpu_count(void) {
        long n = sysconf(_SC_NPROCESSORS_CONF);
        return n > 0 && n <= DOMAIN_CPUMAP_MAX ? (int) n : 1;
}

/* map (maplen bytes) from a CPU list, or every host CPU without one. */
static void fill_map(uint8_t *map, int maplen, const char *cpuset) {
        memset(map, 0, (size_t) maplen);
        if (cpuset) {
                uint8_t full[DOMAIN_CPUMAP_MAX / 8];
                if (cpumap_parse(cpuset, full, sizeof full) == 0) {
                        memcpy(map, full, (size_t) maplen < sizeof full ? (size_t) maplen : sizeof full);
                        return;
                }
        }
        for (int i = 0; i < host_cpu_count() && i < maplen * 8; i++)
                map[i / 8] |= (uint8_t) (1u << (i % 8));
}

static const DomainDef *pick_def(Domain *d, unsigned flags, const char *fn, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG, fn, err) < 0)
                return NULL;
        if ((flags & DOMAIN_AFFECT_LIVE) && (flags & DOMAIN_AFFECT_CONFIG)) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                             "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
                return NULL;
        }
        bool live = (flags & DOMAIN_AFFECT_LIVE) || (!(flags & DOMAIN_AFFECT_CONFIG) && domain_is_active(d));
        if (live && !domain_is_active(d)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
                return NULL;
        }
        return live ? d->live : d->def;
}

int qemu_vcpu_pin_info(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err) {
        const DomainDef *def = pick_def(d, flags, "qemuDomainGetVcpuPinInfo", err);
        if (!def)
                return -1;
        int n = (int) def->vcpus < ncpumaps ? (int) def->vcpus : ncpumaps;
        for (int i = 0; i < n && maplen > 0; i++)
                fill_map(maps + (size_t) i * (size_t) maplen, maplen, vcpu_pin_of(def, (unsigned) i));
        return n;
}

int qemu_emulator_pin_info(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err) {
        const DomainDef *def = pick_def(d, flags, "qemuDomainGetEmulatorPinInfo", err);
        if (!def)
                return -1;
        if (maplen > 0)
                fill_map(map, maplen, emulator_pin_of(def));
        return 1;
}

/* /proc/PID/task/TID: CPU time (schedstat's first field, ns) and the CPU it last ran on
 * (stat's 39th field). */
static void thread_facts(pid_t pid, pid_t tid, uint64_t *ns, int *cpu) {
        char path[96], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/task/%d/schedstat", (int) pid, (int) tid);
        FILE *f = fopen(path, "re");
        unsigned long long v;
        if (f) {
                if (fscanf(f, "%llu", &v) == 1)
                        *ns = v;
                fclose(f);
        }
        snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int) pid, (int) tid);
        f = fopen(path, "re");
        if (!f)
                return;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *p = strrchr(buf, ')');
        for (int field = 2; p && field < 39; field++)
                p = strchr(p + 1, ' ');
        if (p)
                *cpu = atoi(p + 1);
}

int qemu_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err) {
        QemuDomain *qd = running(d, err);
        if (!qd)
                return -1;
        int n = (int) qd->n_vcpu_tids < maxinfo ? (int) qd->n_vcpu_tids : maxinfo;
        for (int i = 0; i < n; i++) {
                pid_t tid = qd->vcpu_tids[i];
                info[i] = (DomainVcpuInfo) { .number = (unsigned) i, .state = 1, .cpu = -1 };
                thread_facts(process_pid(qd->proc), tid, &info[i].cpu_time_ns, &info[i].cpu);
                if (!maps || maplen <= 0)
                        continue;
                uint8_t *m = maps + (size_t) i * (size_t) maplen;
                cpu_set_t set;
                memset(m, 0, (size_t) maplen);
                if (sched_getaffinity(tid, sizeof set, &set) < 0)
                        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU,
                                                "cannot get CPU affinity of process %d: %s", (int) tid, strerror(errno));
                for (int c = 0; c < maplen * 8 && c < CPU_SETSIZE; c++)
                        if (CPU_ISSET(c, &set))
                                m[c / 8] |= (uint8_t) (1u << (c % 8));
        }
        return n;
}

