/* snapshot-store.h: a domain's snapshot tree on disk (snapshot-store.c). */
#pragma once

#include "error.h"
#include "snapshot-tree.h"

/* The tree's files, CONFIG/snapshot/DOMAIN/NAME.xml (0600). */
int snapshot_store_save(Domain *d, const Snapshot *s, VbError *err);
int snapshot_store_remove(Domain *d, const char *name, VbError *err);
void snapshot_store_remove_all(Domain *d);
/* Read every file into t (a file that does not read is logged and left alone). */
void snapshot_store_load(Domain *d, SnapshotTree *t);
