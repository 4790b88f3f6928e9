/* test-domain-state.c: every (state, input) pair of the domain transition table against libvirt's semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain-state.h"

typedef struct Expect {
        int valid;
        DomainState to;
        int reason, event, detail;
} Expect;

#define R(to_, reason_, ev_, det_) { 1, DOMAIN_##to_, reason_, ev_, det_ }
#define X { 0, 0, 0, 0, 0 }

/* Rows: states NOSTATE..PMSUSPENDED; columns: inputs in DomainInput order. */
static const Expect expected[_DOMAIN_STATE_MAX][_DOMAIN_INPUT_MAX] = {
        [DOMAIN_NOSTATE] = {
                [DOMAIN_INPUT_BOOTED] = R(RUNNING, RUNNING_BOOTED, EVENT_STARTED, STARTED_BOOTED),
                [DOMAIN_INPUT_RESTORED] = R(RUNNING, RUNNING_RESTORED, EVENT_STARTED, STARTED_RESTORED),
                [DOMAIN_INPUT_SNAPSHOT_STARTED] = R(RUNNING, RUNNING_FROM_SNAPSHOT, EVENT_STARTED, STARTED_FROM_SNAPSHOT),
                [DOMAIN_INPUT_MIGRATED_IN] = R(RUNNING, RUNNING_MIGRATED, EVENT_STARTED, STARTED_MIGRATED),
        },
        [DOMAIN_RUNNING] = {
                [DOMAIN_INPUT_PAUSED] = R(PAUSED, PAUSED_USER, EVENT_SUSPENDED, SUSPENDED_PAUSED),
                [DOMAIN_INPUT_PAUSED_IOERROR] = R(PAUSED, PAUSED_IOERROR, EVENT_SUSPENDED, SUSPENDED_IOERROR),
                [DOMAIN_INPUT_PAUSED_WATCHDOG] = R(PAUSED, PAUSED_WATCHDOG, EVENT_SUSPENDED, SUSPENDED_WATCHDOG),
                [DOMAIN_INPUT_SHUTTING_DOWN] = R(SHUTDOWN, SHUTDOWN_USER, EVENT_SHUTDOWN, SHUTDOWN_FINISHED),
                [DOMAIN_INPUT_POWERED_OFF] = R(SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN),
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_PANICKED] = R(CRASHED, CRASHED_PANICKED, EVENT_CRASHED, CRASHED_EV_PANICKED),
                [DOMAIN_INPUT_RESET] = R(RUNNING, RUNNING_BOOTED, -1, 0),
                [DOMAIN_INPUT_PM_SUSPENDED] = R(PMSUSPENDED, PMSUSPENDED_UNKNOWN, EVENT_PMSUSPENDED, PMSUSPENDED_MEMORY),
                [DOMAIN_INPUT_SAVED] = R(SHUTOFF, SHUTOFF_SAVED, EVENT_STOPPED, STOPPED_SAVED),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
                [DOMAIN_INPUT_SNAPSHOT_PAUSED] = R(PAUSED, PAUSED_FROM_SNAPSHOT, EVENT_SUSPENDED, SUSPENDED_FROM_SNAPSHOT),
        },
        [DOMAIN_BLOCKED] = {
                [DOMAIN_INPUT_PAUSED] = R(PAUSED, PAUSED_USER, EVENT_SUSPENDED, SUSPENDED_PAUSED),
                [DOMAIN_INPUT_PAUSED_IOERROR] = R(PAUSED, PAUSED_IOERROR, EVENT_SUSPENDED, SUSPENDED_IOERROR),
                [DOMAIN_INPUT_PAUSED_WATCHDOG] = R(PAUSED, PAUSED_WATCHDOG, EVENT_SUSPENDED, SUSPENDED_WATCHDOG),
                [DOMAIN_INPUT_SHUTTING_DOWN] = R(SHUTDOWN, SHUTDOWN_USER, EVENT_SHUTDOWN, SHUTDOWN_FINISHED),
                [DOMAIN_INPUT_POWERED_OFF] = R(SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN),
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_PANICKED] = R(CRASHED, CRASHED_PANICKED, EVENT_CRASHED, CRASHED_EV_PANICKED),
                [DOMAIN_INPUT_RESET] = R(RUNNING, RUNNING_BOOTED, -1, 0),
                [DOMAIN_INPUT_PM_SUSPENDED] = R(PMSUSPENDED, PMSUSPENDED_UNKNOWN, EVENT_PMSUSPENDED, PMSUSPENDED_MEMORY),
                [DOMAIN_INPUT_SAVED] = R(SHUTOFF, SHUTOFF_SAVED, EVENT_STOPPED, STOPPED_SAVED),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
                [DOMAIN_INPUT_SNAPSHOT_PAUSED] = R(PAUSED, PAUSED_FROM_SNAPSHOT, EVENT_SUSPENDED, SUSPENDED_FROM_SNAPSHOT),
        },
        [DOMAIN_PAUSED] = {
                [DOMAIN_INPUT_RESUMED] = R(RUNNING, RUNNING_UNPAUSED, EVENT_RESUMED, RESUMED_UNPAUSED),
                [DOMAIN_INPUT_SHUTTING_DOWN] = R(SHUTDOWN, SHUTDOWN_USER, EVENT_SHUTDOWN, SHUTDOWN_FINISHED),
                [DOMAIN_INPUT_POWERED_OFF] = R(SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN),
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_PANICKED] = R(CRASHED, CRASHED_PANICKED, EVENT_CRASHED, CRASHED_EV_PANICKED),
                [DOMAIN_INPUT_SAVED] = R(SHUTOFF, SHUTOFF_SAVED, EVENT_STOPPED, STOPPED_SAVED),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
        },
        [DOMAIN_SHUTDOWN] = {
                [DOMAIN_INPUT_POWERED_OFF] = R(SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN),
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_PANICKED] = R(CRASHED, CRASHED_PANICKED, EVENT_CRASHED, CRASHED_EV_PANICKED),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
        },
        [DOMAIN_SHUTOFF] = {
                [DOMAIN_INPUT_BOOTED] = R(RUNNING, RUNNING_BOOTED, EVENT_STARTED, STARTED_BOOTED),
                [DOMAIN_INPUT_RESTORED] = R(RUNNING, RUNNING_RESTORED, EVENT_STARTED, STARTED_RESTORED),
                [DOMAIN_INPUT_SNAPSHOT_STARTED] = R(RUNNING, RUNNING_FROM_SNAPSHOT, EVENT_STARTED, STARTED_FROM_SNAPSHOT),
                [DOMAIN_INPUT_MIGRATED_IN] = R(RUNNING, RUNNING_MIGRATED, EVENT_STARTED, STARTED_MIGRATED),
        },
        [DOMAIN_CRASHED] = {
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
        },
        [DOMAIN_PMSUSPENDED] = {
                [DOMAIN_INPUT_POWERED_OFF] = R(SHUTOFF, SHUTOFF_SHUTDOWN, EVENT_STOPPED, STOPPED_SHUTDOWN),
                [DOMAIN_INPUT_DESTROYED] = R(SHUTOFF, SHUTOFF_DESTROYED, EVENT_STOPPED, STOPPED_DESTROYED),
                [DOMAIN_INPUT_MIGRATED] = R(SHUTOFF, SHUTOFF_MIGRATED, EVENT_STOPPED, STOPPED_MIGRATED),
                [DOMAIN_INPUT_FAILED] = R(SHUTOFF, SHUTOFF_CRASHED, EVENT_STOPPED, STOPPED_FAILED),
                [DOMAIN_INPUT_PM_WOKEUP] = R(RUNNING, RUNNING_WAKEUP, EVENT_STARTED, STARTED_WAKEUP),
                [DOMAIN_INPUT_SNAPSHOT_STOPPED] = R(SHUTOFF, SHUTOFF_FROM_SNAPSHOT, EVENT_STOPPED, STOPPED_FROM_SNAPSHOT),
        },
};

