/* checkpoint.h: a domain's checkpoint tree (parent, children, current) and the checkpoint verbs, door-neutral. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "call.h"
#include "checkpoint-tree.h"
#include "error.h"

typedef struct Domain Domain;

/* libvirt's flags. */
enum {
        CHECKPOINT_CREATE_REDEFINE = 1u << 0,
        CHECKPOINT_CREATE_QUIESCE = 1u << 1,
        CHECKPOINT_CREATE_REDEFINE_VALIDATE = 1u << 2,

        CHECKPOINT_DELETE_CHILDREN = 1u << 0,
        CHECKPOINT_DELETE_METADATA_ONLY = 1u << 1,
        CHECKPOINT_DELETE_CHILDREN_ONLY = 1u << 2,

        CHECKPOINT_LIST_ROOTS = 1u << 0,        /* ListAll; for children: DESCENDANTS */
        CHECKPOINT_LIST_DESCENDANTS = 1u << 0,
        CHECKPOINT_LIST_TOPOLOGICAL = 1u << 1,
        CHECKPOINT_LIST_LEAVES = 1u << 2,
        CHECKPOINT_LIST_NO_LEAVES = 1u << 3,
};

/* d's tree, its files read on first use (NULL only on allocation failure). */
CheckpointTree *checkpoint_tree_of(Domain *d);

/* Lookups: NULL with libvirt's texts ("Domain checkpoint not found: no domain checkpoint with
 * matching name '…'", "checkpoint '…' has no parent"). */
Checkpoint *checkpoint_lookup(Domain *d, const char *name, VbError *err);
Checkpoint *checkpoint_parent(Checkpoint *c, VbError *err);

/* virDomainListAllCheckpoints (from NULL) and virDomainCheckpointListAllChildren (from c): a
 * malloc'ed array of borrowed checkpoints (parents before children), their count in *n. */
int checkpoint_list(Domain *d, Checkpoint *from, unsigned flags, Checkpoint ***out, size_t *n, VbError *err);
/* flags: CHECKPOINT_FORMAT_SECURE, NO_DOMAIN (SIZE: not done, an unsupported flag). */
char *checkpoint_get_xml(Checkpoint *c, unsigned flags, VbError *err);

/* The verbs: 0, VERB_PENDING (call completes later; for create its result is the Checkpoint *,
 * borrowed), or -1 with err set and nothing changed. */
int checkpoint_create(Domain *d, const char *xml, unsigned flags, Call *call, Checkpoint **out, VbError *err);
int checkpoint_delete(Checkpoint *c, unsigned flags, Call *call, VbError *err);
/* Check and fill a new checkpoint of d (name, parent, creationTime, domain, disks aligned
 * with the domain's, as libvirt does) without making it: for backup-begin's checkpointXML. */
CheckpointDef *checkpoint_prepare(Domain *d, const char *xml, unsigned flags, VbError *err);
/* Add a made checkpoint (taken) to d's tree as its current one and save its file. */
Checkpoint *checkpoint_commit(Domain *d, CheckpointDef *def, VbError *err);

/* Undefine: refused for an inactive domain with checkpoints unless CHECKPOINTS_METADATA
 * (libvirt's "cannot delete inactive domain with N checkpoints"); with it, the metadata goes
 * once the domain is undefined (the bitmaps stay in the images, as libvirt leaves them). */
#define DOMAIN_UNDEFINE_CHECKPOINTS_METADATA (1u << 4)
int checkpoint_undefine_check(Domain *d, unsigned flags, VbError *err);
void checkpoint_undefined(Domain *d, unsigned flags);

/* Make c (NULL: none) the current checkpoint, and record it in both files. */
void checkpoint_set_current(Domain *d, Checkpoint *c);
/* c leaves the tree and its file goes: its children and "current" move to its parent. */
void checkpoint_tree_remove(Domain *d, Checkpoint *c);
