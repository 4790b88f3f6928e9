/* migrate-peer.h: the daemon as a client of another daemon, for peer-to-peer migration: what the core asks of a remote-protocol client (set by main.c: service/remote/client/), with no type of the wire. */
#pragma once

#include <stdbool.h>

#include <systemd/sd-event.h>

#include "error.h"

typedef struct MigratePeer MigratePeer;

/* One step answered: r < 0 with err (the destination's own error, as it said it), or 0 with
 * str (Prepare: the URI the source's hypervisor sends to; otherwise NULL). Both borrowed. */
typedef void (*MigratePeerDone)(int r, const VbError *err, const char *str, void *userdata);

/* At most one step in flight per peer. open's done runs later, from the event loop; a step
 * that cannot even be sent answers at once, inside prepare or finish. */
typedef struct MigratePeerOps {
        /* Connect to the daemon of uri (libvirt's form: qemu+unix:///session?socket=PATH,
         * qemu:///system, qemu+tcp://ADDRESS[:PORT]/system) and open its hypervisor connection
         * as this daemon's own identity; done once open. NULL with err: a URI it cannot use. */
        MigratePeer *(*open)(sd_event *event, const char *uri, MigratePeerDone done, void *userdata, VbError *err);
        /* virDomainMigratePrepare3Params there: the definition xml (dname: another name, or
         * NULL); str: the URI. */
        void (*prepare)(MigratePeer *p, const char *xml, const char *dname, unsigned flags, MigratePeerDone done,
                        void *userdata);
        /* virDomainMigrateFinish3Params there: the guest dname runs (cancelled: it goes). */
        void (*finish)(MigratePeer *p, const char *dname, unsigned flags, bool cancelled, MigratePeerDone done,
                       void *userdata);
        /* Close the connection; no done runs after. */
        void (*close)(MigratePeer *p);
} MigratePeerOps;

/* The client the daemon was built with (NULL: peer-to-peer migration is "not supported"). */
void migrate_peer_set_ops(const MigratePeerOps *ops);
const MigratePeerOps *migrate_peer_get_ops(void);
