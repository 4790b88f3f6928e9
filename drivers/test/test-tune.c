/* test-tune.c: the Test driver's block I/O counters, CPU statistics and disk errors: libvirt's test driver's made-up values (time-based counters, fixed CPU times, alternating disk errors). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-model.h"
#include "domain.h"
#include "test-ops.h"

/* libvirt's test driver shows two host CPUs to virDomainGetCPUStats, whatever its node info says */
#define TEST_CPU_STATS_CPUS 2

static int test_block_stats(Domain *d, const DomainDisk *disk, DomainBlockIo *out, VbError *err) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t us = (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        *out = (DomainBlockIo) { .rd_req = us / 10, .rd_bytes = us / 20, .wr_req = us / 30, .wr_bytes = us / 40,
                                 .errs = (int64_t) ts.tv_sec / 2 };
        return 0;
}

static int test_cpu_stats_percpu(Domain *d, uint64_t **cpu, uint64_t **vcpu, VbError *err) {
        *cpu = calloc(TEST_CPU_STATS_CPUS, sizeof **cpu);
        *vcpu = calloc(TEST_CPU_STATS_CPUS, sizeof **vcpu);
        if (!*cpu || !*vcpu) {
                free(*cpu);
                free(*vcpu);
                *cpu = *vcpu = NULL;
                return vb_error_errno(err, -ENOMEM, "cpu stats");
        }
        for (unsigned i = 0; i < TEST_CPU_STATS_CPUS; i++) {
                (*cpu)[i] = 24386308517ULL + i;
                (*vcpu)[i] = 23151740627ULL + i;
        }
        return TEST_CPU_STATS_CPUS;
}

static int test_cpu_stats_total(Domain *d, uint64_t out[DOMAIN_CPU_STATS_TOTAL], VbError *err) {
        out[0] = 48772617035ULL;
        out[1] = 5540000000ULL;
        out[2] = 6460000000ULL;
        return 0;
}

/* Every disk has one: unspecified, no space, unspecified, … */
static int test_disk_errors(Domain *d, unsigned max, Call *call, DomainDiskErrors *out, VbError *err) {
        const DomainDef *def = domain_current_def(d);
        size_t n = def && def->priv ? def->priv->devices.n_disks : 0;
        if (n > max)
                n = max;
        for (size_t i = 0; i < n; i++) {
                const char *dev = def->priv->devices.disks[i].target_dev;
                snprintf(out->e[i].disk, sizeof out->e[i].disk, "%s", dev ? dev : "");
                out->e[i].error = (int) (i % 2) + 1;
        }
        out->n = (int) n;
        return 0;
}

int test_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err) {
        return 0;
}

/* Block I/O limits, blkio weights and NUMA placement change nothing but the definition, which
 * the core keeps (libvirt's test driver's in-memory values). The limits pass libvirt's test
 * driver's rule first: a rate above its burst maximum (when one is set) is refused, in its words. */
static int test_set_block_io_tune(Domain *d, size_t index, const DomainDiskIotune *t, Call *call, VbError *err) {
        for (unsigned i = 0; i < 6; i++)        /* the six rates, then their six _max in the same order */
                if (t->v[i + 6] && t->v[i] > t->v[i + 6])
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_TEST, "%s cannot be set higher than %s ",
                                            domain_disk_iotune_name(i), domain_disk_iotune_name(i + 6));
        return 0;
}

int test_set_blkiotune(Domain *d, const DomainBlkiotune *t, VbError *err) {
        return 0;
}

int test_set_numatune(Domain *d, const DomainNumatune *t, VbError *err) {
        return 0;
}

/* A NIC's bandwidth: libvirt's test driver keeps it in the definition only (no host device). */
static int test_set_interface_bandwidth(Domain *d, size_t index, const DomainBandwidthRate *in,
                                        const DomainBandwidthRate *out, Call *call, VbError *err) {
        return 0;
}

const DomainTuneOps test_tune_ops = {
        .block_stats = test_block_stats,
        .cpu_stats_percpu = test_cpu_stats_percpu,
        .cpu_stats_total = test_cpu_stats_total,
        .disk_errors = test_disk_errors,
        .set_block_io_tune = test_set_block_io_tune,
        .set_interface_bandwidth = test_set_interface_bandwidth,
        .interface_bandwidth_one_def = true,
};
