/* backup-conf.h: the domain backup definition (libvirt's <domainbackup> XML, push mode), parsed and formatted as pure functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define BACKUP_DISKS_MAX 256u

typedef struct BackupDiskDef {
        char *name;             /* target dev (vda) */
        bool skip;              /* backup='no' */
        char *target_file;      /* where the copy goes (a new file) */
        char *driver_type;      /* its format: qcow2 (default) or raw */
        const char *state;      /* formatted while it runs: running, complete, failed, cancelled */
} BackupDiskDef;

typedef struct BackupDef {
        char *mode;             /* push (pull: not done) */
        char *incremental;      /* the checkpoint the copy starts from; NULL: a full copy */
        BackupDiskDef *disks;
        size_t n_disks;
} BackupDef;

BackupDef *backup_def_parse(const char *xml, size_t len, VbError *err);
char *backup_def_format(const BackupDef *def);
BackupDef *backup_def_free(BackupDef *def);
