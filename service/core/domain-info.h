/* domain-info.h: what a domain reports on request beyond its state and stats: memory stats, block info, interface stats, hostname, guest time, scheduler parameters; the driver's DomainInfoOps answers, the core checks state, devices and flags. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "error.h"

typedef struct Domain Domain;
typedef struct DomainDisk DomainDisk;
typedef struct DomainInterface DomainInterface;

typedef struct DomainMemStat {
        int tag;
        uint64_t val;
} DomainMemStat;

typedef struct DomainBlockInfo {
        uint64_t capacity, allocation, physical;
} DomainBlockInfo;

typedef struct DomainIfStats {
        int64_t rx_bytes, rx_packets, rx_errs, rx_drop, tx_bytes, tx_packets, tx_errs, tx_drop;
} DomainIfStats;


/* virDomainJobInfo: type (virDomainJobType: 0 none) and ten counters (time elapsed and
 * remaining in ms; data, memory and file totals/processed/remaining in bytes). */
typedef struct DomainJobInfo {
        int type;
        uint64_t v[11];
} DomainJobInfo;

typedef struct DomainVcpuInfo {
        unsigned number;
        int state;                      /* virVcpuState: 1 running */
        uint64_t cpu_time_ns;
        int cpu;                        /* the host CPU it runs on */
} DomainVcpuInfo;

#define DOMAIN_CPUMAP_MAX 2048          /* REMOTE_CPUMAP_MAX */

/* A driver's answers (driver.h: Driver.info). Each NULL op: libvirt's "not supported". The
 * core has found the domain, checked that it runs where libvirt needs it to, and found the
 * device; ops check their own flags in the driver's words. */
struct DomainIfaceAddrs;

typedef struct DomainInfoOps {
        int (*memory_stats)(Domain *d, unsigned flags, DomainMemStat *out, unsigned max, VbError *err);
        int (*block_info)(Domain *d, const DomainDisk *disk, unsigned flags, DomainBlockInfo *out, VbError *err);
        int (*interface_stats)(Domain *d, const DomainInterface *net, DomainIfStats *out, VbError *err);
        char *(*hostname)(Domain *d, unsigned flags, VbError *err);
        int (*get_time)(Domain *d, unsigned flags, int64_t *seconds, unsigned *nseconds, VbError *err);
        /* Running vCPUs: up to maxinfo entries, and maplen bytes of CPU map per entry into maps
         * (may be NULL); the count. */
        int (*vcpus)(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err);
        /* Pinning of up to ncpumaps vCPUs (maplen bytes each; flags LIVE/CONFIG); the count. */
        int (*vcpu_pin_info)(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err);
        /* The emulator threads' pinning into map; 1 when there is one, 0 when none. */
        int (*emulator_pin_info)(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err);
        /* IOThread ids (up to max), each pinned like the emulator; the count. */
        int (*iothreads)(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err);
        /* The running domain's background job (migration, save, dump), or type 0. */
        int (*job_info)(Domain *d, DomainJobInfo *out, VbError *err);
        /* virDomainInterfaceAddresses of a running domain from the driver itself, whatever the
         * source (libvirt's test driver makes them up); NULL: leases, ARP or the guest agent. */
        int (*interface_addresses)(Domain *d, unsigned source, struct DomainIfaceAddrs **out, size_t *n_out,
                                   VbError *err);
} DomainInfoOps;

typedef struct Call Call;

/* A virDomainMemoryStats answer that came later (the result of domain_memory_stats_call). */
typedef struct DomainMemStats {
        int n;
        DomainMemStat s[DOMAIN_MEMSTAT_NR];
} DomainMemStats;

/* virDomainMemoryStats for either door: the driver's memory_stats op when it has one (0, out
 * filled), else the balloon group of its stats (QEMU: QMP): 0 with out filled, or VERB_PENDING
 * and call completes with a DomainMemStats (borrowed) as its result; -1 with err. */
int domain_memory_stats_call(Domain *d, unsigned max, unsigned flags, Call *call, DomainMemStats *out, VbError *err);

/* virDomainMemoryStats: up to max stats (at most DOMAIN_MEMSTAT_NR); the count, or -1. */
int domain_memory_stats(Domain *d, unsigned max, unsigned flags, DomainMemStat *out, VbError *err);
/* virDomainGetBlockInfo: disk is a target ("vda") or a source path. */
int domain_block_info(Domain *d, const char *disk, unsigned flags, DomainBlockInfo *out, VbError *err);
/* virDomainInterfaceStats: device is a target ("vnet0") or a MAC address. */
int domain_interface_stats(Domain *d, const char *device, DomainIfStats *out, VbError *err);
/* virDomainGetHostname: newly allocated, or NULL with err set. */
char *domain_hostname(Domain *d, unsigned flags, VbError *err);
int domain_get_time(Domain *d, unsigned flags, int64_t *seconds, unsigned *nseconds, VbError *err);
/* virDomainGetVcpus (running domains): the count, or -1. */
int domain_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err);
int domain_vcpu_pin_info(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err);
int domain_emulator_pin_info(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err);
int domain_iothreads(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err);
/* virDomainGetJobInfo (running domains). */
int domain_job_info(Domain *d, DomainJobInfo *out, VbError *err);
