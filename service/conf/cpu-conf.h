/* cpu-conf.h: a standalone <cpu> description (virConnectCompareCPU, virConnectBaselineCPU): a host's or a guest's CPU as libvirt writes it. */
#pragma once

#include <stddef.h>

#include "error.h"

#define CPU_DEF_FEATURES_MAX 1024

typedef struct CpuDefFeature {
        char *name;
        char *policy;           /* force, require, optional, disable, forbid; NULL in a host CPU (require) */
} CpuDefFeature;

typedef struct CpuDef {
        char *mode, *match;     /* guest CPUs only */
        char *arch, *model, *vendor;
        CpuDefFeature *features;
        size_t n_features;
} CpuDef;

/* Parse one <cpu> element; NULL with err set (libvirt's words where it has them). */
CpuDef *cpu_def_parse(const char *xml, size_t len, VbError *err);
CpuDef *cpu_def_free(CpuDef *def);
/* Whether the feature counts as present: force and require (or no policy) do, the rest not. */
int cpu_def_feature_wanted(const CpuDefFeature *f);
