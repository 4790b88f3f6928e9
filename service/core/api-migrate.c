/* api-migrate.c: the API table's rows of live migration that libvirt-dbus 1.4.1 has no member for (the settings' rows with a member are in api-domain-more.c). */
#include "api-rows.h"

const ApiRow api_rows_migrate[] = {
        ROW(DOMAIN_MIGRATE_GET_MAX_DOWNTIME, 387, "virDomainMigrateGetMaxDowntime", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_MIGRATE_BEGIN3_PARAMS, 302, "virDomainMigrateBegin3Params", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
        ROW(DOMAIN_MIGRATE_PREPARE3_PARAMS, 303, "virDomainMigratePrepare3Params", NODBUS, MUT, VERB, ACL(NONE, DOMAIN, "migrate", "start")),
        ROW(DOMAIN_MIGRATE_PERFORM3_PARAMS, 305, "virDomainMigratePerform3Params", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
        ROW(DOMAIN_MIGRATE_FINISH3_PARAMS, 306, "virDomainMigrateFinish3Params", NODBUS, MUT, VERB, ACL(NONE, DOMAIN, "migrate", "start")),
        ROW(DOMAIN_MIGRATE_CONFIRM3_PARAMS, 307, "virDomainMigrateConfirm3Params", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
        ROW(DOMAIN_MIGRATE_BEGIN3, 213, "virDomainMigrateBegin3", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
        ROW(DOMAIN_MIGRATE_PREPARE3, 214, "virDomainMigratePrepare3", NODBUS, MUT, VERB, ACL(NONE, DOMAIN, "migrate", "start")),
        ROW(DOMAIN_MIGRATE_PERFORM3, 216, "virDomainMigratePerform3", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
        ROW(DOMAIN_MIGRATE_FINISH3, 217, "virDomainMigrateFinish3", NODBUS, MUT, VERB, ACL(NONE, DOMAIN, "migrate", "start")),
        ROW(DOMAIN_MIGRATE_CONFIRM3, 218, "virDomainMigrateConfirm3", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "migrate")),
};

const size_t api_n_rows_migrate = sizeof api_rows_migrate / sizeof api_rows_migrate[0];
