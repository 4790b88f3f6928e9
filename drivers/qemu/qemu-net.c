/* qemu-net.c: taps and macvtaps for a guest's interfaces, through lib/tap, lib/macvtap and lib/netlink. */
#define LOG_MODULE "qemu"
#include "qemu-net.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-model.h"
#include "log.h"
#include "macvtap.h"
#include "netlink.h"
#include "network-port.h"
#include "network.h"
#include "network-floor.h"
#include "network-usage.h"
#include "qemu-priv.h"
#include "tap.h"
#include "uuid.h"

static bool is(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

void qemu_nics_close(QemuNics *nics) {
        if (nics->all)
                tap_close_all(nics->all, nics->n_all);
        for (size_t i = 0; i < nics->n_macvtaps; i++)
                free(nics->macvtaps[i]);
        free(nics->macvtaps);
        free(nics->all);
        free(nics->fds);
        free(nics->queue_fds);
        for (size_t i = 0; i < nics->n_filtered; i++)
                free(nics->filtered[i]);        /* the bindings stay: the guest's taps have them */
        free(nics->filtered);
        *nics = (QemuNics) { 0 };
}

void qemu_nics_abandon(QemuNics *nics) {
        for (size_t i = 0; i < nics->n_macvtaps; i++) {
                VbError e = { 0 };
                if (netlink_link_delete(nics->macvtaps[i], &e) < 0)
                        log_warning("macvtap %s left behind: %s", nics->macvtaps[i], e.message);
        }
        if (nics->def)
                qemu_nics_unfloor(nics->conn, nics->def, nics->n_floored);
        qemu_nics_unfilter(nics);
        qemu_nics_close(nics);
}

void qemu_nics_unfloor(Connection *c, const DomainDef *live, size_t count) {
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < count && i < dev->n_interfaces; i++) {
                const DomainInterface *nic = &dev->interfaces[i];
                if (is(nic->type, "network") && nic->bw_in.floor)
                        network_floor_unplug(c, nic->source_network, nic->mac, nic->target_dev);
        }
}

void qemu_nics_release(Connection *c, const DomainDef *live) {
        if (!c->manager->system_mode || !live || !live->priv)
                return;
        qemu_nics_release_filters(c, live);
        qemu_nics_unfloor(c, live, live->priv->devices.n_interfaces);
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const DomainInterface *nic = &dev->interfaces[i];
                if (!qemu_nic_is_macvtap(nic) || !nic->target_dev || !netlink_link_is_macvtap(nic->target_dev))
                        continue;
                VbError e = { 0 };
                if (netlink_link_delete(nic->target_dev, &e) < 0)
                        log_warning("macvtap %s left behind: %s", nic->target_dev, e.message);
                else
                        log_info("macvtap %s deleted", nic->target_dev);
        }
}

/* The bridge an interface goes on, or NULL with err set. */
static const char *nic_bridge(Connection *c, const DomainInterface *nic, VbError *err) {
        if (is(nic->type, "bridge")) {
                if (!nic->source_bridge)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                            "Missing source bridge for interface of type 'bridge'"), NULL;
                if (!netlink_link_exists(nic->source_bridge))
                        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                            "bridge '%s' of the interface does not exist", nic->source_bridge), NULL;
                return nic->source_bridge;
        }
        if (!nic->source_network)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "Missing source network for interface of type 'network'"), NULL;
        Network *n = network_lookup_name(c, nic->source_network, err);
        if (!n)
                return NULL;
        if (!n->active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK, "network '%s' is not active",
                                    nic->source_network), NULL;
        const char *mode = n->live->forward_mode;
        if (mode && !is(mode, "nat") && !is(mode, "route") && !is(mode, "open") && !is(mode, "bridge"))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "interfaces on networks of forward mode '%s' are not supported", mode), NULL;
        return network_bridge_name(n, err);
}

static int set_string(char **field, const char *v, VbError *err) {
        char *s = strdup(v);
        if (!s)
                return vb_error_errno(err, -ENOMEM, "interface");
        free(*field);
        *field = s;
        return 0;
}

/* What a guest's NICs are read from for the counts: the definition of a guest being started too. */
static const DomainDef *usage_def(const Domain *d) {
        const QemuDomain *qd = d->driver_data;
        if (qd && qd->domain == d && qd->phase == QEMU_PHASE_STARTING && qd->live)
                return qd->live;
        return domain_is_active(d) ? d->live : NULL;
}

/* A type network NIC on a running macvtap network: the pool device it gets (the least used; passthrough: a free
 * one) and the network's mode, in its <source dev> and <source mode>. 1: it is such a NIC, 0: not, -1: error. */
