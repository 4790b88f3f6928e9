/* list-filter.h: libvirt's virConnectListAll* filter flags, applied in the core for both doors. */
#pragma once

#include <stdbool.h>

#include "object.h"


enum {
        LIST_DOMAINS_ACTIVE = 1 << 0, LIST_DOMAINS_INACTIVE = 1 << 1,
        LIST_DOMAINS_PERSISTENT = 1 << 2, LIST_DOMAINS_TRANSIENT = 1 << 3,
        LIST_DOMAINS_RUNNING = 1 << 4, LIST_DOMAINS_PAUSED = 1 << 5,
        LIST_DOMAINS_SHUTOFF = 1 << 6, LIST_DOMAINS_OTHER = 1 << 7,
        LIST_DOMAINS_MANAGEDSAVE = 1 << 8, LIST_DOMAINS_NO_MANAGEDSAVE = 1 << 9,
        LIST_DOMAINS_AUTOSTART = 1 << 10, LIST_DOMAINS_NO_AUTOSTART = 1 << 11,
        LIST_DOMAINS_HAS_SNAPSHOT = 1 << 12, LIST_DOMAINS_NO_SNAPSHOT = 1 << 13,
        LIST_DOMAINS_HAS_CHECKPOINT = 1 << 14, LIST_DOMAINS_NO_CHECKPOINT = 1 << 15,
        LIST_DOMAINS_ALL = (1 << 16) - 1,
};
/* Networks and pools share the first six bits; pools add one bit per pool type. */
enum {
        LIST_INACTIVE = 1 << 0, LIST_ACTIVE = 1 << 1, LIST_PERSISTENT = 1 << 2, LIST_TRANSIENT = 1 << 3,
        LIST_AUTOSTART = 1 << 4, LIST_NO_AUTOSTART = 1 << 5,
        LIST_NETWORKS_ALL = (1 << 6) - 1,
        LIST_POOLS_ALL = (1 << 20) - 1,
};

/* Does the object pass the filter? Bits not asked for pass; within a group of alternatives
 * (active/inactive, …) the object must have one of the asked ones. */
bool list_filter_domain(const Object *o, unsigned flags);
bool list_filter_network(const Object *o, unsigned flags);
bool list_filter_pool(const Object *o, unsigned flags);
