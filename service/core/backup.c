/* backup.c: the backup verbs: a backup's checks and defaults (push: target files; pull: exports), the driver's start (perhaps pending), a checkpoint made with it, the job's XML and end. */
#define LOG_MODULE "core"
#include "backup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

typedef struct BackupStart {
        Domain *d;                      /* a reference */
        Call *outer;                    /* a reference */
        BackupDef *def;                 /* until the domain takes it */
        CheckpointDef *checkpoint;      /* made with the backup, until the tree takes it */
} BackupStart;

static void start_free(BackupStart *s) {
        backup_def_free(s->def);
        checkpoint_def_free(s->checkpoint);
        call_unref(s->outer);
        domain_unref(s->d);
        free(s);
}

/* Started: the backup is the domain's until backup_ended; its checkpoint joins the tree. */
static void started(BackupStart *s) {
        Domain *d = s->d;
        d->backup = s->def;
        s->def = NULL;
        if (s->checkpoint) {
                VbError e = { 0 };
                Checkpoint *c = checkpoint_commit(d, s->checkpoint, &e);
                if (c) {
                        s->checkpoint = NULL;
                        checkpoint_set_current(d, c);
                } else {
                        log_warning("domain %s: the backup's checkpoint is not recorded: %s", d->obj.name, e.message);
                }
        }
        log_info("domain %s: backup started", d->obj.name);
}

static void on_started(Call *inner, int r, const VbError *err, void *result) {
        BackupStart *s = inner->userdata;
        if (r >= 0)
                started(s);
        domain_job_end(s->d);
        call_complete(s->outer, r < 0 ? -1 : 0, r < 0 ? err : NULL, NULL);
        start_free(s);
}

/* Every disk of the domain, in its order: the ones given keep their choice, the others are
 * copied too (as libvirt) unless they cannot be (cdroms, read-only, no source); a disk
 * without a target file gets SOURCE.SUFFIX (the incremental checkpoint's name, or the time). */
static int align_disks(BackupDef *def, const DomainDef *dom, VbError *err) {
        const DomainDevices *dev = &dom->priv->devices;
        for (size_t i = 0; i < def->n_disks; i++) {
                size_t k = 0;
                while (k < dev->n_disks && (!dev->disks[k].target_dev || strcmp(dev->disks[k].target_dev, def->disks[i].name) != 0))
                        k++;
                if (k == dev->n_disks)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "no disk named '%s'", def->disks[i].name);
                for (size_t j = 0; j < i; j++)
                        if (strcmp(def->disks[j].name, def->disks[i].name) == 0)
                                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "disk '%s' specified twice",
                                                    def->disks[i].name);
        }
        char suffix[64];
        snprintf(suffix, sizeof suffix, "%s", def->incremental ? def->incremental : "");
        if (!suffix[0])
                snprintf(suffix, sizeof suffix, "%lld", (long long) time(NULL));
        for (size_t k = 0; k < dev->n_disks; k++) {
                const DomainDisk *dd = &dev->disks[k];
                BackupDiskDef *bd = NULL;
                for (size_t i = 0; i < def->n_disks && !bd; i++)
                        if (dd->target_dev && strcmp(def->disks[i].name, dd->target_dev) == 0)
                                bd = &def->disks[i];
                bool usable = !dd->readonly && dd->source_file && (!dd->device || strcmp(dd->device, "disk") == 0);
                if (!bd) {
                        if (def->n_disks >= BACKUP_DISKS_MAX)
                                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "too many disks");
                        bd = conf_array_add(&def->disks, &def->n_disks, sizeof *bd);
                        if (!bd || !(bd->name = strdup(dd->target_dev ? dd->target_dev : "")))
                                return vb_error_errno(err, -ENOMEM, "backup disks");
                        bd->skip = !usable;
                }
                if (bd->skip)
                        continue;
                if (!usable)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "disk '%s' cannot be backed up (read-only or no file)",
                                            bd->name);
                if (!bd->driver_type && !(bd->driver_type = strdup("qcow2")))
                        return vb_error_errno(err, -ENOMEM, "backup disks");
                if (def->pull) {
                        /* the export is named after the disk; an incremental one carries backup-DISK,
                         * the checkpoint's changes; the driver places a scratch file not given */
                        if (!bd->export_name && !(bd->export_name = strdup(bd->name)))
                                return vb_error_errno(err, -ENOMEM, "backup disks");
                        if (def->incremental && !bd->export_bitmap && asprintf(&bd->export_bitmap, "backup-%s", bd->name) < 0) {
                                bd->export_bitmap = NULL;
                                return vb_error_errno(err, -ENOMEM, "backup disks");
                        }
                        if (bd->export_bitmap && !def->incremental)
                                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                                    "exportbitmap of disk '%s' needs an incremental backup", bd->name);
                        if (bd->target_file && access(bd->target_file, F_OK) == 0)
                                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                                    "scratch file of disk '%s' exists already: %s", bd->name, bd->target_file);
                        continue;
                }
                if (!bd->target_file && asprintf(&bd->target_file, "%s.%s", dd->source_file, suffix) < 0) {
                        bd->target_file = NULL;
                        return vb_error_errno(err, -ENOMEM, "backup disks");
                }
                if (access(bd->target_file, F_OK) == 0)
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                            "backup target of disk '%s' exists already: %s", bd->name, bd->target_file);
        }
        return 0;
}

