/* domain-persist.h: domain definitions, autostart marks and runtime status on disk (for drivers that persist). */
#pragma once

#include <stdbool.h>

#include "domain.h"

/* Each is a no-op returning 0 when the connection keeps no files (c->config_dir NULL). */
int domain_save_config(Connection *c, const DomainDef *def, VbError *err);
int domain_remove_config(Connection *c, const char *name, VbError *err);
int domain_save_autostart(Connection *c, const char *name, VbError *err);
int domain_remove_autostart(Connection *c, const char *name, VbError *err);
/* Runtime status under c->state_dir: state, reason, id and the live definition. */
int domain_save_status(Domain *d, VbError *err);
int domain_remove_status(Domain *d, VbError *err);
/* Whether the autostart mark of the domain of that name is there. */
bool domain_autostart_marked(Connection *c, const char *name);
