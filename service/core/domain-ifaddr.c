/* domain-ifaddr.c: a guest's addresses from the leases of the networks its NICs are on. */
#include "domain-ifaddr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "uuid.h"

void domain_iface_addrs_free(DomainIfaceAddrs *a, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(a[i].name);
                free(a[i].hwaddr);
                network_leases_free(a[i].leases, a[i].n_leases);
        }
        free(a);
}

int domain_interface_addresses(Domain *d, unsigned source, unsigned flags, DomainIfaceAddrs **out, size_t *n_out,
                               VbError *err) {
        *out = NULL;
        *n_out = 0;
        if (vb_check_flags(flags, 0, "virDomainInterfaceAddresses", err) < 0)
                return -1;
        if (source != DOMAIN_IFADDR_SRC_LEASE)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainInterfaceAddresses (source %u)",
                                    source);
        if (!domain_is_active(d) || !d->live)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        const DomainDevices *devs = &d->live->priv->devices;
        for (size_t i = 0; i < devs->n_interfaces; i++) {
                const DomainInterface *nic = &devs->interfaces[i];
                if (!nic->type || strcmp(nic->type, "network") != 0 || !nic->source_network)
                        continue;
                Network *n = network_lookup_name(d->obj.conn, nic->source_network, NULL);
                char mac[18];
                mac_format(nic->mac, mac);
                NetworkLease *leases = NULL;
                size_t count = 0;
                if (!n || network_get_dhcp_leases(n, mac, 0, &leases, &count, NULL) < 0 || count == 0)
                        continue;
                DomainIfaceAddrs *grown = realloc(*out, (*n_out + 1) * sizeof **out);
                if (!grown) {
                        network_leases_free(leases, count);
                        goto oom;
                }
                *out = grown;
                DomainIfaceAddrs *a = &(*out)[(*n_out)++];
                *a = (DomainIfaceAddrs) { .name = strdup(nic->target_dev ? nic->target_dev : "-"),
                                          .hwaddr = strdup(mac), .leases = leases, .n_leases = count };
                if (!a->name || !a->hwaddr)
                        goto oom;
        }
        return 0;
oom:
        domain_iface_addrs_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return vb_error_errno(err, -ENOMEM, "interface addresses");
}
