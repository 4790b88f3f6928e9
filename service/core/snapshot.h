/* snapshot.h: a domain's snapshot tree (parent, children, current) and the snapshot verbs, door-neutral. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "error.h"
#include "snapshot-tree.h"

typedef struct Domain Domain;
typedef struct Connection Connection;

/* libvirt's flags. */
enum {
        SNAPSHOT_CREATE_REDEFINE = 1u << 0,
        SNAPSHOT_CREATE_CURRENT = 1u << 1,
        SNAPSHOT_CREATE_NO_METADATA = 1u << 2,
        SNAPSHOT_CREATE_HALT = 1u << 3,
        SNAPSHOT_CREATE_DISK_ONLY = 1u << 4,
        SNAPSHOT_CREATE_REUSE_EXT = 1u << 5,
        SNAPSHOT_CREATE_QUIESCE = 1u << 6,
        SNAPSHOT_CREATE_ATOMIC = 1u << 7,
        SNAPSHOT_CREATE_LIVE = 1u << 8,
        SNAPSHOT_CREATE_VALIDATE = 1u << 9,

        SNAPSHOT_REVERT_RUNNING = 1u << 0,
        SNAPSHOT_REVERT_PAUSED = 1u << 1,
        SNAPSHOT_REVERT_FORCE = 1u << 2,

        SNAPSHOT_DELETE_CHILDREN = 1u << 0,
        SNAPSHOT_DELETE_METADATA_ONLY = 1u << 1,
        SNAPSHOT_DELETE_CHILDREN_ONLY = 1u << 2,

        SNAPSHOT_LIST_ROOTS = 1u << 0,          /* ListAll; for children: DESCENDANTS */
        SNAPSHOT_LIST_DESCENDANTS = 1u << 0,
        SNAPSHOT_LIST_METADATA = 1u << 1,
        SNAPSHOT_LIST_LEAVES = 1u << 2,
        SNAPSHOT_LIST_NO_LEAVES = 1u << 3,
        SNAPSHOT_LIST_NO_METADATA = 1u << 4,
        SNAPSHOT_LIST_INACTIVE = 1u << 5,
        SNAPSHOT_LIST_ACTIVE = 1u << 6,
        SNAPSHOT_LIST_DISK_ONLY = 1u << 7,
        SNAPSHOT_LIST_INTERNAL = 1u << 8,
        SNAPSHOT_LIST_EXTERNAL = 1u << 9,
        SNAPSHOT_LIST_TOPOLOGICAL = 1u << 10,

        DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 1u << 1,
};

/* d's tree, its files read on first use (NULL only on allocation failure). */
SnapshotTree *snapshot_tree_of(Domain *d);
size_t snapshot_count(Domain *d);

/* Lookups: NULL with libvirt's texts ("Domain snapshot not found: no domain snapshot with
 * matching name '…'", "the domain does not have a current snapshot"). */
Snapshot *snapshot_lookup(Domain *d, const char *name, VbError *err);
Snapshot *snapshot_current(Domain *d, VbError *err);
Snapshot *snapshot_parent(Snapshot *s, VbError *err);

/* virDomainListAllSnapshots (from NULL) and virDomainSnapshotListAllChildren (from s): a
 * malloc'ed array of borrowed snapshots, their count in *n; -1 with err. */
int snapshot_list(Domain *d, Snapshot *from, unsigned flags, Snapshot ***out, size_t *n, VbError *err);
char *snapshot_get_xml(Snapshot *s, unsigned flags, VbError *err);
bool snapshot_is_current(const Snapshot *s);

/* The verbs: 0, VERB_PENDING (call completes later; for create its result is the Snapshot *,
 * borrowed), or -1 with err set and nothing changed. */
int snapshot_create(Domain *d, const char *xml, unsigned flags, Call *call, Snapshot **out, VbError *err);
int snapshot_revert(Snapshot *s, unsigned flags, Call *call, VbError *err);
/* A revert brings back the snapshot's <domain> as the persistent definition (saved), as
 * libvirt's: 0 (also when the snapshot has none or the domain is transient) or -1 with err. */
int snapshot_restore_definition(Domain *d, const SnapshotDef *def, VbError *err);
int snapshot_delete(Snapshot *s, unsigned flags, Call *call, VbError *err);

/* Undefine: refused for an inactive domain with snapshots unless SNAPSHOTS_METADATA; with it,
 * the metadata goes once the domain is undefined. */
int snapshot_undefine_check(Domain *d, unsigned flags, VbError *err);
void snapshot_undefined(Domain *d, unsigned flags);

/* Make s (NULL: none) the current snapshot, and record it in both files. */
void snapshot_set_current(Domain *d, Snapshot *s);
/* s leaves the tree and its file goes: its children and "current" move to its parent. */
void snapshot_tree_remove(Domain *d, Snapshot *s);
