/* domain-migrate.h: live migration of a running domain: the settings of its migration (virDomainMigrateSet/GetMaxDowntime, Set/GetMaxSpeed, Get/SetCompressionCache, StartPostCopy) and the driver's DomainMigrateOps that carries them out. */
#pragma once

#include <stdint.h>

#include "call.h"
#include "domain.h"
#include "error.h"

/* A migration setting of a running guest, in libvirt's units. */
typedef enum DomainMigrateParam {
        DOMAIN_MIGRATE_DOWNTIME,        /* the longest pause at the end, ms */
        DOMAIN_MIGRATE_SPEED,           /* bandwidth cap of the precopy phase, MiB/s */
        DOMAIN_MIGRATE_SPEED_POSTCOPY,  /* bandwidth cap of the postcopy phase, MiB/s */
        DOMAIN_MIGRATE_CACHE,           /* XBZRLE compression cache, bytes */
        _DOMAIN_MIGRATE_PARAM_MAX,
} DomainMigrateParam;

/* virDomainMigrateSetMaxSpeed/GetMaxSpeed flag: the postcopy phase's cap. */
enum { DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY = 1 };

/* libvirt's largest bandwidth in MiB/s (what fits QEMU's int64 bytes/s): "no cap". */
#define DOMAIN_MIGRATE_BANDWIDTH_MAX (INT64_MAX / (1024 * 1024))

/* A driver's answers (driver.h: Driver.migrate). The core has checked the flags and that the
 * domain is not gone. The ops run beside any job of the domain (an outgoing migration is
 * one): they take none. */
typedef struct DomainMigrateOps {
        /* Set p to value on a running guest: 0, or VERB_PENDING (call completes, no result). */
        int (*set_param)(Domain *d, DomainMigrateParam p, uint64_t value, Call *call, VbError *err);
        /* Read p: 0 with *out, or VERB_PENDING: call completes with a uint64_t (borrowed). */
        int (*get_param)(Domain *d, DomainMigrateParam p, Call *call, uint64_t *out, VbError *err);
        /* Switch the outgoing migration to postcopy: 0 or VERB_PENDING (no result). */
        int (*start_postcopy)(Domain *d, Call *call, VbError *err);
        /* Managed v3 migration's steps (NULL: "not supported"). */
        /* Destination, inside d's start job: start the hypervisor waiting for the stream, on
         * listen (NULL: every address); uri (len bytes) gets what the source sends to, at once;
         * VERB_PENDING: call completes once it listens, the guest paused. */
        int (*prepare)(Domain *d, DomainDef *live, const char *listen, Call *call, char *uri, size_t len,
                       VbError *err);
        /* Source, inside d's modify job: send the guest to uri; VERB_PENDING until QEMU says
         * completed (the guest then paused) or failed. */
        int (*perform)(Domain *d, const char *uri, unsigned flags, Call *call, VbError *err);
        /* Destination: wait for the stream's end, then run the guest unless paused; VERB_PENDING. */
        int (*finish)(Domain *d, bool paused, Call *call, VbError *err);
        /* Source: the migration perform completed is over (the guest stays, cancelled) or not
         * (its hypervisor's end next is the guest's departure, DOMAIN_INPUT_MIGRATED). */
        void (*confirm)(Domain *d, bool cancelled);
} DomainMigrateOps;

/* virDomainMigrateSetMaxDowntime (ms), SetMaxSpeed (MiB/s, flags POSTCOPY), SetCompressionCache
 * (bytes): flags otherwise 0; the domain must run, except SetMaxSpeed of the precopy phase,
 * which the driver keeps for the next migration as libvirt does. */
int domain_migrate_set_param(Domain *d, DomainMigrateParam p, uint64_t value, unsigned flags, Call *call,
                             VbError *err);
/* virDomainMigrateGetMaxDowntime, GetMaxSpeed, GetCompressionCache: as domain_migrate_set_param;
 * 0 with *out, or VERB_PENDING: call completes with a uint64_t (borrowed). */
