/* test-snapshot.c: the Test driver's snapshots, metadata only (as libvirt's test driver): nothing on disk to take or bring back. */
#include <string.h>

#include "domain.h"
#include "snapshot-conf.h"
#include "snapshot.h"
#include "test-ops.h"

int test_snapshot_create(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        /* libvirt's test driver refuses what it cannot pretend: disk-only snapshots. */
        return vb_check_flags(flags, ~SNAPSHOT_CREATE_DISK_ONLY, "testDomainSnapshotCreateXML", err) < 0 ? -1 : 0;
}

static bool snapshot_ran(const SnapshotDef *def) {
        return def->state && (strcmp(def->state, "running") == 0 || strcmp(def->state, "paused") == 0);
}

int test_snapshot_revert(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err) {
        /* The guest's state follows the snapshot's only where the core's verbs can do it now:
         * between running and paused. */
        if (snapshot_ran(def) != domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_TEST,
                                    "reverting a %s domain to a %s snapshot is not supported",
                                    domain_is_active(d) ? "running" : "shut off", def->state ? def->state : "");
        return 0;
}

int test_snapshot_delete(Domain *d, const SnapshotDef *def, Call *call, VbError *err) {
        return 0;
}
