/* domain-stats.c: virDomainListGetStats for one domain: what the definition says, then the driver's runtime values. */
#define LOG_MODULE "core"
#include "domain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-model.h"
#include "domain-perf.h"
#include "driver.h"

DomainStats *domain_stats_free(DomainStats *st) {
        if (!st)
                return NULL;
        for (size_t i = 0; i < st->n_blocks; i++) {
                free(st->blocks[i].name);
                free(st->blocks[i].path);
        }
        free(st->blocks);
        for (size_t i = 0; i < st->n_nets; i++)
                free(st->nets[i].name);
        free(st->nets);
        free(st->vcpus);
        free(st);
        return NULL;
}

/* A qcow2 image's virtual size is in its header (big-endian u64 at offset 24). */
static bool qcow2_virtual_size(int fd, uint64_t *out) {
        unsigned char h[32];
        if (pread(fd, h, sizeof h, 0) != (ssize_t) sizeof h || memcmp(h, "QFI\xfb", 4) != 0)
                return false;
        uint64_t v = 0;
        for (int i = 24; i < 32; i++)
                v = (v << 8) | h[i];
        *out = v;
        return true;
}

int domain_block_file_sizes(const char *path, uint64_t *capacity, uint64_t *allocation, uint64_t *physical) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat s;
        if (fstat(fd, &s) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        uint64_t size = (uint64_t) s.st_size;
        if (S_ISBLK(s.st_mode)) {
                off_t end = lseek(fd, 0, SEEK_END);
                size = end > 0 ? (uint64_t) end : 0;
                *allocation = size;
        } else {
                *allocation = (uint64_t) s.st_blocks * 512;
        }
        *physical = size;
        if (!qcow2_virtual_size(fd, capacity))
                *capacity = size;
        close(fd);
        return 0;
}

static void block_sizes(DomainBlockStat *b) {
        if (b->path && domain_block_file_sizes(b->path, &b->capacity, &b->allocation, &b->physical) == 0)
                b->has_sizes = true;
}

static int fill_blocks(DomainStats *st, const DomainDef *def) {
        const DomainDevices *dev = def->priv ? &def->priv->devices : NULL;
        if (!dev || dev->n_disks == 0)
                return 0;
        st->blocks = calloc(dev->n_disks, sizeof *st->blocks);
        if (!st->blocks)
                return -ENOMEM;
        for (size_t i = 0; i < dev->n_disks; i++) {
                const DomainDisk *disk = &dev->disks[i];
                DomainBlockStat *b = &st->blocks[st->n_blocks++];
                const char *src = disk->source_file ? disk->source_file : disk->source_dev;
                b->name = strdup(disk->target_dev ? disk->target_dev : "");
                b->path = src ? strdup(src) : NULL;
                if (!b->name || (src && !b->path))
                        return -ENOMEM;
                block_sizes(b);
        }
        return 0;
}

int domain_get_stats(Domain *d, unsigned stats, unsigned flags, Call *call, DomainStats **out, VbError *err) {
        const unsigned known = DOMAIN_STATS_STATE | DOMAIN_STATS_CPU_TOTAL | DOMAIN_STATS_BALLOON | DOMAIN_STATS_VCPU |
                               DOMAIN_STATS_INTERFACE | DOMAIN_STATS_BLOCK | DOMAIN_STATS_PERF |
                               DOMAIN_STATS_DIRTYRATE;
        /* ENFORCE_STATS (1 << 31) refuses groups virtbus does not know; others are left out. */
        if ((flags & (1u << 31)) && (stats & ~known))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "Stats types bits 0x%x are not supported by this daemon", stats & ~known);
        if (stats == 0)
                stats = known;
        const DomainDef *def = domain_current_def(d);
        if (!def)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "domain '%s' has no definition",
                                    d->obj.name);
        DomainStats *st = calloc(1, sizeof *st);
        if (!st)
                return vb_error_errno(err, -ENOMEM, "domain stats");
        unsigned reported = d->obj.conn->driver->domain_stats_groups;
        st->groups = stats & known & (reported ? reported : known);
        st->state = d->state;
        st->reason = d->reason;
        st->balloon_current_kib = def->current_memory_kib ? def->current_memory_kib : def->memory_kib;
        st->balloon_maximum_kib = def->memory_kib;
        st->vcpu_current = def->current_vcpus ? def->current_vcpus : def->vcpus;
        st->vcpu_maximum = def->vcpus;
        int r = 0;
        if (domain_is_active(d) && st->vcpu_maximum > 0) {
                st->vcpus = calloc(st->vcpu_maximum, sizeof *st->vcpus);
                if (!st->vcpus)
                        r = -ENOMEM;
                else {
                        st->n_vcpus = st->vcpu_maximum;
                        for (size_t i = 0; i < st->n_vcpus; i++)
                                st->vcpus[i].state = i < st->vcpu_current ? 1 : 0;
                }
        }
        if (r == 0 && (st->groups & DOMAIN_STATS_BLOCK))
                r = fill_blocks(st, def);
        if (r < 0) {
                domain_stats_free(st);
                return vb_error_errno(err, r, "domain stats");
        }
        if (st->groups & DOMAIN_STATS_PERF)
                domain_perf_stats_fill(d, st);
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (domain_is_active(d) && ops && ops->get_stats) {
                r = ops->get_stats(d, st, call, err);
                if (r == VERB_PENDING)
                        return VERB_PENDING;
                if (r < 0) {
                        domain_stats_free(st);
                        return -1;
                }
        }
        *out = st;
        return 0;
}

