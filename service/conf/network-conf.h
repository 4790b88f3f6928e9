/* network-conf.h: the virtual network definition (<network> XML), parsed and formatted as pure functions. */
#pragma once

#include <stdint.h>
#include <stddef.h>

#include "error.h"

typedef struct NetworkDefPrivate NetworkDefPrivate;

typedef struct NetworkDef {
        char *name;
        uint8_t uuid[16];
        char *bridge;               /* <bridge name='…'>, NULL when absent */
        char *forward_mode;         /* <forward mode='…'>: nat, route, bridge, open, NULL = isolated */
        NetworkDefPrivate *priv;    /* ip, dhcp, domain, mtu, … */
} NetworkDef;

enum { NETWORK_FORMAT_INACTIVE = 1u << 0 };   /* libvirt's VIR_NETWORK_XML_INACTIVE */
enum { NETWORK_PARSE_VALIDATE = 1u << 0 };     /* refuse unknown elements and attributes */

NetworkDef *network_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
char *network_def_format(const NetworkDef *def, unsigned flags);
NetworkDef *network_def_copy(const NetworkDef *def);
NetworkDef *network_def_free(NetworkDef *def);
