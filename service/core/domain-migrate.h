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