/* balloon.<name> of a virDomainMemoryStatTags value (libvirt's keys; "actual" is
 * balloon.current and has none). */
static const char *balloon_stat_name(int tag) {
        static const char *const names[DOMAIN_MEMSTAT_NR] = {
                [DOMAIN_MEMSTAT_SWAP_IN] = "balloon.swap_in",
                [DOMAIN_MEMSTAT_SWAP_OUT] = "balloon.swap_out",
                [DOMAIN_MEMSTAT_MAJOR_FAULT] = "balloon.major_fault",
                [DOMAIN_MEMSTAT_MINOR_FAULT] = "balloon.minor_fault",
                [DOMAIN_MEMSTAT_UNUSED] = "balloon.unused",
                [DOMAIN_MEMSTAT_AVAILABLE] = "balloon.available",
                [DOMAIN_MEMSTAT_RSS] = "balloon.rss",
                [DOMAIN_MEMSTAT_USABLE] = "balloon.usable",
                [DOMAIN_MEMSTAT_LAST_UPDATE] = "balloon.last-update",
                [DOMAIN_MEMSTAT_DISK_CACHES] = "balloon.disk_caches",
                [DOMAIN_MEMSTAT_HUGETLB_PGALLOC] = "balloon.hugetlb_pgalloc",
                [DOMAIN_MEMSTAT_HUGETLB_PGFAIL] = "balloon.hugetlb_pgfail",
        };
        return tag >= 0 && tag < DOMAIN_MEMSTAT_NR ? names[tag] : NULL;
}

typedef struct StatEmit {
        int (*fn)(const DomainStatParam *p, void *userdata);
        void *userdata;
        int r;
} StatEmit;

static void emit(StatEmit *e, DomainStatParam *p, const char *fmt, size_t n) {
        if (e->r < 0)
                return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(p->key, sizeof p->key, fmt, n);
#pragma GCC diagnostic pop
        e->r = e->fn(p, e->userdata);
}

static void emit_i(StatEmit *e, const char *fmt, size_t n, int32_t v) {
        DomainStatParam p = { .type = DOMAIN_STAT_INT, .i = v };
        emit(e, &p, fmt, n);
}
static void emit_u(StatEmit *e, const char *fmt, size_t n, uint32_t v) {
        DomainStatParam p = { .type = DOMAIN_STAT_UINT, .u = v };
        emit(e, &p, fmt, n);
}
static void emit_t(StatEmit *e, const char *fmt, size_t n, uint64_t v) {
        DomainStatParam p = { .type = DOMAIN_STAT_ULLONG, .ull = v };
        emit(e, &p, fmt, n);
}
static void emit_s(StatEmit *e, const char *fmt, size_t n, const char *v) {
        DomainStatParam p = { .type = DOMAIN_STAT_STRING, .s = v };
        emit(e, &p, fmt, n);
}

