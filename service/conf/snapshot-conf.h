/* snapshot-conf.h: the domain snapshot definition (libvirt's <domainsnapshot> XML), parsed and formatted as pure functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain-conf.h"
#include "error.h"

#define SNAPSHOT_NAME_MAX 240u          /* a snapshot name is a file name (with ".xml") and a qcow2 tag */
#define SNAPSHOT_DISKS_MAX 256u

/* Flags of snapshot_def_parse. */
enum {
        /* The daemon's own files and virsh's --redefine: state, parent, creationTime, the
         * embedded <domain> and <active> are read; a user's new snapshot has none of them. */
        SNAPSHOT_PARSE_REDEFINE = 1u << 0,
};

/* Flags of snapshot_def_format. */
enum {
        SNAPSHOT_FORMAT_SECURE = 1u << 0,       /* VIR_DOMAIN_SNAPSHOT_XML_SECURE */
        SNAPSHOT_FORMAT_INTERNAL = 1u << 1,     /* the daemon's files: <active>1</active> on the current one */
};

typedef struct SnapshotDiskDef {
        char *name;             /* target dev (vda) or, as given, a source path */
        char *snapshot;         /* no, internal, external, manual; NULL: the default */
        char *driver_type;      /* external: the overlay's format */
        char *source_file;      /* external: the overlay */
} SnapshotDiskDef;

typedef struct SnapshotDef {
        char *name;
        char *description;      /* may be NULL */
        char *state;            /* running, paused, shutoff, disk-snapshot; NULL: not yet taken */
        char *parent;           /* the parent's name, NULL for a root */
        bool has_creation_time;
        int64_t creation_time;  /* seconds since the epoch */
        char *memory;           /* <memory snapshot='…'>: no, internal, external; NULL: absent */
        char *memory_file;
        SnapshotDiskDef *disks;
        size_t n_disks;
        DomainDef *dom;         /* the domain as it was (inactive format); may be NULL */
        bool current;           /* <active>1</active> (internal format only) */
} SnapshotDef;

/* Parse xml (need not be NUL-terminated); errors name the element at fault. */
SnapshotDef *snapshot_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
/* The XML, in libvirt's layout; NULL on allocation failure. */
char *snapshot_def_format(const SnapshotDef *def, unsigned flags);
SnapshotDef *snapshot_def_free(SnapshotDef *def);
/* Can name be a file name (and a qcow2 tag), as a driver that keeps files needs? */
bool snapshot_name_valid(const char *name);
/* The same with the error: libvirt's "invalid char in name: /". 0 or -1. */
int snapshot_name_check_file(const char *name, VbError *err);
/* Add a disk entry (strings copied); NULL on allocation failure. */
SnapshotDiskDef *snapshot_def_add_disk(SnapshotDef *def, const char *name, const char *snapshot);
