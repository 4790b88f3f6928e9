/* domain-threshold.h: virDomainSetBlockThreshold and the BLOCK_THRESHOLD event of a running guest's disk. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct Domain Domain;
typedef struct Call Call;

/* dev: a disk's target or source; threshold in bytes (0: none); flags: none. 0, VERB_PENDING
 * (call completes once the driver has set it), or -1. */
int domain_set_block_threshold(Domain *d, const char *dev, uint64_t threshold, unsigned flags, Call *call, VbError *err);
/* The driver saw disk index of d->live written past threshold by excess bytes (the threshold is
 * gone): the doors' BLOCK_THRESHOLD event. */
void domain_notify_block_threshold(Domain *d, size_t index, uint64_t threshold, uint64_t excess);
