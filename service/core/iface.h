/* iface.h: host network interfaces (virInterface), read-only as libvirt's udev backend: the driver lists them afresh on every call, the core finds, filters and formats. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct Connection Connection;

#define HOST_IFACE_NAME_MAX 64
#define HOST_IFACE_MAC_MAX 18           /* "aa:bb:cc:dd:ee:ff" and the NUL */
#define HOST_IFACE_MAX 4096             /* more than any host has: a list beyond is refused */

typedef struct HostIface {
        char name[HOST_IFACE_NAME_MAX];
        char mac[HOST_IFACE_MAC_MAX];
        bool active;
        char *xml;                      /* virInterfaceGetXMLDesc's text, owned */
} HostIface;

typedef struct HostIfaceList {
        HostIface *items;
        size_t n;
} HostIfaceList;

/* What a driver lists (driver.h: Driver.interfaces). */
typedef struct HostIfaceOps {
        /* Every interface of the host now, into *out (the core frees it). */
        int (*list)(Connection *c, HostIfaceList *out, VbError *err);
        /* GetXMLDesc's flags the driver accepts (udev: VIR_INTERFACE_XML_INACTIVE, the same XML), and
         * the function name its flags errors report ("testInterfaceGetXMLDesc"). */
        unsigned xml_flags;
        const char *xml_desc_function;
} HostIfaceOps;

void host_iface_list_done(HostIfaceList *l);
/* The host's interfaces passing libvirt's virConnectListAllInterfaces flags (ACTIVE 2, INACTIVE 1;
 * none: all), in the driver's order. "not supported: virConnectListAllInterfaces" without an op. */
int host_iface_list(Connection *c, unsigned flags, HostIfaceList *out, VbError *err);
/* Lookups, filling *out with a copy (its xml owned): libvirt's "Interface not found" texts. api
 * names the function a connection without interfaces reports as not supported. */
int host_iface_by_name(Connection *c, const char *name, HostIface *out, VbError *err);
int host_iface_by_mac(Connection *c, const char *mac, HostIface *out, VbError *err);
void host_iface_done(HostIface *i);
/* virInterfaceGetXMLDesc: flags checked in the driver's words (INACTIVE is not kept). */
char *host_iface_xml(Connection *c, const HostIface *i, unsigned flags, VbError *err);
/* Counts for virConnectNumOf(Defined)Interfaces: -1 with err set. */
int host_iface_count(Connection *c, bool active, VbError *err);
