/* logical.h: what logical-pool.c and logical-vol.c share. */
#pragma once

#include <stdbool.h>

#include "storage-backend.h"

/* The pool's volume group: <source><name>, else the pool's name. */
const char *logical_vg(const StoragePool *p);
/* A name lvm accepts for a VG or an LV: letters, digits and "+_.-", not starting with '-'. */
bool logical_name_ok(const char *name);
/* The pool's capacity, allocation and available from a vgs JSON report. */
void logical_update_sizes(StoragePool *p, const char *vgs_out);

/* logical-vol.c */
int logical_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err);
int logical_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err);
int logical_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);
int logical_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err);

/* logical-sources.c: the volume groups of the host's physical volumes (pvs), as <sources>. */
int logical_find_sources(sd_event *e, const char *spec, Call *call, VbError *err);
