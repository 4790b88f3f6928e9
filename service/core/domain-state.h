/* domain-state.h: libvirt's domain states, reasons and lifecycle event codes, and the inputs of the domain state machine. */
#pragma once

/* virDomainState */
typedef enum DomainState {
        DOMAIN_NOSTATE = 0,
        DOMAIN_RUNNING = 1,
        DOMAIN_BLOCKED = 2,
        DOMAIN_PAUSED = 3,
        DOMAIN_SHUTDOWN = 4,
        DOMAIN_SHUTOFF = 5,
        DOMAIN_CRASHED = 6,
        DOMAIN_PMSUSPENDED = 7,
        _DOMAIN_STATE_MAX,
} DomainState;

/* The reason enums (virDomainRunningReason, …), the values both doors expose. */
enum { RUNNING_UNKNOWN = 0, RUNNING_BOOTED = 1, RUNNING_MIGRATED = 2, RUNNING_RESTORED = 3,
       RUNNING_FROM_SNAPSHOT = 4, RUNNING_UNPAUSED = 5, RUNNING_MIGRATION_CANCELED = 6,
       RUNNING_SAVE_CANCELED = 7, RUNNING_WAKEUP = 8, RUNNING_CRASHED = 9, RUNNING_POSTCOPY = 10 };
enum { PAUSED_UNKNOWN = 0, PAUSED_USER = 1, PAUSED_MIGRATION = 2, PAUSED_SAVE = 3, PAUSED_DUMP = 4,
       PAUSED_IOERROR = 5, PAUSED_WATCHDOG = 6, PAUSED_FROM_SNAPSHOT = 7, PAUSED_SHUTTING_DOWN = 8,
       PAUSED_SNAPSHOT = 9, PAUSED_CRASHED = 10, PAUSED_STARTING_UP = 11, PAUSED_POSTCOPY = 12,
       PAUSED_POSTCOPY_FAILED = 13 };
enum { SHUTDOWN_UNKNOWN = 0, SHUTDOWN_USER = 1 };
enum { SHUTOFF_UNKNOWN = 0, SHUTOFF_SHUTDOWN = 1, SHUTOFF_DESTROYED = 2, SHUTOFF_CRASHED = 3,
       SHUTOFF_MIGRATED = 4, SHUTOFF_SAVED = 5, SHUTOFF_FAILED = 6, SHUTOFF_FROM_SNAPSHOT = 7,
       SHUTOFF_DAEMON = 8 };
enum { CRASHED_UNKNOWN = 0, CRASHED_PANICKED = 1 };
enum { PMSUSPENDED_UNKNOWN = 0 };

/* virDomainEventType and the detail codes used here. */
enum { EVENT_DEFINED = 0, EVENT_UNDEFINED = 1, EVENT_STARTED = 2, EVENT_SUSPENDED = 3,
       EVENT_RESUMED = 4, EVENT_STOPPED = 5, EVENT_SHUTDOWN = 6, EVENT_PMSUSPENDED = 7,
       EVENT_CRASHED = 8 };
enum { DEFINED_ADDED = 0, DEFINED_UPDATED = 1, DEFINED_RENAMED = 2 };
enum { UNDEFINED_REMOVED = 0, UNDEFINED_RENAMED = 1 };
enum { STARTED_BOOTED = 0, STARTED_MIGRATED = 1, STARTED_RESTORED = 2, STARTED_FROM_SNAPSHOT = 3,
       STARTED_WAKEUP = 4 };
enum { SUSPENDED_PAUSED = 0, SUSPENDED_MIGRATED = 1, SUSPENDED_IOERROR = 2, SUSPENDED_WATCHDOG = 3,
       SUSPENDED_RESTORED = 4, SUSPENDED_FROM_SNAPSHOT = 5, SUSPENDED_API_ERROR = 6 };
enum { RESUMED_UNPAUSED = 0, RESUMED_MIGRATED = 1, RESUMED_FROM_SNAPSHOT = 2 };
enum { STOPPED_SHUTDOWN = 0, STOPPED_DESTROYED = 1, STOPPED_CRASHED = 2, STOPPED_MIGRATED = 3,
       STOPPED_SAVED = 4, STOPPED_FAILED = 5, STOPPED_FROM_SNAPSHOT = 6 };
enum { SHUTDOWN_FINISHED = 0, SHUTDOWN_GUEST = 1, SHUTDOWN_HOST = 2 };
enum { PMSUSPENDED_MEMORY = 0, PMSUSPENDED_DISK = 1 };
enum { CRASHED_EV_PANICKED = 0, CRASHED_EV_CRASHLOADED = 1 };

/* What happened to a domain: the inputs of its state machine. Drivers report these. */
typedef enum DomainInput {
        DOMAIN_INPUT_BOOTED,          /* the guest CPUs run for the first time */
        DOMAIN_INPUT_PAUSED,          /* paused on request */
        DOMAIN_INPUT_PAUSED_IOERROR,  /* paused by the hypervisor on an I/O error */
        DOMAIN_INPUT_PAUSED_WATCHDOG,
        DOMAIN_INPUT_RESUMED,
        DOMAIN_INPUT_SHUTTING_DOWN,   /* the guest has begun to power off */
        DOMAIN_INPUT_POWERED_OFF,     /* the guest powered off (graceful) */
        DOMAIN_INPUT_DESTROYED,       /* stopped by force on request */
        DOMAIN_INPUT_FAILED,          /* the hypervisor process died unexpectedly */
        DOMAIN_INPUT_PANICKED,        /* guest panic, kept for inspection */
        DOMAIN_INPUT_RESET,           /* hard reset: stays running */
        DOMAIN_INPUT_PM_SUSPENDED,
        DOMAIN_INPUT_PM_WOKEUP,
        DOMAIN_INPUT_SAVED,           /* its state went to a save image and the hypervisor ended */
        DOMAIN_INPUT_RESTORED,        /* started from a save image */
        DOMAIN_INPUT_SNAPSHOT_STOPPED, /* stopped by a revert to a shut-off snapshot */
        DOMAIN_INPUT_SNAPSHOT_STARTED, /* started by a revert (a running snapshot's state, or --running) */
        DOMAIN_INPUT_SNAPSHOT_PAUSED,  /* kept paused after a revert's start */
        DOMAIN_INPUT_MIGRATED_IN,     /* started from an incoming migration's stream */
        DOMAIN_INPUT_MIGRATED,        /* its hypervisor ended after the guest migrated away */
        _DOMAIN_INPUT_MAX,
} DomainInput;

/* One row of the table: in any state of from_mask, input leads to (to, reason) and the
 * lifecycle event (event < 0: none). */
typedef struct DomainTransition {
        unsigned from_mask;     /* 1u << DomainState */
        DomainInput input;
        DomainState to;
        int reason;
        int event, detail;
} DomainTransition;

/* The row for (state, input), or NULL when the input is not valid in that state. */
const DomainTransition *domain_transition_lookup(DomainState state, DomainInput input);

const char *domain_state_to_string(DomainState s);
const char *domain_input_to_string(DomainInput in);
