/* security.h: the security drivers that confine a guest's QEMU, stacked as libvirt stacks them: each takes a definition and the process's credentials, never a Domain or a door. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "domain-conf.h"
#include "error.h"
#include "process.h"
#include "security-selinux-label.h"

/* A file QEMU opens itself, found in a definition (security-paths.c). */
typedef enum SecurityPathKind {
        SECURITY_PATH_DISK,     /* a <disk> source: "storage file" in messages */
        SECURITY_PATH_BOOT,     /* <kernel>, <initrd>, <dtb>, <nvram> */
        SECURITY_PATH_CHARDEV,  /* a file <serial>/<console>: created (0600) when missing */
} SecurityPathKind;

typedef struct SecurityPath {
        char *path;
        SecurityPathKind kind;
        bool readonly;
        /* a disk's <source><seclabel model='…' relabel='no'/>: that driver leaves the file alone */
        bool selinux_norelabel, dac_norelabel;
        const char *selinux_label;      /* its <seclabel model='selinux'><label> (def's string) */
        const char *dac_label;          /* its <seclabel model='dac'><label>: "+UID:+GID" or names */
} SecurityPath;

typedef struct SecurityPaths {
        SecurityPath *v;
        size_t n;
} SecurityPaths;

/* The files of def QEMU opens, each once (a path named twice is writable if either says so).
 * Pure. Returns 0 or -ENOMEM. */
int security_paths_of(const DomainDef *def, SecurityPaths *out);
void security_paths_free(SecurityPaths *p);

struct DomainSeclabel;
/* A primary driver's dynamic label in a running definition: s (the definition's own
 * <seclabel> of that model, or NULL to add one first in the list, as libvirt lists its primary
 * driver's label before DAC's) gets type dynamic, model, relabel yes unless set, label and
 * imagelabel. 0, or -ENOMEM. */
int security_live_seclabel_put(DomainDef *live, struct DomainSeclabel *s, const char *model, const char *label,
                               const char *imagelabel);

/* The user and group names a definition's DAC <label>s name (security-dac-names.c): collected
 * on the event loop, looked up where blocking is allowed (NSS may ask sssd or LDAP: a worker
 * thread), then read by set_files. */
typedef struct SecurityDacName {
        char *name;
        bool group;             /* a group name (the label's second side), else a user name */
        bool looked_up, found;
        unsigned long id;       /* the uid or gid when found */
} SecurityDacName;
typedef struct SecurityDacNames {
        SecurityDacName *v;
        size_t n;
} SecurityDacNames;
/* The names of def's DAC labels, each once ("+N" sides need none). Pure. 0 or -ENOMEM. */
int security_dac_names_of(const DomainDef *def, SecurityDacNames *out);
/* getpwnam_r / getgrnam_r for each: may block; thread-safe (run it off the event loop). */
void security_dac_names_lookup(SecurityDacNames *t);
const SecurityDacName *security_dac_names_find(const SecurityDacNames *t, const char *name, bool group);
void security_dac_names_free(SecurityDacNames *t);

/* The DAC driver's settings: qemu.conf's user, group, dynamic_ownership, remember_owner,
 * resolved to numbers by the caller. */
typedef struct SecurityDacConfig {
        uid_t uid;
        gid_t gid;
        gid_t *groups;          /* the user's supplementary groups (owned) */
        size_t n_groups;
        bool dynamic_ownership;
        bool remember_owner;
        /* The names of the definition's DAC labels, looked up before set_files (the daemon: off
         * the event loop); set_files then never asks NSS, and a name not in it is read as a
         * number. NULL: set_files looks names up itself (tools and tests). */
        const SecurityDacNames *names;
} SecurityDacConfig;

/* Resolve user and group (names, or "+N") and the user's supplementary groups. user NULL
 * means the daemon's own user, group NULL that user's primary group. On failure err says
 * which name does not resolve. */
int security_dac_resolve(const char *user, const char *group, SecurityDacConfig *out, VbError *err);
void security_dac_config_done(SecurityDacConfig *c);

/* One security driver: a small ops table (libvirt's stack: dac first, then selinux or
 * apparmor). Each hook may be NULL. */
typedef struct SecurityDriver {
        const char *model;      /* "dac", "selinux", "apparmor", "none" */
        const char *doi;        /* "0" for dac and none */
        /* Is it usable on this host? false: inactive, and why says so. */
        bool (*probe)(char *why, size_t whylen);
        /* Fill in what the child takes before exec (credentials). */
        int (*set_process)(const void *cfg, const DomainDef *def, ProcessCreds *creds, VbError *err);
        /* At start: label the files QEMU opens; undo what was done before failing. */
        int (*set_files)(const void *cfg, const DomainDef *def, VbError *err);
        /* At stop (or a failed start): give the files back. Never fails: logs. */
        void (*restore_files)(const void *cfg, const DomainDef *def);
        /* The process label as <seclabel> and DomainGetSecurityLabel show it. */
        int (*process_label)(const void *cfg, char *buf, size_t len);
        /* After set_process: the driver's <seclabel> in the running definition. 0 or -errno. */
        int (*live_label)(const void *cfg, DomainDef *live);
        /* A guest found running after a daemon restart: take back what it holds (its MCS pair)
         * from its running definition, so that restore_files works and nothing is reused. */
        int (*reattach)(const void *cfg, const DomainDef *live, VbError *err);
        /* virsh capabilities' <baselabel type=virttype> ("kvm" or "qemu"): what a guest of that
         * type runs as. 0, or -ENOENT: the driver shows none. */
        int (*base_label)(const void *cfg, const char *virttype, char *buf, size_t len);
        /* virDomainGetSecurityLabel(List): the label of a running guest's QEMU (pid; live its
         * running definition) and whether it is enforced. NULL: an empty label, not enforced. */
        int (*guest_label)(const void *cfg, const DomainDef *live, pid_t pid, char *buf, size_t len, bool *enforcing,
                           VbError *err);
} SecurityDriver;

