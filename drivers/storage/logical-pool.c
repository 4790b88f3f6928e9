/* logical-pool.c: logical pools: an LVM volume group (<source><name>, on <source><device>s) through
 * Debian's lvm2 tools, each run in a child (lvm-run.c): build = pvcreate + vgcreate, start =
 * vgchange -ay, refresh = vgs + lvs (JSON reports), stop = vgchange -an, delete = vgremove +
 * pvremove. Its volumes are the group's logical volumes (logical-vol.c). */
#define LOG_MODULE "storage"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "logical.h"
#include "lvm-run.h"

#define REPORT "--reportformat", "json", "--units", "b", "--nosuffix"
#define VG_FIELDS "-o", "vg_name,vg_size,vg_free"
#define LV_FIELDS "-o", "lv_name,lv_uuid,lv_size,lv_attr"

const char *logical_vg(const StoragePool *p) {
        PoolSourceView src;
        pool_def_get_source(p->def, &src);
        return src.name ? src.name : p->def->name;
}

/* lvm's own rule for VG and LV names: letters, digits and "+_.-", not starting with '-'. */
bool logical_name_ok(const char *name) {
        size_t n = strlen(name);
        return n > 0 && n < 128 && name[0] != '-' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-") == n;
}

static int logical_check(PoolDef *def, VbError *err) {
        PoolSourceView src;
        pool_def_get_source(def, &src);
        const char *vg = src.name ? src.name : def->name;
        if (!logical_name_ok(vg))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "volume group name '%s' of pool '%s' is not one lvm accepts", vg, def->name);
        for (size_t i = 0; i < src.n_devices; i++)
                if (src.devices[i][0] != '/')
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                            "source device '%s' of pool '%s' is not an absolute path", src.devices[i],
                                            def->name);
        if (pool_def_set_source(def, vg, src.format ? NULL : "lvm2") < 0)
                return vb_error_errno(err, -ENOMEM, "pool definition");
        /* The strings of src were replaced: read them again. */
        pool_def_get_source(def, &src);
        vg = src.name;
        if (src.format && strcmp(src.format, "lvm2") != 0 && strcmp(src.format, "auto") != 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "unknown logical pool format type '%s'",
                                    src.format);
        /* The volumes of a volume group are its device nodes /dev/VG/LV: libvirt's target path
         * of a logical pool, whatever the XML says. */
        char *path = NULL;
        if (asprintf(&path, "/dev/%s", vg) < 0)
                return vb_error_errno(err, -ENOMEM, "pool definition");
        free(def->target_path);
        def->target_path = path;
        return 0;
}

/* ---- the group's sizes and volumes from vgs and lvs ---- */

static VolDef *lv_describe(StoragePool *p, json_object *row) {
        const char *name = lvm_field(row, "lv_name"), *uuid = lvm_field(row, "lv_uuid");
        const char *attr = lvm_field(row, "lv_attr");
        /* Hidden LVs ([name]) and thin pools (attr 't') hold no guest data of their own. */
        if (!name || !uuid || !logical_name_ok(name) || name[0] == '.' || (attr && attr[0] == 't'))
                return NULL;
        static const char xml[] = "<volume type='block'><name>x</name><capacity>0</capacity></volume>";
        VolDef *def = vol_def_parse(xml, sizeof xml - 1, 0, NULL);
        if (!def)
                return NULL;
        free(def->name);
        def->name = strdup(name);
        if (asprintf(&def->path, "%s/%s", p->def->target_path, name) < 0)
                def->path = NULL;
        def->key = strdup(uuid);
        free(def->type);
        def->type = strdup("block");
        def->capacity = def->allocation = lvm_field_u64(row, "lv_size");
        if (!def->name || !def->path || !def->key || !def->type)
                return vol_def_free(def);
        return def;
}

void logical_update_sizes(StoragePool *p, const char *vgs_out) {
        json_object *doc;
        json_object *rows = lvm_report_rows(vgs_out, "vg", &doc);
        json_object *row = rows && json_object_array_length(rows) ? json_object_array_get_idx(rows, 0) : NULL;
        if (row) {
                p->def->capacity = lvm_field_u64(row, "vg_size");
                p->def->available = lvm_field_u64(row, "vg_free");
                p->def->allocation = p->def->capacity - p->def->available;
        }
        json_object_put(doc);
}

static int sync_volumes(StoragePool *p, const char *lvs_out, VbError *err) {
        json_object *doc;
        json_object *rows = lvm_report_rows(lvs_out, "lv", &doc);
        if (!rows) {
                json_object_put(doc);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE,
                                    "cannot read the logical volumes of '%s' from lvs", logical_vg(p));
        }
        size_t n = json_object_array_length(rows);
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                VolDef *def = lv_describe(p, json_object_array_get_idx(rows, i));
                if (def)
                        r = pool_sync_volume(p, def, err);
        }
        for (Object *o = p->volumes.first, *next; o && r == 0; o = next) {
                next = o->next;
                bool found = false;
                for (size_t i = 0; i < n && !found; i++) {
                        const char *name = lvm_field(json_object_array_get_idx(rows, i), "lv_name");
                        found = name && strcmp(name, o->name) == 0;
                }
                if (!found)
                        pool_drop_volume((StorageVol *) o);
        }
        json_object_put(doc);
        return r;
}

