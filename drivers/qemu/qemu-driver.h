/* qemu-driver.h: the QEMU driver's shared state: per connection (QemuConn) and per running domain (QemuDomain). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "domain.h"
#include "driver.h"
#include "qemu-caps.h"
#include "qemu-conf.h"
#include "qemu-process.h"
#include "qmp.h"

/* The drivers main.c adds: qemu:///session (session mode) or qemu:///system (system mode).
 * Not const: the hypervisor version is learnt from the QEMU binary at open. */
extern Driver qemu_session_driver;
extern Driver qemu_system_driver;

#define QEMU_EMULATOR_DEFAULT "/usr/bin/qemu-system-x86_64"
#define QEMU_DESTROY_GRACE_USEC (10 * 1000000ULL)
#define QEMU_MONITOR_TIMEOUT_USEC (30 * 1000000ULL)     /* a starting QEMU: may be slow to get there */
#define QEMU_RECOVER_TIMEOUT_USEC (10 * 1000000ULL)     /* a running one found again: answers at once */

typedef struct QemuConn {
        Connection *conn;
        sd_event *event;
        QemuConfig cfg;
        QemuCapsCache *caps;
        char *log_dir;          /* QEMU's logs: NAME.log */
        bool probing;
} QemuConn;

/* What a pending verb waits for. */
typedef enum QemuWait {
        QEMU_WAIT_NONE,
        QEMU_WAIT_START,        /* the monitor, then cont */
        QEMU_WAIT_REPLY,        /* the reply to a QMP command (stop, cont, powerdown, reset) */
        QEMU_WAIT_EXIT,         /* the process's end (destroy) */
} QemuWait;

typedef struct QemuDomain {
        Domain *domain;         /* not a reference: the domain owns this */
        QemuConn *qc;           /* NULL once the connection is closing */
        QemuProcess *proc;
        Qmp *qmp;
        char *monitor_path;
        Call *call;             /* the pending verb's call (a reference), or NULL */
        QemuWait wait;
        unsigned start_flags;
        DomainInput after_reply;        /* transition on the reply when the event has not come (or _MAX) */
        bool shutdown_seen;     /* the guest powered off (SHUTDOWN event): quit, then POWERED_OFF */
        bool fake_reboot;       /* reboot asked: the next SHUTDOWN is a reset, not an end */
        bool in_fake_reboot;    /* between that SHUTDOWN and the cont that follows it */
        bool destroying;
        bool monitor_broken;    /* unreachable or dropped (over QMP_MESSAGE_MAX): kept running */
        bool recovering;        /* adopted after a restart, monitor being reconnected */
        int vnc_port, spice_port;       /* chosen for automatic displays at start; -1 none */
        uint64_t balloon_kib;   /* last BALLOON_CHANGE (0: none seen) */
        uint64_t balloon_target_kib;    /* the balloon command in flight */
        char **pty_labels, **pty_paths; /* query-chardev at start: chardev label → /dev/pts/N */
        size_t n_ptys;
        sd_event_source *kill_timer;
} QemuDomain;

QemuConn *qemu_conn_of(Connection *c);
QemuDomain *qemu_domain_get(Domain *d);        /* created on first use; NULL on ENOMEM */

/* qemu-domain.c */
extern const DomainOps qemu_domain_ops;
/* Wire a process and a monitor socket to qd (start or recovery). */
int qemu_domain_open_monitor(QemuDomain *qd, bool recovering);
void qemu_domain_forget(Domain *d);
/* Watch a QEMU found again after a restart (qemu_process_adopt with the domain's exit handler). */
int qemu_domain_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, const char *log_path, VbError *err);
/* Let go of every QEMU without signalling it (the daemon is stopping). */
void qemu_domain_release_all(Connection *c);

/* qemu-recover.c: the runtime record beside the core's status file, and restart recovery. */
int qemu_runtime_save(QemuDomain *qd, VbError *err);
void qemu_runtime_remove(Connection *c, const char *name);
int qemu_recover_all(QemuConn *qc);
int qemu_monitor_path(Connection *c, const char *name, char **out);
