/* network-update.h: virNetworkUpdate's edit of one section of a network definition (pure). */
#pragma once

#include "error.h"
#include "network-conf.h"

/* virNetworkUpdateCommand */
enum { NETWORK_UPDATE_MODIFY = 1, NETWORK_UPDATE_DELETE = 2, NETWORK_UPDATE_ADD_LAST = 3,
       NETWORK_UPDATE_ADD_FIRST = 4 };
/* virNetworkUpdateSection (the ones virtbus edits; the others answer "can't update") */
enum { NETWORK_SECTION_IP_DHCP_HOST = 4, NETWORK_SECTION_IP_DHCP_RANGE = 5, NETWORK_SECTION_PORTGROUP = 9,
       NETWORK_SECTION_DNS_HOST = 10,
       NETWORK_SECTION_DNS_TXT = 11, NETWORK_SECTION_DNS_SRV = 12 };
enum { NETWORK_SECTION_FORWARD_INTERFACE = 7 };   /* <interface dev='…'/> of a macvtap network's pool */
/* virNetworkUpdateFlags */
enum { NETWORK_UPDATE_AFFECT_LIVE = 1u << 0, NETWORK_UPDATE_AFFECT_CONFIG = 1u << 1 };

/* Apply command to section of def with xml (one <host>, <range>, <interface>, <portgroup>, <txt> or
 * <srv> element);
 * parent_index picks the <ip> of DHCP sections (-1: the first of the entry's family). On
 * error def is unchanged and err says why in libvirt's words. */
int network_def_update(NetworkDef *def, unsigned command, unsigned section, int parent_index, const char *xml,
                       VbError *err);
