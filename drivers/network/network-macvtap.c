/* network-macvtap.c: the start checks of a macvtap network (forward mode bridge without a bridge, private, vepa,
 * passthrough): nothing is made on the host, the guests' macvtaps go on the pool's devices, which must exist. */
#define LOG_MODULE "network"
#include "network-macvtap.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "netlink.h"

/* The SR-IOV virtual functions of a device: /sys/class/net/DEV/device/virtfnN (none for a device without a PCI
 * function behind it, as a veth or a bridge). */
static unsigned count_vfs(const char *dev) {
        char path[256];
        snprintf(path, sizeof path, "/sys/class/net/%s/device", dev);
        DIR *d = opendir(path);
        if (!d)
                return 0;
        unsigned n = 0;
        for (struct dirent *e; (e = readdir(d));)
                n += strncmp(e->d_name, "virtfn", 6) == 0;
        closedir(d);
        return n;
}

int network_macvtap_up(const NetworkPlan *p, VbError *err) {
        if (p->forward_pf) {
                if (!netlink_link_exists(p->forward_pf))
                        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                            "device '%s' of network '%s' does not exist on the host", p->forward_pf,
                                            p->name);
                if (count_vfs(p->forward_pf) == 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                            "No usable Vf's present on SRIOV PF %s", p->forward_pf);
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NETWORK,
                                    "a pool of the virtual functions of SR-IOV PF %s (network '%s')", p->forward_pf,
                                    p->name);
        }
        if (!p->n_forward_ifs)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                    "network '%s' uses a direct mode, but has no forward dev and no interface pool",
                                    p->name);
        for (size_t i = 0; i < p->n_forward_ifs; i++)
                if (!netlink_link_exists(p->forward_ifs[i].dev))
                        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                            "device '%s' of network '%s' does not exist on the host",
                                            p->forward_ifs[i].dev, p->name);
        log_info("network %s: %s macvtap network on %zu device(s)", p->name, p->forward_mode, p->n_forward_ifs);
        return 0;
}

static bool is_mode(const NetworkPlan *p, const char *m) {
        return p->forward_mode && strcmp(p->forward_mode, m) == 0;
}

int network_macvtap_validate(const NetworkPlan *p, VbError *err) {
        if (!p->macvtap && !is_mode(p, "hostdev"))
                return 0;
        const NetworkDns *dns = p->dns;
        const char *what = p->n_ips ? "<ip>"
                           : dns->enable || dns->forward_plain_names || dns->n_fwds || dns->n_txts || dns->n_srvs ||
                                             dns->n_hosts ? "<dns>"
                           : p->domain ? "<domain>"
                           : p->mac ? "<mac>" : NULL;
        if (what)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
                                    "Unsupported %s element in network %s with forward mode='%s'", what, p->name,
                                    p->forward_mode);
        return 0;
}

int network_hostdev_refuse(const NetworkPlan *p, VbError *err) {
        if (!is_mode(p, "hostdev"))
                return 0;
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NETWORK,
                            "networks of forward mode 'hostdev' (PCI assignment of SR-IOV VFs, network '%s')",
                            p->name);
}
