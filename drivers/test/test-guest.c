/* test-guest.c: what the Test connection's guests "see" of themselves, made up as libvirt's test driver makes it up: their interfaces' addresses (whatever the source) and their filesystems (two on the first disk). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-agent.h"
#include "domain-ifaddr.h"
#include "domain-model.h"
#include "domain.h"
#include "network.h"
#include "test-ops.h"
#include "uuid.h"

/* A NIC on a network has 192.168.122.(3 + its index + 20 per domain id above 1), any other
 * 192.168.0.(1 + its index), each /24; one named by its <target dev>, else testnetN, N
 * counting the NICs without one. */
static int iface_addr(const DomainInterface *nic, size_t i, unsigned unnamed, int id, DomainIfaceAddrs *a) {
        char name[32], ip[48], mac[18];
        bool on_network = nic->type && strcmp(nic->type, "network") == 0;
        snprintf(name, sizeof name, "testnet%u", unnamed);
        if (on_network)
                snprintf(ip, sizeof ip, "192.168.122.%ld", 3 + (long) i + 20L * (id > 1 ? id - 1 : 0));
        else
                snprintf(ip, sizeof ip, "192.168.0.%zu", 1 + i);
        mac_format(nic->mac, mac);
        a->name = strdup(nic->target_dev ? nic->target_dev : name);
        a->hwaddr = strdup(mac);
        a->leases = calloc(1, sizeof *a->leases);
        if (!a->name || !a->hwaddr || !a->leases)
                return -1;
        a->n_leases = 1;
        *a->leases = (NetworkLease) { .type = NETWORK_LEASE_IPV4, .ipaddr = strdup(ip), .prefix = 24 };
        return a->leases->ipaddr ? 0 : -1;
}

int test_interface_addresses(Domain *d, unsigned source, DomainIfaceAddrs **out, size_t *n_out, VbError *err) {
        (void) source;
        const DomainDevices *devs = &d->live->priv->devices;
        *out = devs->n_interfaces ? calloc(devs->n_interfaces, sizeof **out) : NULL;
        *n_out = 0;
        if (devs->n_interfaces && !*out)
                return vb_error_errno(err, -ENOMEM, "interface addresses");
        unsigned unnamed = 0;
        for (size_t i = 0; i < devs->n_interfaces; i++) {
                const DomainInterface *nic = &devs->interfaces[i];
                (*n_out)++;
                if (iface_addr(nic, i, unnamed, d->obj.id, &(*out)[i]) < 0) {
                        domain_iface_addrs_free(*out, *n_out);
                        *out = NULL;
                        *n_out = 0;
                        return vb_error_errno(err, -ENOMEM, "interface addresses");
                }
                if (!nic->target_dev)
                        unnamed++;
        }
        return 0;
}

/* "/" and "/boot" on partitions 1 and 2 of the first disk, ext4 (none without a disk). */
static int test_fs_info(Domain *d, Call *call, VbError *err) {
        const DomainDevices *devs = &d->live->priv->devices;
        DomainFSInfoList list = { 0 };
        const char *disk = devs->n_disks ? devs->disks[0].target_dev : NULL;
        if (disk) {
                static const char *const mounts[] = { "/", "/boot" };
                list.v = calloc(2, sizeof *list.v);
                if (!list.v)
                        return vb_error_errno(err, -ENOMEM, "filesystems");
                for (size_t i = 0; i < 2; i++) {
                        DomainFSInfo *f = &list.v[list.n++];
                        char name[64];
                        snprintf(name, sizeof name, "%s%zu", disk, i + 1);
                        f->mountpoint = strdup(mounts[i]);
                        f->name = strdup(name);
                        f->fstype = strdup("ext4");
                        f->aliases = calloc(1, sizeof *f->aliases);
                        if (f->aliases && (f->aliases[0] = strdup(disk)))
                                f->n_aliases = 1;
                        if (!f->mountpoint || !f->name || !f->fstype || !f->n_aliases) {
                                domain_fsinfo_list_free(&list);
                                return vb_error_errno(err, -ENOMEM, "filesystems");
                        }
                }
        }
        call_complete(call, 0, NULL, &list);
        domain_fsinfo_list_free(&list);
        return VERB_PENDING;
}

const DomainAgentOps test_agent_ops = {
        .fs_info = test_fs_info,
};
