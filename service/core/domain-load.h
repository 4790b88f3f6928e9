/* domain-load.h: a connection's domains brought back at open (domain-load.c). */
#pragma once

#include <stddef.h>

#include "domain.h"

/* Load persisted definitions: the domain slot of the kinds table (kinds.h); drivers that
 * persist call connection_load_all from open(). */
int domain_load_all(Connection *c);
/* Restart recovery: the domain a status file (as domain_save_status() wrote it) describes,
 * back in the state it records, with its running definition and its id, and no event (nothing
 * happened). A domain not defined persistently comes back transient. Refused (-1 with err,
 * nothing changed, the file left alone) when the file does not read, records a state that is
 * not active or no id, or names a domain that runs already, or whose name or id another one
 * has. The driver then finds its process again, or reports it gone (DOMAIN_INPUT_FAILED). */
int domain_recover(Connection *c, const char *xml, size_t len, Domain **out, VbError *err);
