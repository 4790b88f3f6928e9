/* qemu-iftune.c: a guest NIC's <bandwidth> on its host tap, through lib/tc.c: inbound (host to guest, the tap's egress) as an htb class, outbound (guest to host, the tap's ingress) redirected to an IFB device "ifb-<tap>" shaped by an htb class (a macvtap's the other way round); at start from the running definition, live by virDomainSetInterfaceParameters, the IFB devices deleted when the guest ends. */
#define LOG_MODULE "qemu"
#include <stdio.h>
#include <string.h>

#include "domain-model.h"
#include "domain.h"
#include "log.h"
#include "network-floor.h"
#include "netlink.h"
#include "qemu-net.h"
#include "qemu-priv.h"
#include "tc.h"
#include "uuid.h"

/* tc's units as libvirt hands them over: rates in "kbps" (1000 bytes/s), bursts in "kb" (1024 bytes) */
#define RATE_UNIT 1000u
#define BURST_UNIT 1024u

/* NICs with a host device of their own: a tap, or a macvtap (type direct). */
static bool has_tap(const DomainInterface *nic) {
        static const char *const types[] = { "network", "bridge", "ethernet", "direct" };
        for (size_t i = 0; nic->type && nic->target_dev && i < sizeof types / sizeof types[0]; i++)
                if (strcmp(nic->type, types[i]) == 0)
                        return true;
        return false;
}

/* The IFB device of a tap: "ifb-" and (at most 11 characters of) the tap's name. */
static void ifb_name(const char *tap, char out[16]) {
        snprintf(out, 16, "ifb-%.11s", tap);
}

static void to_tc(const DomainBandwidthRate *r, bool inbound, TcRate *t) {
        t->rate = r->average * RATE_UNIT;
        t->ceil = r->peak * RATE_UNIT;
        /* libvirt's outbound policer bursts its average when no burst is given */
        t->burst = (r->burst ? r->burst : inbound ? 0 : r->average) * BURST_UNIT;
}

/* A floor is for NICs of type network only (libvirt's text). */
static int floor_refused(const DomainInterface *nic, VbError *err) {
        char mac[18];
        mac_format(nic->mac, mac);
        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                            "Invalid use of 'floor' on interface with MAC address %s - 'floor' is only supported for "
                            "interface type 'network' with forward type 'nat', 'route', 'open' or none", mac);
}

/* A type-network NIC's floor on its network becomes floor (0: none), as libvirt's live change:
 * re-checked against the network's inbound average and peak (libvirt's texts), its class and the
 * network's 1:2 class changed. Nothing changes when refused. */
static int floor_set(Connection *c, const DomainInterface *nic, uint64_t floor, VbError *err) {
        if (!floor) {
                network_floor_unplug(c, nic->source_network, nic->mac, nic->target_dev);
                return 0;
        }
        return network_floor_plug(c, nic->source_network, nic->mac, nic->target_dev, floor, err);
}

/* at_start: a type-network NIC's floor was guaranteed by its network already (qemu-net.c), the
 * tap shapes its average only; live, a changed floor goes to the network first (and back to the
 * old one when the tap cannot be shaped). */
static int shape(Connection *c, const DomainInterface *nic, const DomainBandwidthRate *in,
                 const DomainBandwidthRate *out, bool at_start, VbError *err) {
        bool network = nic->type && strcmp(nic->type, "network") == 0;
        if (in->floor && !network)
                return floor_refused(nic, err);
        bool refloor = !at_start && in->floor != nic->bw_in.floor;
        if (refloor && floor_set(c, nic, in->floor, err) < 0)
                return -1;
        TcRate tin, tout;
        char ifb[16];
        to_tc(in, true, &tin);
        to_tc(out, false, &tout);
        ifb_name(nic->target_dev, ifb);
        /* a tap sends what the guest receives; a macvtap shares the guest's view, so its egress
         * is the guest's outbound (libvirt swaps the directions for type direct too) */
        bool swapped = qemu_nic_is_macvtap(nic);
        const TcRate *egress = swapped ? (out->set ? &tout : NULL) : (in->set && in->average ? &tin : NULL);
        const TcRate *ingress = swapped ? (in->set && in->average ? &tin : NULL) : (out->set ? &tout : NULL);
        if (tc_egress_shape(nic->target_dev, egress, err) < 0 || tc_ingress_shape(nic->target_dev, ifb, ingress, err) < 0) {
                if (refloor && floor_set(c, nic, nic->bw_in.floor, NULL) < 0)
                        log_warning("interface %s: its floor of %llu kB/s could not be restored", nic->target_dev,
                                    (unsigned long long) nic->bw_in.floor);
                return -1;
        }
        log_info("interface %s: inbound %llu kB/s, outbound %llu kB/s", nic->target_dev,
                 (unsigned long long) in->average, (unsigned long long) out->average);
        return 0;
}

int qemu_set_interface_bandwidth(Domain *d, size_t index, const DomainBandwidthRate *in,
                                 const DomainBandwidthRate *out, Call *call, VbError *err) {
        const DomainInterface *nic = &d->live->priv->devices.interfaces[index];
        if (!has_tap(nic))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "setting bandwidth on interfaces of type '%s' is not implemented yet",
                                    nic->type ? nic->type : "");
        return shape(d->obj.conn, nic, in, out, false, err);
}

int qemu_iftune_start(const DomainDef *live, VbError *err) {
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const DomainInterface *nic = &dev->interfaces[i];
                /* NICs without a host device of their own (user, …) keep no shaping, as libvirt's */
                if ((nic->bw_in.set || nic->bw_out.set) && has_tap(nic) && shape(NULL, nic, &nic->bw_in, &nic->bw_out, true, err) < 0)
                        return -1;
        }
        return 0;
}

void qemu_iftune_release(const DomainDef *live) {
        const DomainDevices *dev = live ? &live->priv->devices : NULL;
        for (size_t i = 0; dev && i < dev->n_interfaces; i++) {
                const DomainInterface *nic = &dev->interfaces[i];
                char ifb[16];
                if (!has_tap(nic))
                        continue;
                ifb_name(nic->target_dev, ifb);
                VbError e = { 0 };
                if (netlink_link_exists(ifb) && netlink_link_delete(ifb, &e) < 0)
                        log_warning("%s", e.message);
                vb_error_clear(&e);
        }
}
