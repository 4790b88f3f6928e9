/* backup.h: a running domain's backup job (push mode): begin, its XML, its end; door-neutral. */
#pragma once

#include "backup-conf.h"
#include "call.h"
#include "error.h"

typedef struct Domain Domain;

/* virDomainBackupBegin: checks (running, one backup at a time, the disks, the incremental
 * checkpoint), fills the default targets, then the driver's op starts the copy; with
 * checkpoint_xml a checkpoint is made at the same instant and joins the tree. 0 (started),
 * VERB_PENDING (call completes once started), -1 with err and nothing changed. */
int backup_begin(Domain *d, const char *backup_xml, const char *checkpoint_xml, unsigned flags, Call *call, VbError *err);
/* virDomainBackupGetXMLDesc of the running backup ("no domain backup job present" else). */
char *backup_get_xml(Domain *d, unsigned flags, VbError *err);
/* The driver reports the copy's end (ok false: failed or cancelled); the job goes. */
void backup_ended(Domain *d, bool ok);
