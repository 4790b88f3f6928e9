/* qemu-migrate.h: the QEMU driver's live migration (qemu-migrate*.c): the settings of a guest's migration and the migration in flight. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "domain-migrate.h"
#include "qemu-driver.h"

/* The migration in flight of a guest (QemuDomain.migration). */
typedef struct QemuMigration {
        bool outgoing;
        bool postcopy;          /* started with VIR_MIGRATE_POSTCOPY: postcopy-ram is on */
} QemuMigration;

extern const DomainMigrateOps qemu_migrate_ops;

/* The precopy cap for the next migration, MiB/s (DOMAIN_MIGRATE_BANDWIDTH_MAX: none set). */
uint64_t qemu_migrate_bandwidth(const QemuDomain *qd);
bool qemu_migrate_out_active(const QemuDomain *qd);
bool qemu_migrate_out_postcopy(const QemuDomain *qd);
