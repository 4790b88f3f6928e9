/* network.h: the Network object, its verbs and its (inactive ↔ active) state machine. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "error.h"
#include "job.h"
#include "manager.h"
#include "network-conf.h"

/* virNetworkEventLifecycleType */
enum { NETWORK_EVENT_DEFINED = 0, NETWORK_EVENT_UNDEFINED = 1, NETWORK_EVENT_STARTED = 2,
       NETWORK_EVENT_STOPPED = 3 };

/* virNetworkDHCPLease */
enum { NETWORK_LEASE_IPV4 = 0, NETWORK_LEASE_IPV6 = 1 };
typedef struct NetworkLease {
        char *iface;
        int64_t expiry;         /* seconds since the epoch; 0: never */
        int type;               /* NETWORK_LEASE_IPV4/6 */
        char *mac, *iaid, *ipaddr;
        unsigned prefix;
        char *hostname, *clientid;
} NetworkLease;

typedef struct Network {
        Object obj;
        NetworkDef *def;        /* persistent definition (NULL when transient) */
        NetworkDef *live;       /* running definition (NULL when inactive) */
        bool active, persistent, autostart;
        Job job;                /* one mutating verb at a time */
        void *driver_data;      /* the network driver's (malloc'd; freed with the network) */
} Network;

Network *network_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err);
Network *network_lookup_name(Connection *c, const char *name, VbError *err);

/* The verbs return 0 when done, VERB_PENDING when call is answered later (the driver op runs
 * on), or -1 with err set. create_xml hands the new network out at once even when pending. */
int network_define(Connection *c, const char *xml, size_t len, unsigned flags, Network **out, VbError *err);
int network_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call, Network **out,
                       VbError *err);
int network_undefine(Network *n, VbError *err);
int network_start(Network *n, Call *call, VbError *err);
int network_destroy(Network *n, Call *call, VbError *err);
int network_set_autostart(Network *n, bool autostart, VbError *err);
/* A NetworkOps op that answered VERB_PENDING is done: n may be freed on return. */
void network_job_done(Network *n, int r, const VbError *err);
char *network_get_xml(Network *n, unsigned flags, VbError *err);
/* virNetworkGetDHCPLeases: mac (NULL: all) in any case; flags must be 0. */
int network_get_dhcp_leases(Network *n, const char *mac, unsigned flags, NetworkLease **out, size_t *n_out,
                            VbError *err);
void network_leases_free(NetworkLease *leases, size_t n);
/* virNetworkUpdate (network-update.h has the commands, sections and flags): edit one section of
 * the running definition (AFFECT_LIVE), the persistent one (AFFECT_CONFIG) or, with neither,
 * the running one of an active network and the persistent one of an inactive network. May
 * answer VERB_PENDING (a running network's dnsmasq restarts) and complete call later. */
int network_update(Network *n, unsigned command, unsigned section, int parent_index, const char *xml,
                   unsigned flags, Call *call, VbError *err);
const char *network_bridge_name(Network *n, VbError *err);

int network_add(Connection *c, NetworkDef *def, bool persistent, bool active, Network **out, VbError *err);
/* Recovery at the daemon's start: a network recorded as running is not (its driver cleaned
 * up): inactive again, and gone when it was transient. */
void network_recovered_stopped(Network *n);
void network_free_all(Registry *networks);
/* Out of its registry and freed (core-internal: network-verbs.c); announce: NOTICE_REMOVED
 * first. */
void network_remove(Network *n, bool announce);

/* A network subsystem with its ops (never NULL) and the origin of its lookup errors; its end
 * frees its networks. host_network_ops: the host's default backend, none, so every verb that
 * would change the host answers "not supported" until the daemon attaches drivers/network's. */
extern const NetworkOps host_network_ops;
NetworkSubsystem *network_subsystem_new(const NetworkOps *ops, int error_from);
NetworkSubsystem *network_subsystem_free(NetworkSubsystem *s);
