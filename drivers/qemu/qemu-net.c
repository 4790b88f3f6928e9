/* qemu-net.c: taps for a guest's network and bridge interfaces, through lib/tap and lib/netlink. */
#define LOG_MODULE "qemu"
#include "qemu-net.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "log.h"
#include "netlink.h"
#include "network.h"
#include "tap.h"

void qemu_nics_close(QemuNics *nics) {
        if (nics->fds)
                tap_close_all(nics->fds, nics->n);
        free(nics->fds);
        nics->fds = NULL;
        nics->n = 0;
}

/* The bridge an interface goes on, or NULL with err set. */
static const char *nic_bridge(Connection *c, const DomainInterface *nic, VbError *err) {
        if (strcmp(nic->type, "bridge") == 0) {
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
        if (mode && strcmp(mode, "nat") != 0 && strcmp(mode, "route") != 0 && strcmp(mode, "open") != 0 &&
            strcmp(mode, "bridge") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "interfaces on networks of forward mode '%s' are not supported", mode), NULL;
        return network_bridge_name(n, err);
}

/* libvirt gives auto-named taps a reserved prefix; a <target dev> with it is a leftover name
 * from an earlier run, not a request. */
static const char *wanted_name(const DomainInterface *nic) {
        const char *t = nic->target_dev;
        return t && strncmp(t, "vnet", 4) != 0 && strncmp(t, "macvtap", 7) != 0 ? t : NULL;
}

static int nic_tap(Connection *c, DomainInterface *nic, int *fd, VbError *err) {
        const char *bridge = nic_bridge(c, nic, err);
        if (!bridge)
                return -1;
        char name[IF_NAMESIZE];
        if (tap_create(wanted_name(nic), 1, fd, name, err) < 0)
                return -1;
        uint8_t mac[6];
        memcpy(mac, nic->mac, 6);
        mac[0] = 0xfe;   /* the bridge must never take the guest's own address as its own */
        unsigned mtu = netlink_link_mtu(bridge);
        if (netlink_link_set_mac(name, mac, err) < 0 || (mtu && netlink_link_set_mtu(name, mtu, err) < 0) ||
            netlink_link_set_master(name, bridge, err) < 0 || netlink_link_set_up(name, true, err) < 0) {
                tap_close_all(fd, 1);
                return -1;
        }
        char *target = strdup(name), *br = strdup(bridge);
        if (!target || !br) {
                free(target);
                free(br);
                tap_close_all(fd, 1);
                return vb_error_errno(err, -ENOMEM, "interface");
        }
        free(nic->target_dev);
        nic->target_dev = target;
        if (strcmp(nic->type, "network") == 0) {
                free(nic->source_bridge);
                nic->source_bridge = br;
        } else {
                free(br);
        }
        log_info("tap %s on %s for interface %s", name, bridge, nic->source_network ? nic->source_network : bridge);
        return 0;
}

int qemu_nics_prepare(Connection *c, DomainDef *live, QemuNics *nics, VbError *err) {
        DomainDevices *devs = &live->priv->devices;
        nics->n = devs->n_interfaces;
        nics->fds = malloc((nics->n ? nics->n : 1) * sizeof *nics->fds);
        if (!nics->fds)
                return vb_error_errno(err, -ENOMEM, "interfaces");
        for (size_t i = 0; i < nics->n; i++)
                nics->fds[i] = -1;
        size_t taps = 0;
        for (size_t i = 0; i < nics->n; i++) {
                DomainInterface *nic = &devs->interfaces[i];
                if (!nic->type || (strcmp(nic->type, "network") != 0 && strcmp(nic->type, "bridge") != 0))
                        continue;
                if (++taps > QEMU_NICS_TAPS_MAX) {
                        qemu_nics_close(nics);
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "a domain has at most %d interfaces of type network or bridge",
                                            QEMU_NICS_TAPS_MAX);
                }
                if (nic_tap(c, nic, &nics->fds[i], err) < 0) {
                        qemu_nics_close(nics);
                        return -1;
                }
        }
        return 0;
}
