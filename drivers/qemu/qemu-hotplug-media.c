/* qemu-hotplug-media.c: a running guest's CD-ROM media changed or ejected (QMP blockdev-change-medium, eject), with the DAC label of the new image and, for a guest AppArmor confines, its profile reloaded with it first. */
#define LOG_MODULE "qemu"
#include "qemu-hotplug-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-command.h"

typedef struct Media {
        QemuDomain *qd;
        size_t index;
        DomainDisk disk;        /* the new media (source_file NULL: ejected), for labels */
} Media;

static void media_free(Media *m) {
        free(m->disk.source_file);
        free(m->disk.driver_type);
        free(m);
}

static void on_media(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Media *m = userdata;
        QemuDomain *qd = m->qd;
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        if (q != qd->qmp || !qd->job) {
                if (m->disk.source_file)
                        qemu_disk_unlabel(qd->qc, d, &m->disk);
        } else if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot change the media of %s: %s",
                             m->disk.target_dev, desc ? desc : cls);
                if (m->disk.source_file)
                        qemu_disk_unlabel(qd->qc, d, &m->disk);
        } else if (!d->live || m->index >= d->live->priv->devices.n_disks) {
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "disk %zu went away", m->index);
        } else {
                DomainDisk *cur = &d->live->priv->devices.disks[m->index];
                if (cur->source_file)
                        qemu_disk_unlabel(qd->qc, d, cur);
                free(cur->source_file);
                cur->source_file = m->disk.source_file;
                m->disk.source_file = NULL;
                if (m->disk.driver_type) {
                        free(cur->driver_type);
                        cur->driver_type = m->disk.driver_type;
                        m->disk.driver_type = NULL;
                }
                r = domain_save_status(d, &e) < 0 ? (log_warning("domain %s: status not saved: %s", d->obj.name,
                                                                 e.message), 0) : 0;
        }
        qemu_apparmor_refresh(qd->qc, d);     /* the profile follows the running definition */
        if (q == qd->qmp && qd->job)
                qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        media_free(m);
        domain_unref(d);
}

static void media_drop(void *arg) {
        media_free(arg);
}

/* After the AppArmor profile's reload (a confined guest): the new image labelled, then QMP. */
static int media_go(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        Media *m = arg;
        QemuDomain *qd = d->driver_data;
        const char *path = m->disk.source_file;
        char alias[32];
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp) || !qd->qc || !d->live) {
                media_free(m);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        }
        json_object *args = json_object_new_object();
        if (!args || qemu_disk_alias(d->live, m->index, alias, sizeof alias, err) < 0) {
                json_object_put(args);
                media_free(m);
                qemu_apparmor_refresh(qd->qc, d);
                return err->code ? -1 : vb_error_errno(err, -ENOMEM, "change media");
        }
        json_object_object_add(args, "id", json_object_new_string(alias));
        const char *cmd = "eject";
        if (path) {
                if (qemu_disk_label(qd->qc, d, &m->disk, NULL, err) < 0) {
                        json_object_put(args);
                        media_free(m);
                        qemu_apparmor_refresh(qd->qc, d);
                        return -1;
                }
                cmd = "blockdev-change-medium";
                json_object_object_add(args, "filename", json_object_new_string(path));
                json_object_object_add(args, "format", json_object_new_string(m->disk.driver_type));
                json_object_object_add(args, "read-only-mode", json_object_new_string("read-only"));
        } else {
                json_object_object_add(args, "force", json_object_new_boolean(true));
        }
        int r = qmp_send(qd->qmp, cmd, args, on_media, m);
        if (r < 0) {
                if (path)
                        qemu_disk_unlabel(qd->qc, d, &m->disk);
                media_free(m);
                qemu_apparmor_refresh(qd->qc, d);
                return vb_error_errno(err, r, cmd);
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

int qemu_domain_change_media(Domain *d, size_t index, const char *path, const char *format, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp) || !qd->qc)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        if (strcmp(format, "raw") != 0 && strcmp(format, "qcow2") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "disk format '%s' is not supported (only raw and qcow2 are)", format);
        char alias[32];
        if (qemu_disk_alias(d->live, index, alias, sizeof alias, err) < 0)
                return -1;
        Media *m = calloc(1, sizeof *m);
        if (!m || (path && !(m->disk.source_file = strdup(path))) || !(m->disk.driver_type = strdup(format))) {
                if (m)
                        media_free(m);
                return vb_error_errno(err, -ENOMEM, "change media");
        }
        m->qd = qd;
        m->index = index;
        m->disk.type = (char *) "file";
        m->disk.device = (char *) "cdrom";
        m->disk.readonly = true;
        m->disk.target_dev = d->live->priv->devices.disks[index].target_dev;
        /* A guest AppArmor confines: the new image enters its profile before QEMU opens it. */
        int r = path ? qemu_apparmor_hotplug(qd, &m->disk, media_go, media_drop, m, call, err) : 0;
        if (r < 0)
                media_free(m);
        return r != 0 ? r : media_go(d, NULL, m, call, err);
}
