/* qemu-state.h: the QEMU driver's shared state, per connection (QemuConn) and per running domain
 * (QemuDomain), and its accessors (qemu-state.c): the floor every other file of drivers/qemu stands on. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "domain.h"
#include "driver.h"
#include "qemu-caps.h"
#include "qemu-conf.h"
#include "qemu-ports.h"
#include "process.h"
#include "qmp.h"
#include "security.h"
#include "security-apparmor.h"

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
        SecurityDacConfig dac;  /* qemu.conf's user and group, resolved */
        SecurityStack sec;      /* dac, or none when QEMU runs as the daemon's own user */
        SecuritySelinuxConfig selinux;  /* sVirt's state where SELinux is enabled (else unused) */
        bool sec_ready;         /* false: sec_error says why no guest starts */
        VbError sec_error;
        bool cgroups;           /* each guest gets a cgroup (qemu-cgroup.c) */
        QemuPorts ports;        /* automatic display ports held by guests (qemu-display.c) */
        bool apparmor;          /* the host runs AppArmor: guests get profiles (qemu-apparmor.c) */
        struct Machined *machined;      /* system daemon: systemd-machined's handle (qemu-machined.c), or NULL */
        struct QemuNodedevEvents *nodedev_events;       /* kernel uevents → node device events (qemu-nodedev-events.c) */
} QemuConn;

/* Where the domain's QEMU process stands, as the driver sees it (the guest's own state,
 * running or paused, is the core's). Only qemu_phase_enter() (qemu-domain.c) writes it: it
 * logs old → new, stops what the old phase had running (the destroy grace timer, the
 * recovery retry timer) and starts what the new one needs. */
typedef enum QemuPhase {
        QEMU_PHASE_NONE,           /* no QEMU: nothing watched, no runtime files */
        QEMU_PHASE_STARTING,       /* spawned with -S: monitor, query-chardev, cont; the start waits */
        QEMU_PHASE_RUNNING,        /* the monitor answers; verbs are QMP commands */
        QEMU_PHASE_REBOOTING,      /* reboot asked (ACPI): the next SHUTDOWN is a reset, not an end */
        QEMU_PHASE_RESETTING,      /* that SHUTDOWN came: system_reset and cont sent; RESET ends it */
        QEMU_PHASE_POWERED_OFF,    /* the guest powered off (SHUTDOWN): quit sent, the exit follows */
        QEMU_PHASE_DESTROYING,     /* SIGTERM sent, SIGKILL after the grace time: the exit follows */
        QEMU_PHASE_RECONNECTING,   /* found again after a restart: monitor reconnecting, query-status */
        QEMU_PHASE_UNMANAGED,      /* runs, but its monitor is unreachable or was dropped: kept, marked */
        QEMU_PHASE_LOST,           /* after a restart: may run, but cannot be found or watched now;
                                    * looked for again on a timer, never reported gone meanwhile */
        QEMU_PHASE_SAVING,         /* virDomainSave: the guest stopped, its state migrating to the
                                    * image (qemu-save.c); once there, quit sent: the exit follows */
        _QEMU_PHASE_MAX,
} QemuPhase;

#define QEMU_SERIAL_LOGS_MAX 4     /* file-backed serials whose file goes through a log writer */

/* An IOThread of QEMU and its thread (query-iothreads, qemu-iothread.c). */
typedef struct QemuIothread {
        unsigned id;
        pid_t tid;
} QemuIothread;

/* The migration in flight of a guest (QemuDomain.migration). */
typedef struct QemuMigration {
        bool outgoing;
        bool postcopy;          /* started with VIR_MIGRATE_POSTCOPY: postcopy-ram is on */
        bool completed;         /* QEMU sent it all: its end is the guest's departure, unless cancelled */
} QemuMigration;

struct QemuDomain;
/* A start's next step once QEMU's monitor is up (QEMU still -S). A step that waits for QEMU or
 * the host before the guest may run (its threads placed, its saved state loaded, the migration
 * stream listened for, its NICs' filter rules loaded) is handed it by qemu-domain.c, which
 * sequences the start; the step keeps it in start_next, goes on with qemu_start_next() once
 * done, and gives the start up itself (qemu_domain_start_fail) when it cannot be. */
