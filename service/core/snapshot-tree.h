/* snapshot-tree.h: a domain's snapshot tree in memory (nodes, parents, children, current), below the domain that owns it and the verbs that change it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "snapshot-conf.h"

typedef struct Domain Domain;

typedef struct Snapshot {
        SnapshotDef *def;               /* def->parent names the parent; def->current mirrors tree->current */
        Domain *domain;                 /* not a reference: the domain owns its tree */
        struct Snapshot *parent;        /* NULL for a root */
        struct Snapshot **children;
        size_t n_children;
} Snapshot;

typedef struct SnapshotTree {
        Snapshot **all;                 /* in creation order */
        size_t n;
        Snapshot *current;
        bool loaded;                    /* the files of the domain's config dir were read */
} SnapshotTree;

void snapshot_tree_free(SnapshotTree *t);
/* One node freed (its def and its children array; not the children): the node has left the tree. */
Snapshot *snapshot_node_free(Snapshot *s);
/* The node of that name, or NULL. */
Snapshot *snapshot_tree_find(SnapshotTree *t, const char *name);
/* Add def (taken) to t as a child of its named parent; the new node (NULL on ENOMEM). */
Snapshot *snapshot_tree_add(SnapshotTree *t, Domain *d, SnapshotDef *def);
/* Rebuild parent/children links from each def->parent (after a load). */
void snapshot_tree_link(SnapshotTree *t);
