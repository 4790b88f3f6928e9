/* qemu-stats-cpu.c: virDomainListGetStats' cpu group (VIR_DOMAIN_STATS_CPU_TOTAL: cpu.time, cpu.user, cpu.system) from a running guest's cgroup, as libvirt's QEMU driver reads it. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include "cgroup.h"

/* 0 with the three counters (ns), or -1 when the guest has no cgroup (qemu:///session without
 * cgroup_controllers, or not running): the group is then left out, as libvirt does. The caller
 * (the stats filler for DOMAIN_STATS_CPU, owned by domain-stats.c) adds "cpu.time",
 * "cpu.user" and "cpu.system" as ullong parameters. */
int qemu_stats_cpu(Domain *d, uint64_t *time_ns, uint64_t *user_ns, uint64_t *system_ns) {
        QemuConn *qc = qemu_conn_of(d->obj.conn);
        QemuDomain *qd = d->driver_data;
        char group[512];
        if (!qc || !qc->cgroups || !qd || !qd->proc || qemu_cgroup_group(d->obj.name, group, sizeof group) < 0)
                return -1;
        CgroupCpuStats st;
        if (cgroup_cpu_stats(NULL, group, &st) < 0)
                return -1;
        *time_ns = st.time_ns;
        *user_ns = st.user_ns;
        *system_ns = st.system_ns;
        return 0;
}
