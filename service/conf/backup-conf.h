/* backup-conf.h: the domain backup definition (libvirt's <domainbackup> XML, push and pull modes), parsed and formatted as pure functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define BACKUP_DISKS_MAX 256u

typedef struct BackupDiskDef {
        char *name;             /* target dev (vda) */
        bool skip;              /* backup='no' */
        char *target_file;      /* push: where the copy goes (a new file); pull: the scratch file */
        char *driver_type;      /* its format: qcow2 (default) or raw; pull: qcow2 */
        char *export_name;      /* pull: the NBD export's name (default: the disk's target) */
        char *export_bitmap;    /* pull, incremental: the dirty bitmap exported with it */
        const char *state;      /* formatted while it runs: running, complete, failed, cancelled */
} BackupDiskDef;

typedef struct BackupDef {
        char *mode;             /* push or pull */
        bool pull;
        /* pull: the NBD server: <server transport='tcp' name= port=/> or transport='unix' socket= */
        char *server_transport; /* tcp (default) or unix */
        char *server_name;      /* tcp: the address to listen on (default localhost) */
        unsigned server_port;   /* tcp: 0 = the driver picks one */
        char *server_socket;    /* unix: an absolute path */
        char *incremental;      /* the checkpoint the copy starts from; NULL: a full copy */
        BackupDiskDef *disks;
        size_t n_disks;
} BackupDef;

BackupDef *backup_def_parse(const char *xml, size_t len, VbError *err);
char *backup_def_format(const BackupDef *def);
BackupDef *backup_def_free(BackupDef *def);
