/* cpu-models.h: virConnectGetCPUModelNames: the CPU models libvirt 9.0's CPU map names per architecture, as data. */
#pragma once

#include "error.h"

typedef struct Connection Connection;

/* The models of arch (a NULL-terminated static list, possibly empty for a known architecture
 * libvirt lists none for); their count, or -1 with err set (libvirt's "cannot find
 * architecture", flags refused in the driver's words). */
int cpu_model_names(Connection *c, const char *arch, unsigned flags, const char *const **out, VbError *err);