/* Steps k and k+1 of a sequence were vgs and lvs: the pool as they report it. */
static void on_scanned(void *userdata, int r, const VbError *err, const char *const outs[]) {
        StoragePool *p = userdata;
        VbError e = { 0 };
        size_t k = 0;
        while (k + 2 < LVM_STEPS_MAX && outs[k + 2])
                k++;
        if (r == 0) {
                logical_update_sizes(p, outs[k]);
                r = sync_volumes(p, outs[k + 1], &e);
                err = r < 0 ? &e : NULL;
        }
        pool_job_done(p, r, err);
}

static void on_done(void *userdata, int r, const VbError *err, const char *const outs[]) {
        pool_job_done(userdata, r, err);
}

static int start_seq(StoragePool *p, LvmSeq *s, VbError *err) {
        return lvm_seq_start(s, err) < 0 ? -1 : VERB_PENDING;
}

static void add_scan(LvmSeq *s, const char *vg) {
        lvm_seq_add(s, LVM_STEP_LVM, "vgs", REPORT, VG_FIELDS, vg, NULL);
        lvm_seq_add(s, LVM_STEP_LVM, "lvs", REPORT, LV_FIELDS, vg, NULL);
}

static int logical_refresh(StoragePool *p, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        LvmSeq *s = lvm_seq_new(storage_event(p), on_scanned, p);
        if (s)
                add_scan(s, logical_vg(p));
        return start_seq(p, s, err);
}

static int logical_start(StoragePool *p, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        LvmSeq *s = lvm_seq_new(storage_event(p), on_scanned, p);
        if (s) {
                lvm_seq_add(s, LVM_STEP_LVM, "vgchange", "-ay", logical_vg(p), NULL);
                add_scan(s, logical_vg(p));
        }
        return start_seq(p, s, err);
}

static int logical_stop(StoragePool *p, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        LvmSeq *s = lvm_seq_new(storage_event(p), on_done, p);
        if (s)
                lvm_seq_add(s, LVM_STEP_LVM, "vgchange", "-an", logical_vg(p), NULL);
        return start_seq(p, s, err);
}

static int logical_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if ((flags & POOL_BUILD_OVERWRITE) && (flags & POOL_BUILD_NO_OVERWRITE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and 'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
        if (lvm_check_installed(err) < 0)
                return -1;
        PoolSourceView src;
        pool_def_get_source(p->def, &src);
        if (!src.n_devices)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "logical pool '%s' needs <source><device path='…'/> to be built", p->obj.name);
        LvmSeq *s = lvm_seq_new(storage_event(p), on_done, p);
        if (!s)
                return vb_error_errno(err, -ENOMEM, "pool build");
        /* Without OVERWRITE a device that holds anything (a file system, a partition table, a
         * PV) is refused before any is touched. */
        bool overwrite = flags & POOL_BUILD_OVERWRITE;
        for (size_t i = 0; i < src.n_devices && !overwrite; i++)
                lvm_seq_add(s, LVM_STEP_PROBE_EMPTY, src.devices[i], NULL);
        for (size_t i = 0; i < src.n_devices; i++) {
                if (overwrite)
                        lvm_seq_add(s, LVM_STEP_LVM, "pvcreate", "-ff", "-y", src.devices[i], NULL);
                else
                        lvm_seq_add(s, LVM_STEP_LVM, "pvcreate", src.devices[i], NULL);
        }
        const char *d[16] = { 0 };
        for (size_t i = 0; i < src.n_devices; i++)
                d[i] = src.devices[i];
        lvm_seq_add(s, LVM_STEP_LVM, "vgcreate", logical_vg(p), d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8],
                    d[9], d[10], d[11], d[12], d[13], d[14], d[15], NULL);
        return start_seq(p, s, err);
}

static int logical_remove(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        PoolSourceView src;
        pool_def_get_source(p->def, &src);
        LvmSeq *s = lvm_seq_new(storage_event(p), on_done, p);
        if (!s)
                return vb_error_errno(err, -ENOMEM, "pool delete");
        lvm_seq_add(s, LVM_STEP_LVM, "vgremove", "-f", logical_vg(p), NULL);
        for (size_t i = 0; i < src.n_devices; i++)
                lvm_seq_add(s, LVM_STEP_LVM, "pvremove", src.devices[i], NULL);
        return start_seq(p, s, err);
}

const StorageBackend storage_backend_logical = {
        .type = "logical",
        .check = logical_check,
        .build = logical_build,
        .start = logical_start,
        .stop = logical_stop,
        .refresh = logical_refresh,
        .remove = logical_remove,
        .vol_create = logical_vol_create,
        .vol_delete = logical_vol_delete,
        .vol_wipe = storage_wipe,
        .vol_resize = logical_vol_resize,
        .vol_download = dir_vol_download,
        .vol_upload = dir_vol_upload,
        .vol_open = logical_vol_open,
        .find_sources = logical_find_sources,
};
