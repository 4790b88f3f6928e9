/* qemu-command-argv.h: the command line being built: option strings, arguments, refusals; what every part of the builder writes with. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-model.h"
#include "error.h"
#include "qemu-command-input.h"

/* One option value being written ("virtio-blk-pci,drive=…,id=…"). Allocation failure is
 * sticky: later writes are ignored and the command reports out of memory. */
typedef struct QemuStr {
        char *s;
        size_t len, cap;
        bool oom;
} QemuStr;

void qstr_printf(QemuStr *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v with each ',' doubled, as QEMU's option syntax reads a literal comma. */
void qstr_escaped(QemuStr *s, const char *v);
/* ",key=v" with v escaped. */
void qstr_kv(QemuStr *s, const char *key, const char *v);

/* The command being built. */
typedef struct QemuCmd {
        const QemuCommandInput *in;
        const DomainDef *def;
        const DomainDevices *devs;
        VbError *err;
        char **argv;
        size_t n, cap;
        bool oom;
        bool q35, kvm;
        int *disk_boot;          /* bootindex of each disk, 0 = none */
        int *nic_boot;           /* and of each interface */
        struct QemuPciPlan *pci; /* after qemu_cmd_plan_pci() */
        bool free_video_slot;    /* a new definition without video or graphics: libvirt keeps no place for one */
} QemuCmd;

void qemu_cmd_arg(QemuCmd *c, const char *arg);
void qemu_cmd_argf(QemuCmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds option and value, taking value's string (value is left empty). */
void qemu_cmd_opt(QemuCmd *c, const char *option, QemuStr *value);

/* VB_ERR_CONFIG_UNSUPPORTED with the detail; returns -1. */
int qemu_cmd_unsupported(QemuCmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A plain token ([A-Za-z0-9._-]+): what may stand unescaped in an option string. */
bool qemu_token_ok(const char *s);
bool qemu_str_eq(const char *a, const char *b);    /* NULL-safe strcmp == 0 */

