/* netport-conf.h: libvirt's network port XML (<networkport>, virNetworkPortDef): parse and format, pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* <bandwidth>: kilobytes per second (average, peak, floor) and kilobytes (burst); 0 = unset. */
typedef struct NetPortRate {
        uint64_t average, peak, floor, burst;
} NetPortRate;

typedef struct NetPortDef {
        uint8_t uuid[16];
        char *owner_name;
        uint8_t owner_uuid[16];
        char *group;                    /* <group>: the portgroup; NULL when absent */
        uint8_t mac[6];
        NetPortRate in, out;
        bool trust_guest_rx;            /* <rxfilters trustGuest='yes'/> */
        char *plug_type;                /* network, bridge, direct; NULL: no <plug> */
        char *plug_bridge;              /* network, bridge: bridge='…' */
        char *plug_dev, *plug_mode;     /* direct: dev='…' mode='…' */
        char *mac_table_manager;        /* network, bridge: macTableManager='kernel'|'libvirt' */
} NetPortDef;

/* Parse a <networkport> document (its <uuid> required, as libvirt's). NULL with err set (libvirt's
 * texts) when it is not a valid port. */
NetPortDef *netport_def_parse(const char *xml, size_t len, VbError *err);
/* virNetworkPortGetXMLDesc's text; NULL on OOM. */
char *netport_def_format(const NetPortDef *def);
NetPortDef *netport_def_free(NetPortDef *def);
