/* network-priv.h: the parts of NetworkDef owned by conf/ (ip, dhcp, domain, mtu …); the network driver may read them. */
#pragma once

#include "network-conf.h"
#include "network-dns.h"
#include "network-portgroup.h"
#include "xml-util.h"

typedef struct NetworkDhcpRange {
        char *start, *end;
} NetworkDhcpRange;

typedef struct NetworkDhcpHost {
        char *mac, *name, *ip;
} NetworkDhcpHost;

typedef struct NetworkIp {
        char *family;                   /* NULL = ipv4 */
        char *address, *netmask;
        ConfInt prefix;
        char *local_ptr;
        char *tftp_root;
        bool has_dhcp;                  /* <dhcp> present, even if empty */
        NetworkDhcpRange *ranges;
        size_t n_ranges;
        NetworkDhcpHost *hosts;
        size_t n_hosts;
        char *bootp_file, *bootp_server;
} NetworkIp;

struct NetworkDefPrivate {
        char *ipv6;                     /* <network ipv6='yes'> */
        char *forward_mode;             /* only while parsing: moved to NetworkDef.forward_mode */
        char *forward_dev;
        char *nat_address_start, *nat_address_end;
        ConfInt nat_port_start, nat_port_end;
        char *bridge;                   /* only while parsing: moved to NetworkDef.bridge */
        char *stp;                      /* NULL = on */
        ConfInt delay;                  /* unset = 0 */
        ConfInt mtu;
        char *mac;                      /* normalised aa:bb:cc:dd:ee:ff */
        char *domain_name, *domain_local_only;
        NetworkDns dns;                 /* <dns> (network-dns.c) */
        NetworkIp *ips;
        size_t n_ips;
        NetworkPortgroup *portgroups;   /* <portgroup> (network-portgroup.c), in document order */
        size_t n_portgroups;
};