extern const SecurityDriver security_driver_dac;
extern const SecurityDriver security_driver_none;
/* security-selinux.c: sVirt. Its cfg is a SecuritySelinuxConfig (the host's base contexts and
 * the running guests' MCS pairs), made by security_selinux_init() where SELinux is enabled. */
extern const SecurityDriver security_driver_selinux;
bool security_selinux_active(char *why, size_t whylen);
typedef struct SecuritySelinuxGuest {
        uint8_t uuid[16];
        bool has_pair;          /* a dynamic label: its pair is held in the MCS set */
        bool files_done;        /* its files were given back already (a failed start) */
        unsigned c1, c2;
        char exec_label[256];   /* what the child writes to /proc/thread-self/attr/exec */
} SecuritySelinuxGuest;
typedef struct SecuritySelinuxConfig {
        char process[256], image[256], content[256];
        char tcg[256];          /* the base of TCG guests (type='qemu'): svirt_tcg_t; empty: process */
        /* SELinux's mode now: 1 enforcing, 0 permissive, -1 unknown. security_selinux_init()
         * sets libselinux's security_getenforce (asked at each label, as the mode can change). */
        int (*getenforce)(void);
        SelinuxMcsSet mcs;
        SecuritySelinuxGuest *guests;
        size_t n_guests;
} SecuritySelinuxConfig;
/* Read the base contexts (libselinux's virtual_domain_context and virtual_image_context). */
int security_selinux_init(SecuritySelinuxConfig *c, VbError *err);
void security_selinux_done(SecuritySelinuxConfig *c);

/* security-apparmor-model.c: AppArmor as a model (NodeGetSecurityModel "apparmor", a guest's
 * profile as its label). Its cfg is a SecurityApparmorConfig (or NULL: the host's /proc). */
extern const SecurityDriver security_driver_apparmor;
typedef struct SecurityApparmorConfig {
        const char *proc;       /* where /proc/PID/attr is read: NULL "/proc" (tests: a tree) */
} SecurityApparmorConfig;

/* The stack of one connection. */
#define SECURITY_STACK_MAX 4
typedef struct SecurityStack {
        struct {
                const SecurityDriver *drv;
                const void *cfg;
        } layer[SECURITY_STACK_MAX];
        size_t n;
} SecurityStack;

int security_stack_push(SecurityStack *s, const SecurityDriver *drv, const void *cfg);
/* Every layer's set_process and set_files, in order; on failure what was labelled is restored. */
int security_stack_set(const SecurityStack *s, const DomainDef *def, ProcessCreds *creds, VbError *err);
/* Every layer's restore_files, in reverse order. */
void security_stack_restore(const SecurityStack *s, const DomainDef *def);
/* Every layer's live_label (security-stack.c); the first failure's -errno. */
int security_stack_live_label(const SecurityStack *s, DomainDef *live);
/* Every layer's reattach; a layer that fails is logged, the others still run. */
void security_stack_reattach(const SecurityStack *s, const DomainDef *live);

/* The security models a connection shows, in libvirt's order (security-model.c): the primary
 * driver (selinux or apparmor where it runs in the stack, else "none"), then DAC with the user
 * QEMU runs as (dac NULL: left out, the user is unknown). NodeGetSecurityModel is the first, virsh
 * capabilities lists them all, DomainGetSecurityLabelList asks each for a running guest's label. */
#define SECURITY_MODELS_MAX 2
typedef struct SecurityModel {
        const SecurityDriver *drv;
        const void *cfg;
} SecurityModel;
size_t security_models(const SecurityStack *s, const SecurityDacConfig *dac, SecurityModel out[SECURITY_MODELS_MAX]);

/* The primary driver qemu.conf's security_driver asks for (its list, NULL when unset) on a host
 * where SELinux / AppArmor is active or not: unset, the host's own (selinux, else apparmor, else
 * none); "none" none; "dac" is skipped (always stacked); a named driver the host does not run:
 * NULL, why says so. Pure (security-model.c). */
const SecurityDriver *security_primary_driver(char *const *wanted, bool selinux, bool apparmor, char *why,
                                              size_t whylen);

/* The <secmodel> elements of the models, at capabilities' <host> depth ("    <secmodel>\n…"),
 * replacing the first <secmodel>…</secmodel> of xml (freed): the new text, or NULL on ENOMEM. */
char *security_caps_secmodel(const SecurityStack *s, const SecurityDacConfig *dac, char *xml);

/* A running guest's label from each model, in order: their count, or -1 with err. */
#define SECURITY_LABEL_LEN 4097         /* VIR_SECURITY_LABEL_BUFLEN */
typedef struct SecurityLabel {
        char label[SECURITY_LABEL_LEN];
        bool enforcing;
} SecurityLabel;
int security_guest_labels(const SecurityStack *s, const SecurityDacConfig *dac, const DomainDef *live, pid_t pid,
                          SecurityLabel out[SECURITY_MODELS_MAX], VbError *err);
