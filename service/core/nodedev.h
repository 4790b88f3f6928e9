/* nodedev.h: host node devices (virNodeDevice): the driver lists them afresh on every call; the core filters by capability, finds, and keeps libvirt's texts. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct Connection Connection;

#define NODEDEV_NAME_MAX 128
#define NODEDEV_CAPS_MAX 8
#define NODEDEV_MAX 65536               /* REMOTE_NODE_DEVICE_LIST_MAX */

typedef struct NodeDev {
        char name[NODEDEV_NAME_MAX];
        char parent[NODEDEV_NAME_MAX];  /* "" for the root */
        const char *caps[NODEDEV_CAPS_MAX];     /* top-level capability names (virNodeDeviceListCaps), static */
        size_t n_caps;
        unsigned cap_flags;             /* VIR_CONNECT_LIST_NODE_DEVICES_CAP_* this device matches (nested too) */
        char *xml;                      /* owned */
} NodeDev;

typedef struct NodeDevList {
        NodeDev *items;
        size_t n;
} NodeDevList;

typedef struct NodeDevOps {
        int (*list)(Connection *c, NodeDevList *out, VbError *err);
        /* The list flags the driver accepts, and the function its flags errors name. */
        unsigned list_flags;
        const char *list_function;
        const char *xml_desc_function;
        /* Devices defined by the driver itself (libvirt's test driver's), not discovered from
         * the host (transient, as libvirt's udev devices): virNodeDeviceIsPersistent. */
        bool persistent;
        /* The driver answers GetAutostart/SetAutostart (libvirt's node device driver does, its
         * test driver does not: "not supported"). */
        bool autostart_calls;
} NodeDevOps;

/* VIR_CONNECT_LIST_NODE_DEVICES_CAP_* of a capability name ("pci", "scsi_host"), 0 if unknown. */
unsigned nodedev_cap_flag(const char *cap);

void nodedev_done(NodeDev *d);
void nodedev_list_done(NodeDevList *l);
/* virConnectListAllNodeDevices: the devices matching any of the CAP flags (none: all). */
int nodedev_list(Connection *c, unsigned flags, NodeDevList *out, VbError *err);
/* virNodeListDevices / virNodeNumOfDevices: cap NULL for all. */
int nodedev_list_cap(Connection *c, const char *cap, unsigned flags, NodeDevList *out, VbError *err);
int nodedev_by_name(Connection *c, const char *name, NodeDev *out, VbError *err);
char *nodedev_xml(Connection *c, const NodeDev *d, unsigned flags, VbError *err);

/* virNodeDeviceIsActive / IsPersistent / GetAutostart (nodedev-state.c): 0 or 1 as libvirt 9.0
 * answers for the driver's devices (listed devices exist: active; never autostarted). */
int nodedev_is_active(Connection *c, const NodeDev *d, VbError *err);
int nodedev_is_persistent(Connection *c, const NodeDev *d, VbError *err);
int nodedev_get_autostart(Connection *c, const NodeDev *d, VbError *err);
/* virNodeDeviceSetAutostart: 0, or -1 with libvirt's refusal. */
int nodedev_set_autostart(Connection *c, const NodeDev *d, bool autostart, VbError *err);

/* nodedev-events.c: a connection's node devices as last seen, so that a rescan (the driver's,
 * when the kernel announced a device) tells what appeared and what went: libvirt's node device
 * lifecycle event for each (a NOTICE_LIFECYCLE about a transient OBJECT_NODEDEV object whose
 * name is the device's). */
enum {
        NODEDEV_EVENT_CREATED = 0,      /* VIR_NODE_DEVICE_EVENT_CREATED */
        NODEDEV_EVENT_DELETED = 1,
};
typedef struct NodeDevWatch {
        Connection *conn;
        char **names;                   /* sorted */
        size_t n;
} NodeDevWatch;
/* Take the first list (no events). 0, or -1 with err. */
int nodedev_watch_init(NodeDevWatch *w, Connection *c, VbError *err);
/* List again and notify the differences; a failed listing changes nothing. */
void nodedev_watch_rescan(NodeDevWatch *w);
void nodedev_watch_done(NodeDevWatch *w);
/* The lifecycle notice of the device name on c. */
void nodedev_notify_lifecycle(Connection *c, const char *name, int event);
