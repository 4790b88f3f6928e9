/* manager.h: the Manager (every connection, every observer) and the Connection (one hypervisor driver's objects). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "host.h"
#include "object.h"

typedef struct Driver Driver;
typedef struct Manager Manager;

/* What observers are told. Core code produces notices; the doors turn them into D-Bus signals
 * and remote events. */
typedef enum NoticeType {
        NOTICE_ADDED,           /* an object appeared (define, create, volume create) */
        NOTICE_REMOVED,         /* an object is about to be freed: last chance to read it */
        NOTICE_LIFECYCLE,       /* event/detail: libvirt's lifecycle codes for the kind */
        NOTICE_CHANGED,         /* changed: PROP_* bits of properties whose values changed */
        NOTICE_REBOOT,          /* domain: the guest rebooted (libvirt's REBOOT event id) */
        NOTICE_METADATA,        /* domain: event = metadata type, text = namespace URI or NULL */
        NOTICE_POOL_REFRESH,    /* pool: refreshed */
        NOTICE_SECRET_VALUE,    /* secret: its value was set */
        NOTICE_DEVICE_ADDED,    /* domain: text = the device's alias (hotplug) */
        NOTICE_DEVICE_REMOVED,  /* domain: text = the device's alias (the guest let it go) */
        NOTICE_DEVICE_REMOVAL_FAILED,   /* domain: text = the alias (the guest refused) */
        NOTICE_AGENT_LIFECYCLE, /* domain: event/detail = the guest agent's state and reason (domain-agent.h) */
        NOTICE_BLOCK_JOB,       /* domain: event = job type, detail = status, text = target, path = source */
        NOTICE_BLOCK_THRESHOLD, /* domain: text = target, path = source (may be NULL), threshold, excess */
        /* The guest's own events (domain-events.h: the domain_notify_* helpers make them). */
        NOTICE_RTC_CHANGE,      /* domain: number = the guest clock's offset from UTC, seconds */
        NOTICE_WATCHDOG,        /* domain: event = virDomainEventWatchdogAction */
        NOTICE_IO_ERROR,        /* domain: path = source ("" none), text = alias, event = action, reason */
        NOTICE_GRAPHICS,        /* domain: graphics = the phase, both ends, the scheme */
        NOTICE_TRAY_CHANGE,     /* domain: text = alias, event = virDomainEventTrayChangeType */
        NOTICE_PM,              /* domain: event = NOTICE_PM_*, detail = reason (0) */
        NOTICE_BALLOON_CHANGE,  /* domain: number = the balloon's size, KiB */
        NOTICE_CONTROL_ERROR,   /* domain: the driver lost its control of the guest's hypervisor */
        NOTICE_TUNABLE,         /* domain: params = the tunables a live change set */
        NOTICE_JOB_COMPLETED,   /* domain: params = the ended job's statistics */
        NOTICE_MIGRATION_ITERATION,     /* domain: number = the pass over guest memory */
        NOTICE_DISK_CHANGE,     /* domain: path = old source, new_path (NULL: none), text = alias, event = reason */
} NoticeType;

enum { NOTICE_PM_WAKEUP, NOTICE_PM_SUSPEND, NOTICE_PM_SUSPEND_DISK };

/* NOTICE_GRAPHICS: libvirt's virDomainEventGraphics* values. */
typedef struct NoticeGraphicsAddress {
        int family;             /* 0 ipv4, 1 ipv6, 2 unix */
        const char *node, *service;
} NoticeGraphicsAddress;
typedef struct NoticeGraphics {
        int phase;              /* 0 connect, 1 initialize, 2 disconnect */
        NoticeGraphicsAddress local, remote;
        const char *auth_scheme;
        size_t n_identities;
        const char *const (*identities)[2];     /* {type, name}: "x509dname", "saslUsername" */
} NoticeGraphics;

