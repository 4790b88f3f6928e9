/* domain-dump.h: virDomainCoreDump(WithFormat): a running guest's memory (or its whole state) into a file. */
#pragma once

#include "call.h"
#include "error.h"

typedef struct Domain Domain;

/* virDomainCoreDumpFlags (libvirt's values). */
enum {
        DOMAIN_DUMP_CRASH = 1u << 0,
        DOMAIN_DUMP_LIVE = 1u << 1,
        DOMAIN_DUMP_BYPASS_CACHE = 1u << 2,
        DOMAIN_DUMP_RESET = 1u << 3,
        DOMAIN_DUMP_MEMORY_ONLY = 1u << 4,
};

/* virDomainCoreDumpFormat */
enum {
        DOMAIN_CORE_DUMP_FORMAT_RAW,            /* ELF */
        DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
        DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
        DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY,
        DOMAIN_CORE_DUMP_FORMAT_WIN_DMP,
        _DOMAIN_CORE_DUMP_FORMAT_MAX,
};

/* The dump into path (created 0600; a regular file is removed again when the dump fails):
 * with DUMP_MEMORY_ONLY the guest's memory in format (DomainOps.core_dump); without, its whole
 * state as a save image (DomainOps.dump_state) that a restore can start again. */
int domain_core_dump(Domain *d, const char *path, unsigned format, unsigned flags, Call *call, VbError *err);