int backup_begin(Domain *d, const char *backup_xml, const char *checkpoint_xml, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0, "virDomainBackupBegin", err) < 0)
                return -1;
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->backup_begin)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainBackupBegin");
        if (!domain_is_active(d) || !d->live)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (d->backup)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "there is already a backup job running");
        BackupDef *def = backup_def_parse(backup_xml, strlen(backup_xml), err);
        if (!def)
                return -1;
        CheckpointDef *chk = NULL;
        int r = 0;
        if (def->incremental && !checkpoint_lookup(d, def->incremental, err))
                r = -1;
        else if (align_disks(def, d->live, err) < 0)
                r = -1;
        else if (checkpoint_xml && !(chk = checkpoint_prepare(d, checkpoint_xml, 0, err)))
                r = -1;
        BackupStart *s = r == 0 ? calloc(1, sizeof *s) : NULL;
        Call *inner = s ? call_new(CALL_DOOR_INTERNAL, &call->who, on_started, s) : NULL;
        if (r == 0 && !inner)
                r = vb_error_errno(err, -ENOMEM, "backup");
        if (r == 0 && domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                r = -1;
        if (r < 0) {
                free(s);
                call_unref(inner);
                backup_def_free(def);
                checkpoint_def_free(chk);
                return -1;
        }
        *s = (BackupStart) { domain_ref(d), call_ref(call), def, chk };
        log_info("domain %s: starting a %s backup", d->obj.name, def->incremental ? "incremental" : "full");
        r = ops->backup_begin(d, def, chk, inner, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        inner->completed = true;        /* answered here */
        call_unref(inner);
        if (r == 0)
                started(s);
        domain_job_end(d);
        start_free(s);
        return r < 0 ? -1 : 0;
}

char *backup_get_xml(Domain *d, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "virDomainBackupGetXMLDesc", err) < 0)
                return NULL;
        if (!d->backup) {
                vb_error_set(err, VB_ERR_NO_DOMAIN_BACKUP, VB_FROM_DOMAIN, "no domain backup job present");
                return NULL;
        }
        char *xml = backup_def_format(d->backup);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format backup XML");
        return xml;
}

void backup_ended(Domain *d, bool ok) {
        log_info("domain %s: backup %s", d->obj.name, ok ? "completed" : "failed or cancelled");
        d->backup = backup_def_free(d->backup);
}
