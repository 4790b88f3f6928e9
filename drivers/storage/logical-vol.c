/* logical-vol.c: the volumes of a logical pool are its logical volumes: created with lvcreate,
 * resized with lvresize, removed with lvremove (in children); reached as the block device
 * /dev/VG/LV for wipe, upload and download. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "logical.h"
#include "lvm-run.h"

#define REPORT "--reportformat", "json", "--units", "b", "--nosuffix"
#define LV_ROW "-o", "lv_name,lv_uuid,lv_size,vg_size,vg_free"

typedef struct LvOp {
        StoragePool *pool;
        StorageVol *vol;        /* delete, resize */
        VolDef *def;            /* create */
        char lv[300];           /* VG/LV */
        char size[32];
} LvOp;

static LvOp *lv_op_new(StoragePool *p, const char *name, uint64_t size, VbError *err) {
        LvOp *op = calloc(1, sizeof *op);
        if (!op) {
                vb_error_errno(err, -ENOMEM, "volume");
                return NULL;
        }
        op->pool = p;
        snprintf(op->lv, sizeof op->lv, "%s/%s", logical_vg(p), name);
        snprintf(op->size, sizeof op->size, "%llub", (unsigned long long) size);
        return op;
}

/* The row of an lvs report of one LV (with the group's sizes): the pool's sizes follow it. */
static json_object *lv_row(StoragePool *p, const char *out, json_object **doc) {
        json_object *rows = lvm_report_rows(out, "lv", doc);
        json_object *row = rows && json_object_array_length(rows) == 1 ? json_object_array_get_idx(rows, 0) : NULL;
        if (row) {
                p->def->capacity = lvm_field_u64(row, "vg_size");
                p->def->available = lvm_field_u64(row, "vg_free");
                p->def->allocation = p->def->capacity - p->def->available;
        }
        return row;
}

static void on_created(void *userdata, int r, const VbError *err, const char *const outs[]) {
        LvOp *op = userdata;
        StoragePool *p = op->pool;
        VbError e = { 0 };
        json_object *doc = NULL;
        if (r == 0) {
                json_object *row = lv_row(p, outs[1], &doc);
                const char *uuid = row ? lvm_field(row, "lv_uuid") : NULL;
                free(op->def->key);
                op->def->key = uuid ? strdup(uuid) : NULL;
                if (!op->def->key) {
                        r = vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE,
                                         "logical volume '%s' made, but lvs does not report it", op->lv);
                        err = &e;
                } else {
                        op->def->capacity = op->def->allocation = lvm_field_u64(row, "lv_size");
                        log_info("pool %s: logical volume %s created", p->obj.name, op->lv);
                }
        }
        json_object_put(doc);
        free(op);
        pool_job_done(p, r, r < 0 ? err : NULL);
}

int logical_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0 || storage_check_vol_name(def->name, err) < 0)
                return -1;
        if (!logical_name_ok(def->name))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "volume name '%s' is not one lvm accepts (letters, digits, '+_.-')", def->name);
        if (from)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "cloning into a logical pool");
        if (def->backing_path)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "backing stores in a logical pool");
        if (def->format && strcmp(def->format, "raw") != 0 && strcmp(def->format, "none") != 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "volume format '%s' in a logical pool (its volumes are raw block devices)",
                                    def->format);
        free(def->path);
        free(def->type);
        def->path = def->type = NULL;
        if (asprintf(&def->path, "%s/%s", p->def->target_path, def->name) < 0 || !(def->type = strdup("block")))
                return vb_error_errno(err, -ENOMEM, "volume");
        LvOp *op = lv_op_new(p, def->name, def->capacity, err);
        if (!op)
                return -1;
        op->def = def;
        LvmSeq *s = lvm_seq_new(storage_event(p), on_created, op);
        if (s) {
                lvm_seq_add(s, LVM_STEP_LVM, "lvcreate", "--yes", "--name", def->name, "-L", op->size,
                            logical_vg(p), NULL);
                lvm_seq_add(s, LVM_STEP_LVM, "lvs", REPORT, LV_ROW, op->lv, NULL);
        }
        if (lvm_seq_start(s, err) < 0) {
                free(op);
                return -1;
        }
        return VERB_PENDING;
}

static void on_vol_done(void *userdata, int r, const VbError *err, const char *const outs[]) {
        LvOp *op = userdata;
        StorageVol *v = op->vol;
        if (r == 0) {
                json_object *doc = NULL;
                if (op->def)    /* resize: [lvresize, lvs] */
                        v->def->capacity = v->def->allocation = lvm_field_u64(lv_row(op->pool, outs[1], &doc),
                                                                             "lv_size");
                else            /* delete: [lvremove, vgs] */
                        logical_update_sizes(op->pool, outs[1]);
                json_object_put(doc);
        }
        free(op);
        vol_job_done(v, r, err);
}

int logical_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0 || storage_vol_check_unused(v, "delete", err) < 0)
                return -1;
        LvOp *op = lv_op_new(v->pool, v->obj.name, 0, err);
        if (!op)
                return -1;
        op->vol = v;
        LvmSeq *s = lvm_seq_new(storage_event(v->pool), on_vol_done, op);
        if (s) {
                lvm_seq_add(s, LVM_STEP_LVM, "lvremove", "-f", op->lv, NULL);
                lvm_seq_add(s, LVM_STEP_LVM, "vgs", REPORT, "-o", "vg_name,vg_size,vg_free", logical_vg(v->pool),
                            NULL);
        }
        if (lvm_seq_start(s, err) < 0) {
                free(op);
                return -1;
        }
        return VERB_PENDING;
}

int logical_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        if (lvm_check_installed(err) < 0)
                return -1;
        LvOp *op = lv_op_new(v->pool, v->obj.name, capacity, err);
        if (!op)
                return -1;
        op->vol = v;
        op->def = v->def;
        LvmSeq *s = lvm_seq_new(storage_event(v->pool), on_vol_done, op);
        if (s) {
                /* A shrink reached here with the SHRINK flag (the core checked): lvm needs -f. */
                if (capacity < v->def->capacity)
                        lvm_seq_add(s, LVM_STEP_LVM, "lvresize", "--yes", "-f", "-L", op->size, op->lv, NULL);
                else
                        lvm_seq_add(s, LVM_STEP_LVM, "lvresize", "--yes", "-L", op->size, op->lv, NULL);
                lvm_seq_add(s, LVM_STEP_LVM, "lvs", REPORT, LV_ROW, op->lv, NULL);
        }
        if (lvm_seq_start(s, err) < 0) {
                free(op);
                return -1;
        }
        return VERB_PENDING;
}

/* /dev/VG/LV is lvm's link to the device-mapper node: followed, and the end must be a block
 * device. */
int logical_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err) {
        int fd = open(v->def->path, flags | O_CLOEXEC);
        if (fd < 0)
                return storage_sys_error(err, errno, "cannot open volume '%s'", v->def->path);
        struct stat st;
        uint64_t bytes = 0;
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || ioctl(fd, BLKGETSIZE64, &bytes) < 0) {
                close(fd);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "volume '%s' is not a block device", v->def->path);
        }
        if (size)
                *size = bytes;
        return fd;
}