int domain_stats_foreach(const DomainStats *st, int (*fn)(const DomainStatParam *p, void *userdata), void *userdata) {
        StatEmit e = { fn, userdata, 0 };
        if (st->groups & DOMAIN_STATS_STATE) {
                emit_i(&e, "state.state", 0, st->state);
                emit_i(&e, "state.reason", 0, st->reason);
        }
        if ((st->groups & DOMAIN_STATS_CPU_TOTAL) && st->has_cpu) {
                emit_t(&e, "cpu.time", 0, st->cpu_time_ns);
                emit_t(&e, "cpu.user", 0, st->cpu_user_ns);
                emit_t(&e, "cpu.system", 0, st->cpu_system_ns);
                emit_u(&e, "cpu.cache.monitor.count", 0, 0);   /* no resctrl monitors are made */
                emit_t(&e, "cpu.haltpoll.success.time", 0, st->haltpoll_success_ns);
                emit_t(&e, "cpu.haltpoll.fail.time", 0, st->haltpoll_fail_ns);
        }
        if (st->groups & DOMAIN_STATS_BALLOON) {
                emit_t(&e, "balloon.current", 0, st->balloon_current_kib);
                emit_t(&e, "balloon.maximum", 0, st->balloon_maximum_kib);
                for (size_t i = 0; i < st->n_balloon && i < DOMAIN_BALLOON_STATS_MAX; i++) {
                        const char *name = balloon_stat_name(st->balloon[i].tag);
                        if (name)
                                emit_t(&e, name, 0, st->balloon[i].val);
                }
        }
        if (st->groups & DOMAIN_STATS_VCPU) {
                emit_u(&e, "vcpu.current", 0, st->vcpu_current);
                emit_u(&e, "vcpu.maximum", 0, st->vcpu_maximum);
                for (size_t i = 0; i < st->n_vcpus; i++) {
                        emit_i(&e, "vcpu.%zu.state", i, st->vcpus[i].state);
                        if (st->vcpus[i].has_time)
                                emit_t(&e, "vcpu.%zu.time", i, st->vcpus[i].time_ns);
                        if (st->vcpus[i].has_sched) {
                                emit_t(&e, "vcpu.%zu.wait", i, st->vcpus[i].wait_ns);
                                emit_t(&e, "vcpu.%zu.delay", i, st->vcpus[i].delay_ns);
                        }
                }
        }
        if ((st->groups & DOMAIN_STATS_INTERFACE) && st->has_net) {
                emit_u(&e, "net.count", 0, (uint32_t) st->n_nets);
                for (size_t i = 0; i < st->n_nets; i++) {
                        const DomainNetStat *n = &st->nets[i];
                        if (!n->name)
                                continue;       /* no host device (type user): libvirt names none */
                        emit_s(&e, "net.%zu.name", i, n->name);
                        if (!n->has_counters)
                                continue;
                        emit_t(&e, "net.%zu.rx.bytes", i, n->rx_bytes);
                        emit_t(&e, "net.%zu.rx.pkts", i, n->rx_pkts);
                        emit_t(&e, "net.%zu.rx.errs", i, n->rx_errs);
                        emit_t(&e, "net.%zu.rx.drop", i, n->rx_drop);
                        emit_t(&e, "net.%zu.tx.bytes", i, n->tx_bytes);
                        emit_t(&e, "net.%zu.tx.pkts", i, n->tx_pkts);
                        emit_t(&e, "net.%zu.tx.errs", i, n->tx_errs);
                        emit_t(&e, "net.%zu.tx.drop", i, n->tx_drop);
                }
        }
        if (st->groups & DOMAIN_STATS_BLOCK) {
                emit_u(&e, "block.count", 0, (uint32_t) st->n_blocks);
                for (size_t i = 0; i < st->n_blocks; i++) {
                        const DomainBlockStat *b = &st->blocks[i];
                        emit_s(&e, "block.%zu.name", i, b->name);
                        if (b->path)
                                emit_s(&e, "block.%zu.path", i, b->path);
                        if (b->backing_index)
                                emit_u(&e, "block.%zu.backingIndex", i, b->backing_index);
                        if (b->has_io) {
                                emit_t(&e, "block.%zu.rd.reqs", i, b->rd_reqs);
                                emit_t(&e, "block.%zu.rd.bytes", i, b->rd_bytes);
                                emit_t(&e, "block.%zu.rd.times", i, b->rd_times);
                                emit_t(&e, "block.%zu.wr.reqs", i, b->wr_reqs);
                                emit_t(&e, "block.%zu.wr.bytes", i, b->wr_bytes);
                                emit_t(&e, "block.%zu.wr.times", i, b->wr_times);
                                emit_t(&e, "block.%zu.fl.reqs", i, b->fl_reqs);
                                emit_t(&e, "block.%zu.fl.times", i, b->fl_times);
                        }
                        if (b->has_sizes) {
                                emit_t(&e, "block.%zu.allocation", i, b->allocation);
                                emit_t(&e, "block.%zu.capacity", i, b->capacity);
                                emit_t(&e, "block.%zu.physical", i, b->physical);
                        }
                }
        }
        for (unsigned i = 0; (st->groups & DOMAIN_STATS_PERF) && i < DOMAIN_PERF_NEVENTS && e.r >= 0; i++) {
                if (!(st->perf_open & (1u << i)))
                        continue;
                DomainStatParam p = { .type = DOMAIN_STAT_ULLONG, .ull = st->perf_count[i] };
                snprintf(p.key, sizeof p.key, "perf.%s", domain_perf_event_name(i));
                e.r = fn(&p, userdata);
        }
        if ((st->groups & DOMAIN_STATS_DIRTYRATE) && st->has_dirtyrate) {
                emit_i(&e, "dirtyrate.calc_status", 0, st->dirty_status);
                DomainStatParam p = { .type = DOMAIN_STAT_LLONG, .ull = (uint64_t) st->dirty_start };
                emit(&e, &p, "dirtyrate.calc_start_time", 0);
                emit_i(&e, "dirtyrate.calc_period", 0, st->dirty_period);
                emit_s(&e, "dirtyrate.calc_mode", 0, st->dirty_mode);
                if (st->dirty_status == 2) {
                        DomainStatParam m = { .type = DOMAIN_STAT_LLONG, .ull = (uint64_t) st->dirty_mbps };
                        emit(&e, &m, "dirtyrate.megabytes_per_second", 0);
                }
        }
        return e.r;
}
