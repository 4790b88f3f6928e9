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

#include "domain-info.h"
#include "domain-model.h"
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

/* capacity (what the guest sees), allocation (bytes in use on the host), physical (the file). */
static void block_sizes(DomainBlockStat *b) {
        if (!b->path)
                return;
        int fd = open(b->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return;
        struct stat s;
        if (fstat(fd, &s) == 0) {
                uint64_t size = (uint64_t) s.st_size;
                if (S_ISBLK(s.st_mode)) {
                        off_t end = lseek(fd, 0, SEEK_END);
                        size = end > 0 ? (uint64_t) end : 0;
                        b->allocation = size;
                } else {
                        b->allocation = (uint64_t) s.st_blocks * 512;
                }
                b->physical = size;
                if (!qcow2_virtual_size(fd, &b->capacity))
                        b->capacity = size;
                b->has_sizes = true;
        }
        close(fd);
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

/* A running domain's NICs that have a host device, counted by the driver as virDomainInterfaceStats
 * does; one the driver cannot count is left out, as libvirt leaves out what it cannot read. */
static int fill_nets(DomainStats *st, Domain *d, const DomainDef *def) {
        const DomainDevices *dev = def->priv ? &def->priv->devices : NULL;
        st->net_count = dev ? dev->n_interfaces : 0;
        const DomainInfoOps *info = d->obj.conn->driver->info;
        if (!domain_is_active(d)) {
                st->groups &= ~(unsigned) DOMAIN_STATS_INTERFACE;     /* libvirt: nothing for a shut-off domain */
                return 0;
        }
        if (!st->net_count || !info || !info->interface_stats)
                return 0;
        st->nets = calloc(st->net_count, sizeof *st->nets);
        if (!st->nets)
                return -ENOMEM;
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const DomainInterface *n = &dev->interfaces[i];
                DomainIfStats s;
                VbError err = { 0 };
                if (!n->target_dev || info->interface_stats(d, n, &s, &err) < 0)
                        continue;
                DomainNetStat *o = &st->nets[st->n_nets];
                *o = (DomainNetStat) { .index = i, .name = strdup(n->target_dev),
                                       .rx_bytes = (uint64_t) s.rx_bytes, .rx_pkts = (uint64_t) s.rx_packets,
                                       .rx_errs = (uint64_t) s.rx_errs, .rx_drop = (uint64_t) s.rx_drop,
                                       .tx_bytes = (uint64_t) s.tx_bytes, .tx_pkts = (uint64_t) s.tx_packets,
                                       .tx_errs = (uint64_t) s.tx_errs, .tx_drop = (uint64_t) s.tx_drop };
                if (!o->name)
                        return -ENOMEM;
                st->n_nets++;
        }
        return 0;
}

int domain_get_stats(Domain *d, unsigned stats, unsigned flags, Call *call, DomainStats **out, VbError *err) {
        const unsigned known = DOMAIN_STATS_STATE | DOMAIN_STATS_BALLOON | DOMAIN_STATS_VCPU | DOMAIN_STATS_BLOCK |
                              DOMAIN_STATS_INTERFACE;
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
        st->groups = stats & known;
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
        if (r == 0 && (st->groups & DOMAIN_STATS_INTERFACE))
                r = fill_nets(st, d, def);
        if (r < 0) {
                domain_stats_free(st);
                return vb_error_errno(err, r, "domain stats");
        }
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
        if (st->groups & DOMAIN_STATS_BALLOON) {
                emit_t(&e, "balloon.current", 0, st->balloon_current_kib);
                emit_t(&e, "balloon.maximum", 0, st->balloon_maximum_kib);
        }
        if (st->groups & DOMAIN_STATS_VCPU) {
                emit_u(&e, "vcpu.current", 0, st->vcpu_current);
                emit_u(&e, "vcpu.maximum", 0, st->vcpu_maximum);
                for (size_t i = 0; i < st->n_vcpus; i++) {
                        emit_i(&e, "vcpu.%zu.state", i, st->vcpus[i].state);
                        if (st->vcpus[i].has_time)
                                emit_t(&e, "vcpu.%zu.time", i, st->vcpus[i].time_ns);
                }
        }
        if (st->groups & DOMAIN_STATS_INTERFACE) {
                emit_u(&e, "net.count", 0, (uint32_t) st->net_count);
                for (size_t i = 0; i < st->n_nets; i++) {
                        const DomainNetStat *n = &st->nets[i];
                        emit_s(&e, "net.%zu.name", n->index, n->name);
                        emit_t(&e, "net.%zu.rx.bytes", n->index, n->rx_bytes);
                        emit_t(&e, "net.%zu.rx.pkts", n->index, n->rx_pkts);
                        emit_t(&e, "net.%zu.rx.errs", n->index, n->rx_errs);
                        emit_t(&e, "net.%zu.rx.drop", n->index, n->rx_drop);
                        emit_t(&e, "net.%zu.tx.bytes", n->index, n->tx_bytes);
                        emit_t(&e, "net.%zu.tx.pkts", n->index, n->tx_pkts);
                        emit_t(&e, "net.%zu.tx.errs", n->index, n->tx_errs);
                        emit_t(&e, "net.%zu.tx.drop", n->index, n->tx_drop);
                }
        }
        if (st->groups & DOMAIN_STATS_BLOCK) {
                emit_u(&e, "block.count", 0, (uint32_t) st->n_blocks);
                for (size_t i = 0; i < st->n_blocks; i++) {
                        const DomainBlockStat *b = &st->blocks[i];
                        emit_s(&e, "block.%zu.name", i, b->name);
                        if (b->path)
                                emit_s(&e, "block.%zu.path", i, b->path);
                        if (b->has_sizes) {
                                emit_t(&e, "block.%zu.allocation", i, b->allocation);
                                emit_t(&e, "block.%zu.capacity", i, b->capacity);
                                emit_t(&e, "block.%zu.physical", i, b->physical);
                        }
                }
        }
        return e.r;
}
