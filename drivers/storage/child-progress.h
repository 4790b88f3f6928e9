/* child-progress.h: the progress of a volume operation that runs in a forked child (clone, wipe): the child counts bytes in a shared page, the loop reads it a few times a second. */
#pragma once

#include <stdint.h>

#include "storage.h"

typedef struct ChildProgress ChildProgress;

/* Progress of op on the volume called name in pool p (looked up at each reading, so a volume
 * that goes meanwhile is simply no longer told). NULL when it cannot be set up: the operation
 * then runs without progress. */
ChildProgress *child_progress_new(StoragePool *p, const char *name, const char *op, uint64_t total);
/* Where the child adds the bytes it has done (__atomic_store_n); NULL-safe: NULL for NULL. */
uint64_t *child_progress_counter(ChildProgress *cp);
/* The child ended: the last count is told, then that none runs. NULL-safe. */
void child_progress_free(ChildProgress *cp);
