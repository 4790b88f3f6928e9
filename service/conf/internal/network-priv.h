/* network-priv.h: the parts of NetworkDef owned by conf/ (ip, dhcp, domain, mtu …); the network driver may read them. */
#pragma once

#include "domain-model.h"
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
        DomainBandwidthRate bw_in, bw_out;      /* <bandwidth> (network-qos.c) */
        NetworkPortgroup *portgroups;   /* <portgroup> (network-portgroup.c), in document order */
        size_t n_portgroups;
};

/* network-qos.c: a network's own <bandwidth> (its <portgroup>s are network-portgroup.c's) */
int network_qos_parse(NetworkDefPrivate *p, xmlNodePtr root, VbError *err);
void network_qos_format_bandwidth(XmlBuf *b, const NetworkDefPrivate *p);
/* <forward>'s <interface> and <pf> children (conf/network-forward.c), with libvirt's checks:
 * a dev on each, one <pf> at most, <forward dev> the first <interface> (or alone: the pool). */
int network_forward_parse(xmlNodePtr fwd, NetworkDef *def, unsigned flags, VbError *err);
/* The children at c's indent; connections unless inactive. */
void network_forward_format(XmlBuf *c, const NetworkDef *def, bool inactive);
void network_forward_free(NetworkDef *def);
/* Once <bridge> is known: a bridge name with a pool (bridge mode) or in a macvtap mode is refused. */
int network_forward_check(const NetworkDef *def, VbError *err);
