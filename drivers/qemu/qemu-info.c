/* qemu-info.c: the QEMU driver's per-request domain information (domain-info.h): a NIC's counters. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <string.h>

#include "domain-info.h"
#include "domain-model.h"
#include "netlink.h"

/* A tap's receive side is what the guest sent: libvirt swaps the counters of taps so they are
 * the guest's view. A macvtap (direct) or a tap the admin manages (ethernet) shares the
 * host's view, and libvirt reports it unswapped. */
static bool counters_swapped(const DomainInterface *net) {
        return strcmp(net->type, "direct") != 0 && strcmp(net->type, "ethernet") != 0;
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

const DomainInfoOps qemu_info_ops = {
        .interface_stats = qemu_interface_stats,
        .vcpus = qemu_vcpus,
        .vcpu_pin_info = qemu_vcpu_pin_info,
        .emulator_pin_info = qemu_emulator_pin_info,
};
