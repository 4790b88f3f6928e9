/* qemu-migrate.h: the QEMU driver's live migration (qemu-migrate*.c): the settings of a guest's migration and the migration in flight. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "domain-migrate.h"
#include "qemu-priv.h"

extern const DomainMigrateOps qemu_migrate_ops;        /* qemu-migrate.c */

/* qemu-migrate-params.c: the settings' ops. */
int qemu_migrate_set_param(Domain *d, DomainMigrateParam p, uint64_t value, Call *call, VbError *err);
int qemu_migrate_get_param(Domain *d, DomainMigrateParam p, Call *call, uint64_t *out, VbError *err);
int qemu_migrate_start_postcopy(Domain *d, Call *call, VbError *err);

/* The precopy cap for the next migration, MiB/s (DOMAIN_MIGRATE_BANDWIDTH_MAX: none set). */
uint64_t qemu_migrate_bandwidth(const QemuDomain *qd);
bool qemu_migrate_out_active(const QemuDomain *qd);
bool qemu_migrate_out_postcopy(const QemuDomain *qd);