int domain_migrate_get_param(Domain *d, DomainMigrateParam p, unsigned flags, Call *call, uint64_t *out,
                             VbError *err);
/* virDomainMigrateStartPostCopy (flags 0). */
int domain_migrate_start_postcopy(Domain *d, unsigned flags, Call *call, VbError *err);

/* ---- managed v3 migration (domain-migrate-v3.c) ---- */

#define DOMAIN_MIGRATE_URI_MAX 320

/* virDomainMigrateFlags the v3 procedures take. */
enum {
        DOMAIN_MIGRATE_LIVE = 1u << 0,
        DOMAIN_MIGRATE_PEER2PEER = 1u << 1,
        DOMAIN_MIGRATE_TUNNELLED = 1u << 2,
        DOMAIN_MIGRATE_PERSIST_DEST = 1u << 3,
        DOMAIN_MIGRATE_UNDEFINE_SOURCE = 1u << 4,
        DOMAIN_MIGRATE_PAUSED = 1u << 5,
        DOMAIN_MIGRATE_CHANGE_PROTECTION = 1u << 8,
        DOMAIN_MIGRATE_UNSAFE = 1u << 9,
        DOMAIN_MIGRATE_ABORT_ON_ERROR = 1u << 12,
        DOMAIN_MIGRATE_AUTO_CONVERGE = 1u << 13,
        DOMAIN_MIGRATE_POSTCOPY = 1u << 15,
};


/* virDomainMigrateBegin3Params (source): the running definition to send, migratable. */
char *domain_migrate_begin(Domain *d, unsigned flags, VbError *err);
/* virDomainMigratePrepare3Params (destination): xml as a transient domain (or the inactive one
 * of that name) started waiting for the stream; uri (len bytes) filled; VERB_PENDING as
 * DomainMigrateOps.prepare, call completing with the URI (a char *, borrowed). */
int domain_migrate_prepare(Connection *c, const char *xml, const char *listen, unsigned flags, Call *call,
                           char *uri, size_t len, VbError *err);
/* virDomainMigratePerform3Params (source): send the guest to uri; with PEER2PEER the whole
 * migration to the daemon of dconnuri (domain_migrate_p2p; uri then optional, dname the name
 * there, or NULL). */
int domain_migrate_perform(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags,
                           Call *call, VbError *err);
/* domain-migrate-v3.c: Perform's checks (the driver's ops, flags, a running guest), and the
 * managed (not peer-to-peer) Perform that sends the guest to uri after them. */
int domain_migrate_perform_check(Domain *d, unsigned flags, VbError *err);
int domain_migrate_perform_direct(Domain *d, const char *uri, unsigned flags, Call *call, VbError *err);
/* Peer-to-peer (domain-migrate-p2p.c, over migrate-peer.h's client): Begin here, Prepare
 * there, Perform here, Finish there, Confirm here; VERB_PENDING until the guest runs there (0)
 * or stays here (the failure: the destination's own error, or this side's). */
/* virDomainMigrateToURI3 (the D-Bus door's MigrateToURI3): PEER2PEER as domain_migrate_p2p;
 * direct migration (without it) is not supported, as for libvirt's QEMU driver. */
int domain_migrate_to_uri(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags,
                          Call *call, VbError *err);
int domain_migrate_p2p(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags, Call *call,
                       VbError *err);
/* virDomainMigrateFinish3Params (destination): the domain dname; cancelled: it is destroyed and
 * the answer is an error; else VERB_PENDING until it runs, *out the domain. */
int domain_migrate_finish(Connection *c, const char *dname, unsigned flags, bool cancelled, Call *call,
                          Domain **out, VbError *err);
/* virDomainMigrateConfirm3Params (source): success: the guest's hypervisor ends (and with
 * UNDEFINE_SOURCE its definition goes); cancelled: a guest the migration paused runs again. */
int domain_migrate_confirm(Domain *d, unsigned flags, bool cancelled, Call *call, VbError *err);