typedef void (*QemuStartNext)(struct QemuDomain *qd, Qmp *q);

typedef struct QemuDomain {
        Domain *domain;         /* not a reference: the domain owns this */
        QemuConn *qc;           /* NULL once the connection is closing */
        QemuPhase phase;
        Process *proc;
        Qmp *qmp;
        char *monitor_path;
        bool job;               /* a verb answered VERB_PENDING: the driver ends its job */
        Call *call;             /* that verb's call (a reference), or NULL */
        unsigned start_flags;
        DomainInput after_reply;        /* transition on the reply when the event has not come (or _MAX) */
        DomainDef *live;        /* STARTING: the running definition, handed to the core at BOOTED */
        VbError start_error;    /* STARTING: why the start is being given up (code 0: QEMU's log says) */
        QemuStartNext start_next;       /* STARTING: what the step that waits goes on with */
        uint64_t balloon_kib;   /* last BALLOON_CHANGE (0: none seen) */
        uint64_t balloon_target_kib;    /* the balloon command in flight */
        char lost_why[256];     /* LOST: what stands in the way */
        void (*lost_retry)(struct QemuDomain *qd);      /* LOST: looks for it again (qemu-recover.c's) */
        uint64_t retry_usec;    /* LOST: the delay before the next look */
        sd_event_source *kill_timer;    /* DESTROYING */
        sd_event_source *retry_timer;   /* LOST */
        struct QemuConsole *console;    /* the client of the console (qemu-console.c), or NULL */
        struct QemuConsole **channel_clients;   /* channel i's client (qemu-channel.c), n_channel_clients */
        size_t n_channel_clients;
        pid_t *vcpu_tids;       /* vCPU i's thread (query-cpus-fast), n_vcpu_tids of them */
        size_t n_vcpu_tids;
        struct QemuIothread *iothreads; /* the IOThreads' threads (query-iothreads, qemu-iothread.c) */
        size_t n_iothreads;
        unsigned iothread_change;       /* the IOThread an add/del in flight is about */
        int iothread_pending;           /* qom-sets of SetIOThreadParams not answered yet */
        VbError iothread_error;         /* and the first refusal among them */
        struct QemuSave *save;          /* SAVING: the save in flight (qemu-save.c) */
        struct QemuDump *dump;          /* a memory-only dump in flight (qemu-dump.c), or NULL */
        /* A start from a save image (qemu-save.c): QEMU gets the image's stream as -incoming
         * fd:N and is continued (or kept paused) once it has loaded it. */
        bool incoming;
        int incoming_fd;
        bool incoming_loaded;
        const DomainDef *incoming_def;  /* the running definition to start with (borrowed) */
        char *incoming_remove;          /* the managed save image, removed once restored */
        char *incoming_uri;             /* an incoming migration: QEMU's migrate-incoming URI (qemu-migrate.c) */
        int display_ports[3];   /* reserved VNC, SPICE, websocket ports (0: none) */
        Process *log_writer;    /* virtbus-qemu-log of the QEMU this daemon started, until it ends */
        void (*log_writer_gone)(struct QemuDomain *qd); /* what the start asked to hear of its end */
        Process *serial_writers[QEMU_SERIAL_LOGS_MAX];  /* those of its <serial type='file'> */
        bool exit_deferred;     /* QEMU ended while starting: its log writer has its last words */
        siginfo_t exit_info;    /* that exit, handled when the writer is done */
        struct QemuUnplug *unplug;      /* a detach waiting for DEVICE_DELETED (qemu-hotplug.c), or NULL */
        bool aa_loading;        /* a start waits for apparmor_parser -r (qemu-apparmor.c) */
        bool dac_names_busy;    /* a start or hotplug waits for its DAC label names (qemu-dac-names.c) */
        bool aa_hotplug;        /* a hotplug waits for its profile's reload (qemu-apparmor.c) */
        SecurityDacNames *dac_names;    /* a start's looked-up DAC label names, until it spawns */
        char machine[80];       /* the name systemd-machined knows it by, or "" (qemu-machined.c) */
        struct QemuAgentState *agent;   /* the guest agent channel's client (qemu-agent.c), or NULL */
        /* A revert between states (qemu-snapshot-state.c): its stop and start report the
         * FROM_SNAPSHOT inputs; loadvm (borrowed): the internal snapshot QEMU starts from. */
        bool snapshot_revert;
        const char *loadvm;
        /* The precopy cap of the next migration, MiB/s, kept as libvirt does (qemu-migrate*.c). */
        bool migrate_bandwidth_set;
        uint64_t migrate_bandwidth;
        struct QemuMigration *migration;        /* the migration in flight (qemu-migrate.h), or NULL */
        struct QemuPerf *perf;          /* the open perf event counters (qemu-perf.c), or NULL */
        struct QemuPmSuspend *pm_suspend;       /* a suspend waiting for QEMU's SUSPEND (qemu-pm.c), or NULL */
        struct QemuSwtpm *swtpm;        /* the emulated TPM's swtpm beside QEMU (qemu-tpm.c), or NULL */
        bool tpm_setup;                 /* a start waits for swtpm_setup (qemu-tpm.c) */
        bool tpm_keep;                  /* undefined running with KEEP_TPM: the state outlives it */
} QemuDomain;

