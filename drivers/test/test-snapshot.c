/* test-snapshot.c: the Test driver's snapshots, metadata only (as libvirt's test driver): nothing on disk to take or bring back. */
#include <string.h>

#include "domain.h"
#include "snapshot-conf.h"
#include "snapshot.h"
#include "test-ops.h"

int test_snapshot_create(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        /* libvirt's test driver refuses what it cannot pretend: disk-only snapshots. */
        if (vb_check_flags(flags, ~SNAPSHOT_CREATE_DISK_ONLY, "testDomainSnapshotCreateXML", err) < 0)
                return -1;
        if (!(flags & SNAPSHOT_CREATE_HALT) || !domain_is_active(d))
                return 0;
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "cannot halt after transient domain snapshot");
        domain_transition(d, DOMAIN_INPUT_SNAPSHOT_STOPPED);    /* --halt: shut off, FROM_SNAPSHOT */
        return 0;
}

static bool snapshot_ran(const SnapshotDef *def) {
        return def->state && (strcmp(def->state, "running") == 0 || strcmp(def->state, "paused") == 0);
}

/* Between a running and a shut-off state the guest stops and starts as libvirt's test driver
 * reports it (events STOPPED, STARTED and SUSPENDED, FROM_SNAPSHOT); a shut-off snapshot with
 * --running or --paused is started. Within running and paused nothing changes state. */
int test_snapshot_revert(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        bool ran = snapshot_ran(def), active = domain_is_active(d);
        bool start = ran || (flags & (SNAPSHOT_REVERT_RUNNING | SNAPSHOT_REVERT_PAUSED));
        if (active == ran && !(!active && start))
                return 0;
        bool paused = flags & SNAPSHOT_REVERT_PAUSED ? true
                      : flags & SNAPSHOT_REVERT_RUNNING ? false
                      : ran && strcmp(def->state, "paused") == 0;
        if (active)
                domain_transition(d, DOMAIN_INPUT_SNAPSHOT_STOPPED);
        if (snapshot_restore_definition(d, def, err) < 0)
                return -1;
        if (start) {
                domain_transition(d, DOMAIN_INPUT_SNAPSHOT_STARTED);
                if (paused)
                        domain_transition(d, DOMAIN_INPUT_SNAPSHOT_PAUSED);
        }
        return 0;
}

int test_snapshot_delete(Domain *d, const SnapshotDef *def, Call *call, VbError *err) {
        return 0;
}
