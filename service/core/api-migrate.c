/* api-migrate.c: the API table's rows of live migration that libvirt-dbus 1.4.1 has no member for (the settings' rows with a member are in api-domain-more.c). */
#include "api-rows.h"

const ApiRow api_rows_migrate[] = {
        ROW(DOMAIN_MIGRATE_GET_MAX_DOWNTIME, 387, "virDomainMigrateGetMaxDowntime", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
};

const size_t api_n_rows_migrate = sizeof api_rows_migrate / sizeof api_rows_migrate[0];