static int nic_network_macvtap(Connection *c, const DomainDef *live, DomainInterface *nic, VbError *err) {
        if (!is(nic->type, "network") || !nic->source_network)
                return 0;
        free(nic->source_dev);          /* never the user's: only a macvtap network picks one */
        free(nic->source_mode);
        nic->source_dev = nic->source_mode = NULL;
        Network *n = network_lookup_name(c, nic->source_network, NULL);
        if (!n || !n->active || !network_def_is_macvtap(n->live))
                return 0;               /* nic_bridge says why */
        const char *dev = network_macvtap_pick(n, usage_def, live, err);
        if (!dev || set_string(&nic->source_dev, dev, err) < 0 ||
            set_string(&nic->source_mode, network_macvtap_mode(n), err) < 0)
                return -1;
        return 1;
}

/* libvirt gives auto-named devices a reserved prefix; a <target dev> with it is a leftover
 * name from an earlier run, not a request. */
static const char *wanted_name(const DomainInterface *nic) {
        const char *t = nic->target_dev;
        return t && strncmp(t, "vnet", 4) != 0 && strncmp(t, "macvtap", 7) != 0 ? t : NULL;
}

/* A tap of the daemon's: on bridge (NULL: none), the guest's MAC with 0xfe first (so that a
 * bridge never takes the guest's address for its own), the NIC's <mtu> or else the bridge's
 * (a network's <mtu> is its bridge's), up. */
static int nic_tap(DomainInterface *nic, const char *bridge, unsigned queues, int *fds, VbError *err) {
        char name[IF_NAMESIZE];
        if (tap_create(wanted_name(nic), queues, fds, name, err) < 0)
                return -1;
        uint8_t mac[6];
        memcpy(mac, nic->mac, 6);
        mac[0] = 0xfe;
        unsigned mtu = nic->mtu ? nic->mtu : bridge ? netlink_link_mtu(bridge) : 0;
        if (netlink_link_setup(name, mac, mtu, bridge, true, err) < 0 || set_string(&nic->target_dev, name, err) < 0 ||
            (bridge && is(nic->type, "network") && set_string(&nic->source_bridge, bridge, err) < 0)) {
                tap_close_all(fds, queues);
                return -1;
        }
        log_info("tap %s%s%s for a %s interface", name, bridge ? " on " : "", bridge ? bridge : "", nic->type);
        return 0;
}

/* <target dev='X' managed='no'/>: the admin's tap, used as it is. */
static int nic_tap_unmanaged(DomainInterface *nic, unsigned queues, int *fds, VbError *err) {
        if (!nic->target_dev)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "an interface of type 'ethernet' with managed='no' needs <target dev>");
        if (!netlink_link_exists(nic->target_dev))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "tap device '%s' does not exist",
                                    nic->target_dev);
        char name[IF_NAMESIZE];
        return tap_create(nic->target_dev, queues, fds, name, err);
}

static int nic_macvtap(Connection *c, DomainInterface *nic, QemuNics *nics, unsigned queues, int *fds,
                       VbError *err) {
        if (!nic->source_dev)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "Missing source dev for interface of type 'direct'");
        if (!netlink_link_exists(nic->source_dev))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "device '%s' of the %s interface does not exist",
                                    nic->source_dev, is(nic->type, "direct") ? "direct" : "network's");
        const char *mode = nic->source_mode ? nic->source_mode : "vepa";
        char name[IF_NAMESIZE];
        const char *want = wanted_name(nic);
        int r = -1;
        if (want) {
                snprintf(name, sizeof name, "%s", want);
                r = netlink_macvtap_create(name, nic->source_dev, mode, nic->mac, err);
        } else {
                for (int k = 0; k < 4096; k++) {
                        snprintf(name, sizeof name, "macvtap%d", k);
                        if (netlink_link_exists(name))
                                continue;
                        r = netlink_macvtap_create(name, nic->source_dev, mode, nic->mac, err);
                        if (r == 0 || !netlink_link_exists(name))
                                break;          /* made, or a real failure (not a name taken meanwhile) */
                        *err = (VbError) { 0 };
                }
        }
        if (r < 0)
                return -1;
        char *kept = strdup(name);
        char **grown = kept ? realloc(nics->macvtaps, (nics->n_macvtaps + 1) * sizeof *grown) : NULL;
        if (!grown) {
                free(kept);
                netlink_link_delete(name, NULL);
                return vb_error_errno(err, -ENOMEM, "interface");
        }
        nics->macvtaps = grown;
        nics->macvtaps[nics->n_macvtaps++] = kept;
        if (netlink_link_set_up(name, true, err) < 0 || macvtap_open(name, queues, c->state_dir, fds, err) < 0)
                return -1;
        if (set_string(&nic->target_dev, name, err) < 0) {
                tap_close_all(fds, queues);
                return -1;
        }
        log_info("macvtap %s on %s (%s) for a%s %s interface", name, nic->source_dev, mode,
                 is(nic->type, "direct") ? "" : "n", nic->type);
        return 0;
}

