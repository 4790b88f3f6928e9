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
/* Restart recovery: the domain a status file (as domain_save_status() wrote it) describes,
 * back in the state it records, with its running definition and its id, and no event (nothing
 * happened). A domain not defined persistently comes back transient. Refused (-1 with err,
 * nothing changed, the file left alone) when the file does not read, records a state that is
 * not active or no id, or names a domain that runs already, or whose name or id another one
 * has. The driver then finds its process again, or reports it gone (DOMAIN_INPUT_FAILED). */
int domain_recover(Connection *c, const char *xml, size_t len, Domain **out, VbError *err);

/* Core-internal helpers shared by domain.c and domain-lifecycle.c. */
void domain_remove(Domain *d);
DomainDef *domain_parse_for(Connection *c, const char *xml, size_t len, bool validate,
                            Domain **existing, VbError *err);
