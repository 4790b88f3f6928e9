/* lvm-run.h: sequences of lvm2 commands in children (logical pools), and their JSON reports. */
#pragma once

#include <json-c/json.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "storage-backend.h"

#define LVM_BIN "/usr/sbin/lvm"
#define BLKID_BIN "/usr/sbin/blkid"
#define LVM_STEPS_MAX 40
#define LVM_ARGS_MAX 40

typedef enum LvmStepKind {
        LVM_STEP_LVM,           /* lvm <args…>: status 0 or the step fails with lvm's words */
        LVM_STEP_PROBE_EMPTY,   /* blkid -p <device>: fails ("already formatted using …") when the device holds a signature */
} LvmStepKind;

/* r < 0: err tells which step failed (the later ones did not run). outs[i]: what step i
 * printed (NULL if it did not run). */
typedef void (*LvmSeqDone)(void *userdata, int r, const VbError *err, const char *const outs[]);

typedef struct LvmSeq LvmSeq;

/* "logical pools need /usr/sbin/lvm (Debian package lvm2), which is not installed". */
int lvm_check_installed(VbError *err);

LvmSeq *lvm_seq_new(sd_event *e, LvmSeqDone done, void *userdata);
/* A step; its arguments (NULL-terminated, copied) follow kind: for LVM_STEP_LVM the lvm
 * command and its options, for LVM_STEP_PROBE_EMPTY the device. */
void lvm_seq_add(LvmSeq *s, LvmStepKind kind, ...) __attribute__((sentinel));
/* Run the steps in turn; done runs once on the loop afterwards. -1 (s freed, done never
 * called) when the first cannot start. */
int lvm_seq_start(LvmSeq *s, VbError *err);
void lvm_seq_free(LvmSeq *s);

/* The rows of an lvm --reportformat json report ("vg", "lv", "pv"): NULL when out holds none.
 * *doc owns them (json_object_put). */
json_object *lvm_report_rows(const char *out, const char *kind, json_object **doc);
const char *lvm_field(json_object *row, const char *name);
uint64_t lvm_field_u64(json_object *row, const char *name);
