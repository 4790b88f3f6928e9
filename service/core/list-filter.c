/* list-filter.c: which objects a virConnectListAll* call with given flags returns. */
#include "list-filter.h"

#include <string.h>

#include "domain.h"
#include "domain-save.h"
#include "network.h"
#include "storage.h"

/* A filter group passes when none of its bits is asked for, or the object has one that is. */
static bool group_passes(unsigned flags, unsigned group, unsigned have) {
        return !(flags & group) || (flags & have & group);
}

bool list_filter_domain(const Object *o, unsigned flags) {
        const Domain *d = (const Domain *) o;
        unsigned state_bit = d->state == DOMAIN_RUNNING ? LIST_DOMAINS_RUNNING
                : d->state == DOMAIN_PAUSED ? LIST_DOMAINS_PAUSED
                : d->state == DOMAIN_SHUTOFF ? LIST_DOMAINS_SHUTOFF : LIST_DOMAINS_OTHER;
        return group_passes(flags, LIST_DOMAINS_ACTIVE | LIST_DOMAINS_INACTIVE,
                            domain_is_active(d) ? LIST_DOMAINS_ACTIVE : LIST_DOMAINS_INACTIVE) &&
               group_passes(flags, LIST_DOMAINS_PERSISTENT | LIST_DOMAINS_TRANSIENT,
                            d->persistent ? LIST_DOMAINS_PERSISTENT : LIST_DOMAINS_TRANSIENT) &&
               group_passes(flags, LIST_DOMAINS_RUNNING | LIST_DOMAINS_PAUSED | LIST_DOMAINS_SHUTOFF |
                            LIST_DOMAINS_OTHER, state_bit) &&
               /* virtbus keeps no snapshots or checkpoints yet */
               group_passes(flags, LIST_DOMAINS_MANAGEDSAVE | LIST_DOMAINS_NO_MANAGEDSAVE,
                            !(flags & (LIST_DOMAINS_MANAGEDSAVE | LIST_DOMAINS_NO_MANAGEDSAVE)) ? 0
                            : domain_has_managed_save((Domain *) d) ? LIST_DOMAINS_MANAGEDSAVE : LIST_DOMAINS_NO_MANAGEDSAVE) &&
               group_passes(flags, LIST_DOMAINS_AUTOSTART | LIST_DOMAINS_NO_AUTOSTART,
                            d->autostart ? LIST_DOMAINS_AUTOSTART : LIST_DOMAINS_NO_AUTOSTART) &&
               group_passes(flags, LIST_DOMAINS_HAS_SNAPSHOT | LIST_DOMAINS_NO_SNAPSHOT, LIST_DOMAINS_NO_SNAPSHOT) &&
               group_passes(flags, LIST_DOMAINS_HAS_CHECKPOINT | LIST_DOMAINS_NO_CHECKPOINT,
                            LIST_DOMAINS_NO_CHECKPOINT);
}

static bool keep_common(unsigned flags, bool active, bool persistent, bool autostart) {
        return group_passes(flags, LIST_ACTIVE | LIST_INACTIVE, active ? LIST_ACTIVE : LIST_INACTIVE) &&
               group_passes(flags, LIST_PERSISTENT | LIST_TRANSIENT, persistent ? LIST_PERSISTENT : LIST_TRANSIENT) &&
               group_passes(flags, LIST_AUTOSTART | LIST_NO_AUTOSTART, autostart ? LIST_AUTOSTART : LIST_NO_AUTOSTART);
}

bool list_filter_network(const Object *o, unsigned flags) {
        const Network *n = (const Network *) o;
        return keep_common(flags, n->active, n->persistent, n->autostart);
}

/* virConnectListAllStoragePoolsFlags' type bits, from bit 6 on. */
static const char *const pool_types[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "scsi", "mpath", "rbd", "sheepdog",
        "gluster", "zfs", "vstorage", "iscsi-direct",
};

bool list_filter_pool(const Object *o, unsigned flags) {
        const StoragePool *p = (const StoragePool *) o;
        unsigned type_bit = 0;
        for (size_t i = 0; i < sizeof pool_types / sizeof pool_types[0]; i++)
                if (p->def && p->def->type && strcmp(p->def->type, pool_types[i]) == 0)
                        type_bit = 1u << (6 + i);
        return keep_common(flags, pool_is_active(p), p->persistent, p->autostart) &&
               group_passes(flags, LIST_POOLS_ALL & ~LIST_NETWORKS_ALL, type_bit);
}
