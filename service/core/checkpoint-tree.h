/* checkpoint-tree.h: a domain's checkpoint tree in memory (nodes, parents, children, current), below the domain that owns it and the verbs that change it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "checkpoint-conf.h"

typedef struct Domain Domain;

typedef struct Checkpoint {
        CheckpointDef *def;             /* def->parent names the parent; def->current mirrors tree->current */
        Domain *domain;                 /* not a reference: the domain owns its tree */
        struct Checkpoint *parent;      /* NULL for a root */
        struct Checkpoint **children;
        size_t n_children;
} Checkpoint;

typedef struct CheckpointTree {
        Checkpoint **all;               /* in creation order */
        size_t n;
        Checkpoint *current;            /* the last one made: a new checkpoint's parent */
        bool loaded;                    /* the files of the domain's config dir were read */
} CheckpointTree;

void checkpoint_tree_free(CheckpointTree *t);
/* One node freed (its def and its children array; not the children): the node has left the tree. */
void checkpoint_node_free(Checkpoint *c);
/* The node of that name, or NULL. */
Checkpoint *checkpoint_tree_find(CheckpointTree *t, const char *name);
Checkpoint *checkpoint_tree_add(CheckpointTree *t, Domain *d, CheckpointDef *def);
void checkpoint_tree_link(CheckpointTree *t);
