/* checkpoint-conf.h: the domain checkpoint definition (libvirt's <domaincheckpoint> XML), parsed and formatted as pure functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain-conf.h"
#include "error.h"

#define CHECKPOINT_DISKS_MAX 256u

/* Flags of checkpoint_def_parse. */
enum {
        /* The daemon's own files and virsh's --redefine: parent, creationTime (required), the
         * embedded <domain> and <active> are read; a user's new checkpoint has none of them. */
        CHECKPOINT_PARSE_REDEFINE = 1u << 0,
};

/* Flags of checkpoint_def_format: libvirt's VIR_DOMAIN_CHECKPOINT_XML_* and the daemon's own. */
enum {
        CHECKPOINT_FORMAT_SECURE = 1u << 0,
        CHECKPOINT_FORMAT_NO_DOMAIN = 1u << 1,
        CHECKPOINT_FORMAT_SIZE = 1u << 2,       /* each disk's size='…' (filled by the caller) */
        CHECKPOINT_FORMAT_INTERNAL = 1u << 8,   /* the daemon's files: <active>1</active> on the current one */
};

typedef struct CheckpointDiskDef {
        char *name;             /* target dev (vda) or, as given, a source path */
        char *type;             /* "bitmap" or "no"; NULL: the default */
        char *bitmap;           /* the bitmap's name (bitmap only) */
        bool has_size;
        uint64_t size;          /* bytes changed since the checkpoint (FORMAT_SIZE) */
} CheckpointDiskDef;

typedef struct CheckpointDef {
        char *name;
        char *description;      /* may be NULL */
        char *parent;           /* the parent's name, NULL for a root */
        bool has_creation_time;
        int64_t creation_time;  /* seconds since the epoch */
        CheckpointDiskDef *disks;
        size_t n_disks;
        DomainDef *dom;         /* the domain as it was (inactive format); may be NULL */
        bool current;           /* <active>1</active> (internal format only) */
} CheckpointDef;

/* Parse xml (need not be NUL-terminated); errors are libvirt's where it has one. */
CheckpointDef *checkpoint_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
/* The XML, in libvirt's layout; NULL on allocation failure. */
char *checkpoint_def_format(const CheckpointDef *def, unsigned flags);
CheckpointDef *checkpoint_def_free(CheckpointDef *def);
/* Add a disk entry (strings copied); NULL on allocation failure. */
CheckpointDiskDef *checkpoint_def_add_disk(CheckpointDef *def, const char *name, const char *type, const char *bitmap);
