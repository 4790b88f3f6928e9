/* checkpoint-store.h: a domain's checkpoint tree on disk (checkpoint-store.c). */
#pragma once

#include "checkpoint-tree.h"
#include "error.h"

/* The tree's files, CONFIG/checkpoint/DOMAIN/NAME.xml (0600). */
int checkpoint_store_save(Domain *d, const Checkpoint *c, VbError *err);
int checkpoint_store_remove(Domain *d, const char *name, VbError *err);
void checkpoint_store_remove_dir(Domain *d);     /* once empty */
void checkpoint_store_load(Domain *d, CheckpointTree *t);
