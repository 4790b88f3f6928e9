/* test-info.c: the Test connection's per-request domain information, as libvirt's test driver makes it up (fixed values, or values derived from the wall clock). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpumap.h"
#include "domain-info.h"
#include "domain-model.h"
#include "domain.h"
#include "test-ops.h"

#define TEST_GUEST_TIME 627319920       /* the guest clock libvirt's test driver reports */

static int64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int test_memory_stats(Domain *d, unsigned flags, DomainMemStat *out, unsigned max, VbError *err) {
        if (vb_check_flags(flags, 0, "testDomainMemoryStats", err) < 0)
                return -1;
        const DomainDef *def = domain_current_def(d);
        /* only a guest with a balloon reports anything */
        if (!def || !def->priv || !def->priv->devices.memballoon.model ||
            strcmp(def->priv->devices.memballoon.model, "none") == 0)
                return 0;
        uint64_t cur = def->current_memory_kib;
        const DomainMemStat all[] = {
                { DOMAIN_MEMSTAT_ACTUAL_BALLOON, cur }, { DOMAIN_MEMSTAT_SWAP_IN, 0 }, { DOMAIN_MEMSTAT_SWAP_OUT, 0 },
                { DOMAIN_MEMSTAT_MAJOR_FAULT, 0 }, { DOMAIN_MEMSTAT_MINOR_FAULT, 0 }, { DOMAIN_MEMSTAT_UNUSED, cur / 2 },
                { DOMAIN_MEMSTAT_AVAILABLE, cur }, { DOMAIN_MEMSTAT_USABLE, cur / 2 },
                { DOMAIN_MEMSTAT_LAST_UPDATE, TEST_GUEST_TIME }, { DOMAIN_MEMSTAT_DISK_CACHES, cur / 8 },
                { DOMAIN_MEMSTAT_HUGETLB_PGALLOC, 0 }, { DOMAIN_MEMSTAT_HUGETLB_PGFAIL, 0 },
                { DOMAIN_MEMSTAT_RSS, cur / 2 },
        };
        unsigned n = 0;
        for (; n < max && n < sizeof all / sizeof all[0]; n++)
                out[n] = all[n];
        return (int) n;
}

static int test_block_info(Domain *d, const DomainDisk *disk, unsigned flags, DomainBlockInfo *out, VbError *err) {
        if (vb_check_flags(flags, 0, "testDomainGetBlockInfo", err) < 0)
                return -1;
        *out = (DomainBlockInfo) { .capacity = 1099506450432ULL, .allocation = 1099511627776ULL,
                                   .physical = 1099511627776ULL };
        return 0;
}

static int test_interface_stats(Domain *d, const DomainInterface *net, DomainIfStats *out, VbError *err) {
        int64_t us = now_us(), s = us / 1000000;
        *out = (DomainIfStats) { .rx_bytes = us / 10, .rx_packets = us / 100, .rx_errs = s, .rx_drop = s / 2,
                                 .tx_bytes = us / 20, .tx_packets = us / 110, .tx_errs = s / 3, .tx_drop = s / 4 };
        return 0;
}

static char *test_hostname(Domain *d, unsigned flags, VbError *err) {
        char *s = NULL;
        if (vb_check_flags(flags, 0, "testDomainGetHostname", err) < 0)
                return NULL;
        if (asprintf(&s, "%shost", d->obj.name) < 0) {
                vb_error_errno(err, -ENOMEM, "hostname");
                return NULL;
        }
        return s;
}

static int test_get_time(Domain *d, unsigned flags, int64_t *seconds, unsigned *nseconds, VbError *err) {
        if (vb_check_flags(flags, 0, "testDomainGetTime", err) < 0)
                return -1;
        *seconds = TEST_GUEST_TIME;
        *nseconds = 0;
        return 0;
}

#define TEST_HOST_CPUS 16       /* libvirt's test node: 2 cells x 2 sockets x 2 cores x 2 threads */

/* Every vCPU may run on every host CPU the map has room for. */
static void all_cpus(uint8_t *map, int maplen) {
        memset(map, 0, (size_t) maplen);
        for (int i = 0; i < TEST_HOST_CPUS && i < maplen * 8; i++)
                map[i / 8] |= (uint8_t) (1u << (i % 8));
}

/* vCPU i's map: its <vcpupin> (a live pin, virDomainPinVcpu), else every CPU. */
static void vcpu_map(const DomainDef *def, int i, uint8_t *map, int maplen) {
        const DomainCputune *t = def && def->priv ? &def->priv->cputune : NULL;
        for (size_t k = 0; t && k < t->n_vcpupins; k++)
                if (t->vcpupins[k].vcpu.set && t->vcpupins[k].vcpu.v == i && t->vcpupins[k].cpuset &&
                    cpumap_parse(t->vcpupins[k].cpuset, map, (size_t) maplen) == 0)
                        return;
        all_cpus(map, maplen);
}

static int test_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err) {
        const DomainDef *def = domain_current_def(d);
        int n = def ? (int) def->current_vcpus : 0;
        if (n > maxinfo)
                n = maxinfo;
        uint64_t t = (uint64_t) (now_us() / 10);        /* libvirt's test driver: the wall clock */
        for (int i = 0; i < n; i++) {
                info[i] = (DomainVcpuInfo) { .number = (unsigned) i, .state = 1, .cpu_time_ns = t,
                                             .cpu = TEST_HOST_CPUS - 1 };
                if (maps && maplen > 0)
                        vcpu_map(def, i, maps + (size_t) i * (size_t) maplen, maplen);
        }
        return n;
}

static int test_vcpu_pin_info(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err) {
        if (vb_check_flags(flags, 0x3, "testDomainGetVcpuPinInfo", err) < 0)
                return -1;
        const DomainDef *def = domain_current_def(d);
        int n = def ? (int) def->vcpus : 0;
        if (n > ncpumaps)
                n = ncpumaps;
        for (int i = 0; i < n && maplen > 0; i++)
                vcpu_map(def, i, maps + (size_t) i * (size_t) maplen, maplen);
        return n;
}

static int test_emulator_pin_info(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err) {
        if (vb_check_flags(flags, 0x3, "testDomainGetEmulatorPinInfo", err) < 0)
                return -1;
        if (maplen > 0)
                all_cpus(map, maplen);
        return 1;
}

static int test_iothreads(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err) {
        if (vb_check_flags(flags, 0x3, "testDomainGetIOThreadInfo", err) < 0)
                return -1;
        return 0;               /* the test domain has none */
}

const DomainInfoOps test_info_ops = {
        .vcpus = test_vcpus,
        .vcpu_pin_info = test_vcpu_pin_info,
        .emulator_pin_info = test_emulator_pin_info,
        .iothreads = test_iothreads,
        .memory_stats = test_memory_stats,
        .block_info = test_block_info,
        .interface_stats = test_interface_stats,
        .hostname = test_hostname,
        .get_time = test_get_time,
        .interface_addresses = test_interface_addresses,
};
