/* network-conf.h: the virtual network definition (<network> XML), parsed and formatted as pure functions. */
#pragma once

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct NetworkDefPrivate NetworkDefPrivate;

/* <forward><interface dev='…'/>: a device of a macvtap network's pool (conf/network-forward.c). */
typedef struct NetworkForwardIf {
        char *dev;
        unsigned connections;       /* live only: guest NICs on it (never parsed: counted) */
} NetworkForwardIf;

typedef struct NetworkDef {
        char *name;
        uint8_t uuid[16];
        char *bridge;               /* <bridge name='…'>, NULL when absent */
        char *forward_mode;         /* <forward mode='…'>: nat, route, bridge, open, NULL = isolated */
        NetworkDefPrivate *priv;    /* ip, dhcp, domain, mtu, … */
        NetworkForwardIf *forward_ifs;      /* the pool (<forward dev> alone: that one device) */
        size_t n_forward_ifs;
        char *forward_pf;           /* <forward><pf dev='…'/> (at most one, as libvirt) */
        unsigned connections;       /* live only: <network connections='N'>, guest NICs on it */
} NetworkDef;

enum { NETWORK_FORMAT_INACTIVE = 1u << 0 };   /* libvirt's VIR_NETWORK_XML_INACTIVE */
enum { NETWORK_PARSE_VALIDATE = 1u << 0 };     /* refuse unknown elements and attributes */

NetworkDef *network_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
char *network_def_format(const NetworkDef *def, unsigned flags);
NetworkDef *network_def_copy(const NetworkDef *def);
NetworkDef *network_def_free(NetworkDef *def);

/* A network whose guests get a macvtap on a pool device: forward mode private, vepa,
 * passthrough, or bridge without a <bridge name> (libvirt's "direct" networks). */
bool network_def_is_macvtap(const NetworkDef *def);
/* The pool device named dev, or NULL. */
NetworkForwardIf *network_def_forward_if(const NetworkDef *def, const char *dev);
