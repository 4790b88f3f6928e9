/* qemu-info.c: per-request information about a running QEMU guest that the host knows without asking QEMU: interface counters (netlink), vCPU threads (qemu-pin.c), disk sizes (the image files), IOThreads (the definition's) and jobs (a save in flight). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-info.h"
#include "domain-tune-stats.h"
#include "domain-model.h"
#include "netlink.h"
#include "qemu-net.h"

/* A tap's receive side is what the guest sent: libvirt swaps the counters of taps so they are
 * the guest's view. A macvtap (direct) or a tap the admin manages (ethernet) shares the
 * host's view, and libvirt reports it unswapped. */
static bool counters_swapped(const DomainInterface *net) {
        return !qemu_nic_is_macvtap(net) && strcmp(net->type, "ethernet") != 0;
}

static int qemu_interface_stats(Domain *d, const DomainInterface *net, DomainIfStats *out, VbError *err) {
        if (!net->type || !net->target_dev)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "interface of type '%s' of domain '%s' has no host device to count",
                                    net->type ? net->type : "?", d->obj.name);
        NetlinkLinkStats s;
        if (netlink_link_stats(net->target_dev, &s, err) < 0)
                return -1;
        DomainIfStats o = { .rx_bytes = s.rx_bytes, .rx_packets = s.rx_packets, .rx_errs = s.rx_errs,
                            .rx_drop = s.rx_drop, .tx_bytes = s.tx_bytes, .tx_packets = s.tx_packets,
                            .tx_errs = s.tx_errs, .tx_drop = s.tx_drop };
        if (counters_swapped(net))
                o = (DomainIfStats) { .rx_bytes = s.tx_bytes, .rx_packets = s.tx_packets, .rx_errs = s.tx_errs,
                                      .rx_drop = s.tx_drop, .tx_bytes = s.rx_bytes, .tx_packets = s.rx_packets,
                                      .tx_errs = s.rx_errs, .tx_drop = s.rx_drop };
        *out = o;
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

/* virDomainGetIOThreadInfo: the IOThreads of the running or persistent definition (as flags
 * say), which qemu-iothread.c keeps in step with QEMU's; their CPU maps are the core's. */
static int qemu_iothreads(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err) {
        if (vb_check_flags(flags, 0x3, "qemuDomainGetIOThreadInfo", err) < 0)
                return -1;
        if ((flags & 0x3) == 0x3)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        bool live = (flags & 0x1) || (!(flags & 0x2) && domain_is_active(d));
        if (live && !domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        const DomainDef *def = live ? d->live : d->def;
        int n = 0;
        for (size_t i = 0; def && i < def->priv->n_iothreadids && n < max; i++)
                ids[n++] = def->priv->iothreadids[i].id;
        return n;
}

/* virDomainGetJobInfo: a save in flight (qemu-save.c) is an unbounded job, as libvirt reports
 * it, with the time and memory counters of its job stats (qemu_save_job_stats); the driver runs
 * no other background job (no migration, no dump), and libvirt reports none for the short ones
 * either. */
static int qemu_job_info(Domain *d, DomainJobInfo *out, VbError *err) {
        const QemuDomain *qd = d->driver_data;
        DomainJobStats js = { 0 };
        if (d->backup)
                qemu_backup_job_stats(d, &js);
        else if (qd)
                qemu_save_job_stats(qd, &js);
        out->type = js.type;
        /* virDomainJobInfo's counters in order: time elapsed, remaining, data, memory, file */
        static const char *const names[] = { "time_elapsed", "time_remaining", "data_total", "data_processed",
                                             "data_remaining", "memory_total", "memory_processed", "memory_remaining" };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                for (int k = 0; k < js.n; k++)
                        if (strcmp(js.p[k].name, names[i]) == 0)
                                out->v[i] = js.p[k].v;
        return 0;
}

const DomainInfoOps qemu_info_ops = {
        .job_info = qemu_job_info,
        .interface_stats = qemu_interface_stats,
        .block_info = qemu_block_info,
        .vcpus = qemu_vcpus,
        .vcpu_pin_info = qemu_vcpu_pin_info,
        .emulator_pin_info = qemu_emulator_pin_info,
        .iothreads = qemu_iothreads,
};
