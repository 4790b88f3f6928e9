/* qemu-info.c: per-request information about a running QEMU guest that the host knows without asking QEMU: interface counters (/proc/net/dev), disk sizes (the image files), vCPU threads (named "CPU N/…" with debug-threads=on) IOThreads (none are made) and jobs (none run in the background). */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-model.h"

/* virDomainInterfaceStats: the tap's counters, turned round as in domstats (net.N.*). */
static int qemu_interface_stats(Domain *d, const DomainInterface *net, DomainIfStats *out, VbError *err) {
        if (!net->target_dev || !net->target_dev[0])
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "interface of type '%s' has no host device to read statistics from",
                                    net->type ? net->type : "");
        char *text = qemu_read_all("/proc/net/dev", 16u << 20);
        uint64_t h[8];
        bool ok = text && qemu_net_dev_counters(text, net->target_dev, h);
        free(text);
        if (!ok)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "Interface not found: %s", net->target_dev);
        bool same_view = net->type && (strcmp(net->type, "ethernet") == 0 || strcmp(net->type, "direct") == 0);
        uint64_t v[8];
        for (size_t k = 0; k < 8; k++)
                v[k] = h[same_view ? k : (k + 4) % 8];
        *out = (DomainIfStats) { (int64_t) v[0], (int64_t) v[1], (int64_t) v[2], (int64_t) v[3],
                                 (int64_t) v[4], (int64_t) v[5], (int64_t) v[6], (int64_t) v[7] };
        return 0;
}

/* virDomainGetBlockInfo: from the image file (a qcow2 header's virtual size). */
static int qemu_block_info(Domain *d, const DomainDisk *disk, unsigned flags, DomainBlockInfo *out, VbError *err) {
        if (vb_check_flags(flags, 0, "qemuDomainGetBlockInfo", err) < 0)
                return -1;
        const char *path = disk->source_file ? disk->source_file : disk->source_dev;
        if (!path)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "disk '%s' does not currently have a source assigned",
                                    disk->target_dev ? disk->target_dev : "");
        int r = domain_block_file_sizes(path, &out->capacity, &out->allocation, &out->physical);
        if (r < 0)
                return vb_error_errno(err, r, path);
        return 0;
}

/* utime + stime (ns) and the CPU last run on, from /proc/PID/task/TID/stat. */
static bool thread_stat(pid_t pid, long tid, uint64_t *ns, int *cpu) {
        char path[96], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/task/%ld/stat", (int) pid, tid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        unsigned long long ut = 0, st = 0;
        int proc = 0;
        /* fields 14, 15 (utime, stime) and 39 (processor), counted from 3 after "pid (comm) " */
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %*u %*u %*d "
                                "%*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %d", &ut, &st, &proc) != 3)
                return false;
        long hz = sysconf(_SC_CLK_TCK);
        *ns = (ut + st) * (1000000000ULL / (unsigned long long) (hz > 0 ? hz : 100));
        *cpu = proc;
        return true;
}

/* virDomainGetVcpus: QEMU names its vCPU threads "CPU N/TCG" (or /KVM) with debug-threads=on. */
static int qemu_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err) {
        QemuDomain *qd = d->driver_data;
        pid_t pid = qd && qd->proc ? process_pid(qd->proc) : 0;
        if (pid <= 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cannot list vcpus for an inactive domain");
        const DomainDef *def = domain_current_def(d);
        int want = def ? (int) (def->current_vcpus ? def->current_vcpus : def->vcpus) : 0;
        if (want > maxinfo)
                want = maxinfo;
        char dirpath[64];
        snprintf(dirpath, sizeof dirpath, "/proc/%d/task", (int) pid);
        DIR *dir = opendir(dirpath);
        if (!dir)
                return vb_error_errno(err, -errno, dirpath);
        int found = 0;
        for (int i = 0; i < want; i++)
                info[i] = (DomainVcpuInfo) { .number = (unsigned) i, .state = 1, .cpu = -1 };
        struct dirent *de;
        while ((de = readdir(dir))) {
                char path[128], comm[64];
                long tid = strtol(de->d_name, NULL, 10);
                if (tid <= 0)
                        continue;
                snprintf(path, sizeof path, "%s/%ld/comm", dirpath, tid);
                FILE *f = fopen(path, "re");
                if (!f)
                        continue;
                bool got = fgets(comm, sizeof comm, f) != NULL;
                fclose(f);
                unsigned idx;
                if (!got || sscanf(comm, "CPU %u/", &idx) != 1 || (int) idx >= want)
                        continue;
                DomainVcpuInfo *v = &info[idx];
                thread_stat(pid, tid, &v->cpu_time_ns, &v->cpu);
                if (maps && maplen > 0) {
                        uint8_t *m = maps + (size_t) idx * (size_t) maplen;
                        memset(m, 0, (size_t) maplen);
                        cpu_set_t set;
                        CPU_ZERO(&set);
                        if (sched_getaffinity((pid_t) tid, sizeof set, &set) == 0)
                                for (int c = 0; c < maplen * 8 && c < CPU_SETSIZE; c++)
                                        if (CPU_ISSET(c, &set))
                                                m[c / 8] |= (uint8_t) (1u << (c % 8));
                }
                found++;
        }
        closedir(dir);
        if (found < want)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "found %d of the %d vCPU threads of domain '%s'", found, want, d->obj.name);
        return want;
}

/* virDomainGetIOThreadInfo: the QEMU driver starts no IOThreads (<iothreads> is not used). */
static int qemu_iothreads(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err) {
        if (vb_check_flags(flags, 0x3, "qemuDomainGetIOThreadInfo", err) < 0)
                return -1;
        return 0;
}

/* virDomainGetJobInfo: the QEMU driver runs no background jobs (migration, save, dump), and
 * libvirt reports none for the short ones either. */
static int qemu_job_info(Domain *d, DomainJobInfo *out, VbError *err) {
        out->type = 0;
        return 0;
}

const DomainInfoOps qemu_info_ops = {
        .job_info = qemu_job_info,
        .interface_stats = qemu_interface_stats,
        .block_info = qemu_block_info,
        .vcpus = qemu_vcpus,
        .iothreads = qemu_iothreads,
};
