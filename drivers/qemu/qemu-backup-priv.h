/* qemu-backup-priv.h: a running backup on QEMU, shared by qemu-backup.c (targets, jobs, push) and
 * qemu-backup-pull.c (a pull backup's NBD server, exports and scratch files). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "backup.h"
#include "checkpoint-conf.h"
#include "qemu-priv.h"

typedef struct QemuBackup QemuBackup;

/* A pull backup's exports are up (err NULL), or failed with why (err), its jobs still running. */
typedef void (*QemuBackupExported)(QemuBackup *b, const VbError *err);

typedef struct BkDisk {
        BackupDiskDef *def;     /* in the domain's BackupDef */
        char alias[64];
        char node[128];         /* the node the device writes to */
        uint64_t size;          /* its guest size */
        char target[80];        /* the target's format node; its file node: target + "-storage" */
        int added;              /* nodes added: 0, 1 (file), 2 (format) */
        bool created;           /* the target file is ours */
        char job[80];
        uint64_t done, total;
        bool concluded;
} BkDisk;

struct QemuBackup {
        Domain *d;              /* a reference */
        Call *call;             /* the start's, until it answered */
        BackupDef *def;         /* the core's (d->backup once started) */
        const CheckpointDef *chk;
        json_object *chk_nodes; /* the checkpoint's {node, name} pairs */
        BkDisk *disks;
        size_t n, i;
        uint64_t started_usec;
        bool failed, cancelled;
        bool closing, closing_ok;       /* ended: QEMU is closing the targets, then it is told */
        bool pull;
        int port;               /* pull over TCP: the port this backup reserved (0: none) */
        size_t exported;        /* pull: the NBD exports added */
        bool nbd;               /* pull: the NBD server runs */
        VbError start_err;      /* pull: why the exports failed (the start's answer) */
        QemuBackupExported exported_then;       /* pull: the start's next step once exported */
        sd_event_source *poll;
        struct QemuBackup *next;
};

/* What both files send with: the monitor of the backup's guest while it runs (else NULL), a
 * reply nobody waits for, a string member. */
static inline Qmp *qemu_backup_qmp(QemuBackup *b) {
        QemuDomain *qd = b->d->driver_data;
        return qd && qd->phase == QEMU_PHASE_RUNNING ? qd->qmp : NULL;
}

static inline void qemu_backup_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
}

static inline void qemu_backup_add_str(json_object *o, const char *key, const char *v) {
        json_object_object_add(o, key, json_object_new_string(v));
}

/* qemu-backup-pull.c, below qemu-backup.c: the NBD server and one export per disk once the
 * jobs run, then then(b, NULL), or then(b, &b->start_err) when they could not be made. */
void qemu_backup_nbd_start(QemuBackup *b, QemuBackupExported then);
void qemu_backup_drop_exports(QemuBackup *b);
void qemu_backup_pull_bitmaps(json_object *actions, const BkDisk *k, const char *checkpoint);
int qemu_backup_scratch_path(const QemuDomain *qd, BackupDiskDef *k, VbError *err);
