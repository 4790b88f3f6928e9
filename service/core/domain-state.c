/* domain-state.c: the domain transition table: (state, input) → (state, reason, lifecycle event). */
#include "domain-state.h"

#include <stddef.h>

#include "status-conf.h"

#define S(x) (1u << DOMAIN_##x)
#define ACTIVE (S(RUNNING) | S(BLOCKED) | S(PAUSED) | S(SHUTDOWN) | S(CRASHED) | S(PMSUSPENDED))
#define NONE (-1)

_Static_assert(_DOMAIN_STATE_MAX == DOMAIN_STATUS_N_STATES, "the status file names every state");

/* Every state change a domain can make. A row that is absent is a refusal. */
static const DomainTransition domain_table[] = {
        { S(SHUTOFF) | S(NOSTATE), DOMAIN_INPUT_BOOTED,
          DOMAIN_RUNNING, RUNNING_BOOTED, EVENT_STARTED, STARTED_BOOTED },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_PAUSED,
          DOMAIN_PAUSED, PAUSED_USER, EVENT_SUSPENDED, SUSPENDED_PAUSED },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_PAUSED_IOERROR,
          DOMAIN_PAUSED, PAUSED_IOERROR, EVENT_SUSPENDED, SUSPENDED_IOERROR },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_PAUSED_WATCHDOG,
          DOMAIN_PAUSED, PAUSED_WATCHDOG, EVENT_SUSPENDED, SUSPENDED_WATCHDOG },
        { S(PAUSED), DOMAIN_INPUT_RESUMED,
          DOMAIN_RUNNING, RUNNING_UNPAUSED, EVENT_RESUMED, RESUMED_UNPAUSED },
        { S(RUNNING) | S(BLOCKED) | S(PAUSED), DOMAIN_INPUT_SHUTTING_DOWN,
          DOMAIN_SHUTDOWN, SHUTDOWN_USER, EVENT_SHUTDOWN, SHUTDOWN_FINISHED },
        { S(RUNNING) | S(BLOCKED) | S(PAUSED) | S(SHUTDOWN) | S(PMSUSPENDED), DOMAIN_INPUT_POWERED_OFF,
          DOMAIN_SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN },
        { ACTIVE, DOMAIN_INPUT_DESTROYED,
          DOMAIN_SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED },
        { ACTIVE, DOMAIN_INPUT_FAILED,
          DOMAIN_SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED },
        { S(RUNNING) | S(BLOCKED) | S(PAUSED) | S(SHUTDOWN), DOMAIN_INPUT_PANICKED,
          DOMAIN_CRASHED, CRASHED_PANICKED, EVENT_CRASHED, CRASHED_EV_PANICKED },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_RESET,
          DOMAIN_RUNNING, RUNNING_BOOTED, NONE, 0 },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_PM_SUSPENDED,
          DOMAIN_PMSUSPENDED, PMSUSPENDED_UNKNOWN, EVENT_PMSUSPENDED, PMSUSPENDED_MEMORY },
        { S(PMSUSPENDED), DOMAIN_INPUT_PM_WOKEUP,
          DOMAIN_RUNNING, RUNNING_WAKEUP, EVENT_STARTED, STARTED_WAKEUP },
        { S(RUNNING) | S(BLOCKED) | S(PAUSED), DOMAIN_INPUT_SAVED,
          DOMAIN_SHUTOFF, SHUTOFF_SAVED, EVENT_STOPPED, STOPPED_SAVED },
        { S(SHUTOFF) | S(NOSTATE), DOMAIN_INPUT_RESTORED,
          DOMAIN_RUNNING, RUNNING_RESTORED, EVENT_STARTED, STARTED_RESTORED },
        { ACTIVE, DOMAIN_INPUT_SNAPSHOT_STOPPED,
          DOMAIN_SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT },
        { S(SHUTOFF) | S(NOSTATE), DOMAIN_INPUT_SNAPSHOT_STARTED,
          DOMAIN_RUNNING, RUNNING_FROM_SNAPSHOT, EVENT_STARTED, STARTED_FROM_SNAPSHOT },
        { S(RUNNING) | S(BLOCKED), DOMAIN_INPUT_SNAPSHOT_PAUSED,
          DOMAIN_PAUSED, PAUSED_FROM_SNAPSHOT, EVENT_SUSPENDED, SUSPENDED_FROM_SNAPSHOT },
        { S(SHUTOFF) | S(NOSTATE), DOMAIN_INPUT_MIGRATED_IN,
          DOMAIN_RUNNING, RUNNING_MIGRATED, EVENT_STARTED, STARTED_MIGRATED },
        { ACTIVE, DOMAIN_INPUT_MIGRATED,
          DOMAIN_SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED },
};

const DomainTransition *domain_transition_lookup(DomainState state, DomainInput input) {
        if ((unsigned) state >= _DOMAIN_STATE_MAX)
                return NULL;
        for (size_t i = 0; i < sizeof domain_table / sizeof domain_table[0]; i++)
                if (domain_table[i].input == input && (domain_table[i].from_mask & (1u << state)))
                        return &domain_table[i];
        return NULL;
}

static const char *const input_names[_DOMAIN_INPUT_MAX] = {
        [DOMAIN_INPUT_BOOTED] = "booted",
        [DOMAIN_INPUT_PAUSED] = "paused",
        [DOMAIN_INPUT_PAUSED_IOERROR] = "paused-ioerror",
        [DOMAIN_INPUT_PAUSED_WATCHDOG] = "paused-watchdog",
        [DOMAIN_INPUT_RESUMED] = "resumed",
        [DOMAIN_INPUT_SHUTTING_DOWN] = "shutting-down",
        [DOMAIN_INPUT_POWERED_OFF] = "powered-off",
        [DOMAIN_INPUT_DESTROYED] = "destroyed",
        [DOMAIN_INPUT_FAILED] = "failed",
        [DOMAIN_INPUT_PANICKED] = "panicked",
        [DOMAIN_INPUT_RESET] = "reset",
        [DOMAIN_INPUT_PM_SUSPENDED] = "pm-suspended",
        [DOMAIN_INPUT_PM_WOKEUP] = "pm-wokeup",
        [DOMAIN_INPUT_SAVED] = "saved",
        [DOMAIN_INPUT_RESTORED] = "restored",
        [DOMAIN_INPUT_SNAPSHOT_STOPPED] = "snapshot-stopped",
        [DOMAIN_INPUT_SNAPSHOT_STARTED] = "snapshot-started",
        [DOMAIN_INPUT_SNAPSHOT_PAUSED] = "snapshot-paused",
        [DOMAIN_INPUT_MIGRATED_IN] = "migrated-in",
        [DOMAIN_INPUT_MIGRATED] = "migrated",
};

/* The status file's names (conf/status-conf.c), so that logs and status files agree. */
const char *domain_state_to_string(DomainState s) {
        const char *name = domain_status_state_name((int) s);
        return name ? name : "invalid";
}

const char *domain_input_to_string(DomainInput in) {
        return (unsigned) in < _DOMAIN_INPUT_MAX ? input_names[in] : "invalid";
}