/* Property bits, shared by all kinds (each kind uses its subset). */
enum {
        PROP_ACTIVE = 1u << 0,
        PROP_AUTOSTART = 1u << 1,
        PROP_ID = 1u << 2,
        PROP_NAME = 1u << 3,
        PROP_PERSISTENT = 1u << 4,
        PROP_UPDATED = 1u << 5,
        PROP_OSTYPE = 1u << 6,
        PROP_BRIDGE = 1u << 7,
        PROP_SCHEDULER = 1u << 8,
        PROP_STATE = 1u << 9,    /* not a D-Bus property: state/reason moved */
        PROP_PROGRESS = 1u << 10, /* volume: a long operation's bytes done of total */
};

typedef struct Notice {
        NoticeType type;
        Object *obj;
        int event, detail;
        unsigned changed;
        const char *text;
        const char *path;       /* NOTICE_BLOCK_JOB: the disk's source */
        uint64_t threshold, excess;     /* NOTICE_BLOCK_THRESHOLD: bytes */
        int64_t number;                 /* RTC_CHANGE, BALLOON_CHANGE, MIGRATION_ITERATION */
        const char *reason;             /* NOTICE_IO_ERROR */
        const char *new_path;           /* NOTICE_DISK_CHANGE */
        const NoticeGraphics *graphics;
        const struct DomainStatParam *params;   /* TUNABLE, JOB_COMPLETED */
        size_t n_params;
} Notice;

typedef void (*ObserverFn)(const Notice *n, void *userdata);

/* One hypervisor connection (test:///default, qemu:///system …) and everything it holds. */
struct Connection {
        Manager *manager;
        const Driver *driver;
        void *driver_data;
        /* The objects, by kind (kinds.h: connection_registry, connection_load_all, and the
         * release at close): domains of its own; networks and pools in the Manager's host-wide
         * subsystems, or in the connection's own (Driver.own_*); volumes inside pools. */
        Registry domains;
        NetworkSubsystem *net;
        StorageSubsystem *storage;
        struct SecretStore *secrets;   /* the host's (secret.h); NULL: the driver keeps none */
        struct NWFilterStore *nwfilters;       /* the host's (nwfilter.h); NULL: none */
        int next_domain_id;
        char *config_dir;      /* persistent definitions; NULL when the driver keeps none */
        char *state_dir;       /* runtime status files; NULL when none */
        /* The definition being parsed describes hardware a guest already has (saved definitions
         * read back, an incoming migration, a restored image): the driver keeps its places
         * rather than laying devices out anew (QEMU: no PCI controllers added). */
        bool keep_layout;
};

typedef struct Observer {
        ObserverFn fn;
        void *userdata;
        struct Observer *next;
} Observer;

struct Manager {
        sd_event *event;
        Connection **conns;
        size_t n_conns;
        Observer *observers;
        NetworkSubsystem *host_networks;  /* host-wide: every connection without its own */
        StorageSubsystem *host_storage;
        struct SecretStore *host_secrets;  /* secret.h: made by the first connection that keeps secrets */
        struct NWFilterStore *host_nwfilters;      /* nwfilter.h: the same for network filters */
        bool system_mode;
        char *config_root;     /* /etc/virtbus or $XDG_CONFIG_HOME/virtbus */
        char *state_root;      /* /var/lib/virtbus or $XDG_STATE_HOME/virtbus */
        char *run_root;        /* /run/virtbus or $XDG_RUNTIME_DIR/virtbus */
};

Connection *manager_find_connection(Manager *m, const char *uri_or_name);
/* Where the connection's driver errors come from, as libvirt reports it (VB_FROM_TEST, …):
 * lookups fail with the driver's origin. */
int connection_error_origin(const Connection *c);

int manager_add_observer(Manager *m, ObserverFn fn, void *userdata);
void manager_remove_observer(Manager *m, ObserverFn fn, void *userdata);
/* Deliver a notice to every observer, in registration order. */
void manager_notify(Manager *m, const Notice *n);

/* Helpers for core code. */
void notify_lifecycle(Object *o, int event, int detail);
void notify_changed(Object *o, unsigned changed);
void notify_simple(Object *o, NoticeType type);