static int nic_prepare(Connection *c, const DomainDef *live, DomainInterface *nic, QemuNics *nics, size_t i,
                       VbError *err) {
        bool tap_like = is(nic->type, "network") || is(nic->type, "bridge") || is(nic->type, "ethernet") ||
                        is(nic->type, "direct");
        if (!tap_like)
                return 0;
        unsigned queues = nic->driver_queues.set && nic->driver_queues.v > 1 ? (unsigned) nic->driver_queues.v : 1;
        if (queues > TAP_QUEUES_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "an interface has at most %d queues, not %u", TAP_QUEUES_MAX, queues);
        if (nics->n_all + queues > QEMU_NICS_TAPS_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "a domain's interfaces have at most %d host descriptors (queues) in all",
                                    QEMU_NICS_TAPS_MAX);
        int *fds = &nics->all[nics->n_all];
        int r;
        int on_pool = nic_network_macvtap(c, live, nic, err);
        if (on_pool < 0)
                return -1;
        if (is(nic->type, "direct") || on_pool) {
                r = nic_macvtap(c, nic, nics, queues, fds, err);
        } else if (is(nic->type, "ethernet")) {
                r = is(nic->target_managed, "no") ? nic_tap_unmanaged(nic, queues, fds, err)
                                                  : nic_tap(nic, NULL, queues, fds, err);
        } else {
                const char *bridge = nic_bridge(c, nic, err);
                r = bridge ? nic_tap(nic, bridge, queues, fds, err) : -1;
                /* no <bandwidth> of its own: its portgroup's, in the running definition (libvirt's) */
                if (r == 0 && is(nic->type, "network") && !nic->bw_in.set && !nic->bw_out.set &&
                    network_portgroup_bandwidth(c, nic->source_network, nic->source_portgroup, &nic->bw_in,
                                                &nic->bw_out) == 1)
                        log_info("interface %s: the bandwidth of portgroup %s", nic->target_dev,
                                 nic->source_portgroup ? nic->source_portgroup : "(default)");
                /* a floor is the network's to guarantee (libvirt's QoS): refused when it overcommits */
                if (r == 0 && is(nic->type, "network") && nic->bw_in.floor &&
                    network_floor_plug(c, nic->source_network, nic->mac, nic->target_dev, nic->bw_in.floor, err) < 0) {
                        tap_close_all(fds, queues);
                        r = -1;
                }
        }
        if (r < 0)
                return -1;
        nics->n_all += queues;
        nics->fds[i] = fds[0];
        nics->queue_fds[i] = queues > 1 ? fds : NULL;
        return 0;
}

/* A NIC on a network is a port of it: its UUID in the live XML, as libvirt 9.0 shows it
 * (<source network='default' portid='…' bridge='virbr0'/>). */
static int nic_portid(const uint8_t dom[16], DomainInterface *nic, VbError *err) {
        uint8_t u[16];
        char text[UUID_STRING_LEN];
        network_port_guest_uuid(dom, nic->mac, u);
        uuid_format(u, text);
        return set_string(&nic->source_portid, text, err);
}

static long long now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int qemu_nics_prepare(Connection *c, DomainDef *live, QemuNics *nics, VbError *err) {
        long long t0 = now_us();
        DomainDevices *devs = &live->priv->devices;
        *nics = (QemuNics) { .n = devs->n_interfaces, .conn = c, .def = live };
        size_t slots = nics->n ? nics->n : 1;
        nics->fds = malloc(slots * sizeof *nics->fds);
        nics->queue_fds = calloc(slots, sizeof *nics->queue_fds);
        nics->all = malloc(QEMU_NICS_TAPS_MAX * sizeof *nics->all);
        if (!nics->fds || !nics->queue_fds || !nics->all) {
                qemu_nics_close(nics);
                return vb_error_errno(err, -ENOMEM, "interfaces");
        }
        for (size_t i = 0; i < nics->n; i++)
                nics->fds[i] = -1;
        for (size_t i = 0; i < nics->n; i++) {
                int r = nic_prepare(c, live, &devs->interfaces[i], nics, i, err);
                if (r == 0)
                        nics->n_floored = i + 1;        /* its floor (the last step) is reserved */
                if (r < 0 ||
                    (is(devs->interfaces[i].type, "network") && nic_portid(live->uuid, &devs->interfaces[i], err) < 0)) {
                        qemu_nics_abandon(nics);
                        return -1;
                }
        }
        if (qemu_nics_filter(c, live, nics, err) < 0) {
                qemu_nics_abandon(nics);
                return -1;
        }
        if (nics->n_all)        /* the NICs' share of a start (tests/bench/nic_bench.py reads it) */
                log_info("host side of %zu interface descriptor(s) ready in %lld us", nics->n_all, now_us() - t0);
        return 0;
}