static void test_every_state_and_input(void **state) {
        unsigned checked = 0;
        for (int s = 0; s < _DOMAIN_STATE_MAX; s++)
                for (int in = 0; in < _DOMAIN_INPUT_MAX; in++) {
                        const Expect *e = &expected[s][in];
                        const DomainTransition *t = domain_transition_lookup((DomainState) s, (DomainInput) in);
                        if (!e->valid) {
                                if (t)
                                        print_error("%s + %s should be refused\n", domain_state_to_string(s),
                                                    domain_input_to_string(in));
                                assert_null(t);
                        } else {
                                if (!t)
                                        print_error("%s + %s should be accepted\n", domain_state_to_string(s),
                                                    domain_input_to_string(in));
                                assert_non_null(t);
                                assert_int_equal(t->to, e->to);
                                assert_int_equal(t->reason, e->reason);
                                assert_int_equal(t->event, e->event);
                                if (e->event >= 0)
                                        assert_int_equal(t->detail, e->detail);
                        }
                        checked++;
                }
        assert_int_equal(checked, _DOMAIN_STATE_MAX * _DOMAIN_INPUT_MAX);
}

static void test_out_of_range(void **state) {
        assert_null(domain_transition_lookup(_DOMAIN_STATE_MAX, DOMAIN_INPUT_BOOTED));
        assert_null(domain_transition_lookup((DomainState) -1, DOMAIN_INPUT_BOOTED));
        assert_string_equal(domain_state_to_string(DOMAIN_PAUSED), "paused");
        assert_string_equal(domain_state_to_string(_DOMAIN_STATE_MAX), "invalid");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_state_and_input),
                cmocka_unit_test(test_out_of_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
