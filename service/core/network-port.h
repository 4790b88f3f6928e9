/* network-port.h: a network's ports (virNetworkPort): one per running guest NIC on it, derived from the running
 * guests (so a daemon restart finds them again), and the records clients create, kept 0600 under the network's
 * state (RUN_ROOT/network/NAME.ports/UUID.xml) while it runs. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "netport-conf.h"
#include "network.h"

typedef struct Domain Domain;
typedef struct Call Call;
typedef struct DomainTuneParam DomainTuneParam;

/* virNetworkListAllPorts: the guests' ports, then the records; flags must be 0. */
int network_ports_list(Network *n, unsigned flags, NetPortDef ***out, size_t *n_out, VbError *err);
void network_ports_free(NetPortDef **ports, size_t n);
/* The UUID of the port a running guest's NIC (type network) is (mac, of domain dom): the live
 * XML's <source portid> and net-port-list show the same. */
void network_port_guest_uuid(const uint8_t dom[16], const uint8_t mac[6], uint8_t out[16]);
/* The port with uuid, or NULL with libvirt's "Network port with UUID … does not exist". */
NetPortDef *network_port_get(Network *n, const uint8_t uuid[16], VbError *err);
/* virNetworkPortCreateXML: a record; uuid_out gets its UUID. The network must be running. */
int network_port_create(Network *n, const char *xml, size_t len, unsigned flags, uint8_t uuid_out[16],
                        VbError *err);
/* virNetworkPortDelete: a record only; a guest NIC's port goes with the NIC. */
int network_port_delete(Network *n, const uint8_t uuid[16], unsigned flags, VbError *err);
/* virNetworkPortSetParameters (flags 0): params, libvirt's typed parameters inbound.average …
 * outbound.burst, for the port with uuid. A running guest NIC's port takes them on its tap as
 * `domiftune --live` does (domain_set_interface_params: libvirt's merge and checks; the NIC's
 * running definition changes, which the port reports); no params change nothing; a client's
 * record plugs nothing, so params for it are "not supported" once their names and types pass. 0, VERB_PENDING (call completes)
 * or -1 with err; a refused call changes nothing. */
int network_port_set_parameters(Network *n, const uint8_t uuid[16], const DomainTuneParam *params, size_t count,
                                unsigned flags, Call *call, VbError *err);
/* A floor a running guest's NIC holds on a network by its running definition. */
typedef struct NetworkFloorUse {
        uint8_t mac[6];
        uint64_t floor;         /* KiB/s */
        const char *tap;        /* its tap (the guest's live definition's), or NULL */
} NetworkFloorUse;
/* The floors of the running guests' type-network NICs on n (at most max into out): what the
 * network's reservations must be (NetworkOps.floor_plug). Their number. */
size_t network_port_floors(Network *n, NetworkFloorUse *out, size_t max);
/* The network stopped: its records go, as libvirt's do. */
void network_ports_drop(Network *n);
