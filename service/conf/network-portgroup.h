/* network-portgroup.h: a network's <portgroup> (name, default, trustGuestRxFilters, <vlan>, <virtualport>, <bandwidth>). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"
#include "error.h"
#include "xml-util.h"

typedef struct NetworkVlanTag {
        unsigned id;
        char *native_mode;              /* tagged, untagged, NULL */
} NetworkVlanTag;

/* <virtualport><parameters>, in libvirt's output order */
enum { PORTGROUP_VP_MANAGERID, PORTGROUP_VP_TYPEID, PORTGROUP_VP_TYPEIDVERSION, PORTGROUP_VP_INSTANCEID,
       PORTGROUP_VP_INTERFACEID, PORTGROUP_VP_PROFILEID, PORTGROUP_VP_N };

typedef struct NetworkPortgroup {
        char *name;
        bool is_default;                /* default='yes' (any other value: not the default, as libvirt) */
        char *trust_rx;                 /* trustGuestRxFilters: yes, no, NULL */
        bool vlan_trunk;
        NetworkVlanTag *tags;
        size_t n_tags;
        char *vp_type;                  /* <virtualport type>: NULL = none given */
        char *vp_params[PORTGROUP_VP_N];
        DomainBandwidthRate bw_in, bw_out;
} NetworkPortgroup;

/* Parse one <portgroup> element into pg (zeroed by the caller); on error pg holds what it
 * parsed so far (clear it) and err says why in libvirt's words. */
int network_portgroup_parse(xmlNodePtr node, NetworkPortgroup *pg, VbError *err);
/* Append the element, as libvirt writes it (an empty one as an open/close pair). */
void network_portgroup_format(XmlBuf *b, const NetworkPortgroup *pg);
void network_portgroup_clear(NetworkPortgroup *pg);