typedef struct QemuConsole QemuConsole;
typedef struct QemuAgentState QemuAgentState;
typedef struct QemuPerf QemuPerf;
typedef struct QemuUnplug QemuUnplug;

QemuConn *qemu_conn_of(Connection *c);
QemuDomain *qemu_domain_get(Domain *d);        /* created on first use; NULL on ENOMEM */
const char *qemu_phase_to_string(QemuPhase p);
/* A verb answered VERB_PENDING: keep its call; qemu_domain_finish() ends the job and answers. */
void qemu_domain_pending(QemuDomain *qd, Call *call);
void qemu_domain_finish(QemuDomain *qd, int r, const VbError *err);
/* The next step of a pending verb, once an asynchronous step below it is done (a DAC label
 * name lookup, an AppArmor load, swtpm_setup): next(d, names, arg, call, err) answers as a
 * verb (VERB_PENDING, 0, or -1 with err) and owns arg. The step is handed it by the verb that
 * sequences the steps and knows nothing of what comes after it. */
typedef int (*QemuNamesNext)(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err);
/* The step is done: next(qd's domain, names, arg, call) goes on with the waiting call, and
 * answers it unless next is pending again. */
void qemu_verb_continue(QemuDomain *qd, QemuNamesNext next, SecurityDacNames *names, void *arg);
/* The start's step that waited is done: the start goes on with the step it was handed. */
void qemu_start_next(QemuDomain *qd, Qmp *q);
/* A start is given up with err: QEMU is killed and its exit fails the start's call with the
 * first reason given, or, when none was (err NULL), with what QEMU wrote to its log. Every step
 * of a start calls it, from the spawn to the last setting before the guest runs. */
void qemu_domain_start_fail(QemuDomain *qd, const VbError *err);
/* The guest's QEMU with its monitor ready, or NULL with err set. */
QemuDomain *qemu_tune_monitor(Domain *d, VbError *err);
/* The QMP reply to a command that changes the running guest: the verb's job ends, its call
 * answers (QEMU's reason on failure). userdata: the QemuDomain. */
void qemu_tune_change_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);
/* The QEMU binary the connection runs (qemu.conf's emulator, else QEMU_EMULATOR_DEFAULT). */
const char *qemu_binary(const QemuConn *qc);
/* The probed capabilities of emulator (NULL: the configured one), refused with libvirt's text
 * when arch (NULL: any) is not its. */
QemuCaps *qemu_caps_for(Connection *c, const char *emulator, const char *arch, VbError *err);
