/* domain-ifaddr.h: virDomainInterfaceAddresses from the DHCP leases of a guest's networks. */
#pragma once

#include <stddef.h>

#include "domain.h"
#include "network.h"

/* virDomainInterfaceAddressesSource */
enum { DOMAIN_IFADDR_SRC_LEASE = 0, DOMAIN_IFADDR_SRC_AGENT = 1, DOMAIN_IFADDR_SRC_ARP = 2 };

typedef struct DomainIfaceAddrs {
        char *name;             /* the tap (<target dev>) */
        char *hwaddr;
        NetworkLease *leases;   /* type, ipaddr and prefix are what the interface has */
        size_t n_leases;
} DomainIfaceAddrs;

/* The addresses of a running domain's type='network' interfaces as their networks' DHCP
 * leases show them (source LEASE); interfaces without a lease are left out. Other sources
 * answer "not supported". */
int domain_interface_addresses(Domain *d, unsigned source, unsigned flags, DomainIfaceAddrs **out, size_t *n_out,
                               VbError *err);
void domain_iface_addrs_free(DomainIfaceAddrs *a, size_t n);
