/* network-dns.h: a network's <dns> (hosts, SRV and TXT records, forwarders), readable by the network driver. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct NetworkDnsHost {
        char *ip;
        char **hostnames;
        size_t n_hostnames;
} NetworkDnsHost;

typedef struct NetworkDnsTxt {
        char *name, *value;
} NetworkDnsTxt;

typedef struct NetworkDnsSrv {
        char *service, *protocol, *domain, *target;
        long long port, priority, weight;       /* -1: not given */
} NetworkDnsSrv;

typedef struct NetworkDnsForwarder {
        char *domain, *addr;                    /* at least one */
} NetworkDnsForwarder;

typedef struct NetworkDns {
        char *enable;                           /* "yes", "no", NULL */
        char *forward_plain_names;              /* "yes", "no", NULL */
        NetworkDnsForwarder *fwds;
        size_t n_fwds;
        NetworkDnsTxt *txts;
        size_t n_txts;
        NetworkDnsSrv *srvs;
        size_t n_srvs;
        NetworkDnsHost *hosts;
        size_t n_hosts;
} NetworkDns;
