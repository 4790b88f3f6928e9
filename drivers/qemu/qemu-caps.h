/* qemu-caps.h: what an installed QEMU binary can do, probed once over QMP and cached by path and mtime. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "error.h"

typedef enum QemuAccel {
        QEMU_ACCEL_TCG,
        QEMU_ACCEL_KVM,
        _QEMU_ACCEL_MAX,
} QemuAccel;

typedef struct QemuMachine {
        char *name;             /* "pc-i440fx-7.2" */
        char *alias;            /* "pc", or NULL */
        unsigned max_cpus;
        bool is_default, deprecated;
} QemuMachine;

typedef struct QemuCpuModel {
        char *name;             /* "Skylake-Client" */
        char *alias_of;         /* "Skylake-Client-v1", or NULL */
        bool usable, deprecated;
} QemuCpuModel;

/* Read-only once made; shared by reference. */
typedef struct QemuCaps {
        unsigned n_ref;
        char *binary;
        char *arch;             /* libvirt's name: "x86_64", "i686", "aarch64" */
        unsigned long version;  /* major * 1000000 + minor * 1000 + micro, as libvirt reports it */
        char *package;          /* "Debian 1:7.2+dfsg-7+deb12u18+b3" */
        bool kvm;               /* QEMU ran with accel=kvm on this host */
        QemuMachine *machines;  /* in QEMU's order */
        size_t n_machines;
        QemuCpuModel *cpus[_QEMU_ACCEL_MAX];    /* as QEMU reported them under each accelerator */
        size_t n_cpus[_QEMU_ACCEL_MAX];
        char **devices;         /* instantiable device types, sorted */
        size_t n_devices;
        json_object *record;    /* the raw replies: the cache file's content */
} QemuCaps;

QemuCaps *qemu_caps_ref(QemuCaps *c);
QemuCaps *qemu_caps_unref(QemuCaps *c);

/* Build caps from a probe record (as stored in the cache file). -EINVAL when it lacks what
 * every QEMU answers (version, machines). */
int qemu_caps_from_record(json_object *record, QemuCaps **out);

/* The machine name or alias; NULL when QEMU has none such. */
const QemuMachine *qemu_caps_find_machine(const QemuCaps *c, const char *name);
/* The default machine ("pc-i440fx-7.2" for x86_64), or the first one. */
const QemuMachine *qemu_caps_default_machine(const QemuCaps *c);
bool qemu_caps_has_device(const QemuCaps *c, const char *type);
const QemuCpuModel *qemu_caps_find_cpu(const QemuCaps *c, QemuAccel accel, const char *name);

/* The cache: caps by binary path, in memory and as one JSON file per binary (mode 0600) in
 * cache_dir, valid while the binary's mtime and size, the mtime of QEMU's module directory
 * and the usability of /dev/kvm are what they were at the probe. run_dir takes the probe's monitor socket and log for a moment. */
typedef struct QemuCapsCache QemuCapsCache;

int qemu_caps_cache_new(sd_event *e, const char *cache_dir, const char *run_dir, QemuCapsCache **out);
/* The user QEMU runs as (qemu.conf's, with its supplementary groups; the default: the daemon's
 * own): KVM is offered only where that user may open /dev/kvm (qemu-kvm-access.c). Set it before
 * the first lookup. 0, or -ENOMEM. */
int qemu_caps_cache_set_kvm_user(QemuCapsCache *c, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups);
/* Probes still running are stopped (their QEMU killed, not reaped: it is a helper, not a VM,
 * and the daemon is going) and their waiters told, with caps NULL. Returns NULL. */
QemuCapsCache *qemu_caps_cache_free(QemuCapsCache *c);

/* The valid caps of binary from memory or from the cache file, without probing; borrowed
 * (qemu_caps_ref() to keep), NULL when there are none. Never blocks on QEMU. */
QemuCaps *qemu_caps_cache_lookup(QemuCapsCache *c, const char *binary);

/* Caps of binary, probing it when the cache has none valid. done runs later, never from
 * inside this call, with caps (borrowed) or NULL and err. Concurrent requests for the same
 * binary share one probe. Returns 0 or a negative errno (done not called). */
typedef void (*QemuCapsDoneFn)(QemuCaps *caps, const VbError *err, void *userdata);
int qemu_caps_cache_get(QemuCapsCache *c, const char *binary, QemuCapsDoneFn done, void *userdata);

/* How many QEMU processes this cache has started (tests check the cache spared one). */
unsigned qemu_caps_cache_n_probes(const QemuCapsCache *c);

/* Capabilities XML (virConnectGetCapabilities) for the host and each binary's guests. */
char *qemu_caps_format_capabilities(QemuCaps *const *caps, size_t n_caps, VbError *err);
/* Domain capabilities XML (virConnectGetDomainCapabilities): virttype "kvm" or "qemu" (NULL:
 * kvm where it works, else qemu), machine NULL for the default. An unknown machine, or kvm where KVM does not work, is an error. */
/* libvirt's checks of a virttype ("qemu", "kvm"; NULL: KVM when there is) and a machine (NULL:
 * the default) for c: 0 with *accel and *m, or -1 with libvirt's text. */
int qemu_caps_resolve(const QemuCaps *c, const char *virttype, const char *machine, QemuAccel *accel,
                      const QemuMachine **m, VbError *err);
char *qemu_caps_format_domain_capabilities(const QemuCaps *c, const char *virttype, const char *machine,
                                           VbError *err);
