/* status-conf.h: the runtime status file of a running domain (<domstatus>): state, reason, id and the running definition, parsed and formatted as pure functions. */
#pragma once

#include <stddef.h>

#include "domain-conf.h"
#include "error.h"

/* libvirt's virDomainState values as the status file names them: 0 "nostate", 1 "running",
 * 2 "blocked", 3 "paused", 4 "shutdown", 5 "shutoff", 6 "crashed", 7 "pmsuspended". */
#define DOMAIN_STATUS_N_STATES 8
/* The name of a state, or NULL when state is out of range. */
const char *domain_status_state_name(int state);
/* The state of a name, or -1 when the name is unknown (or NULL). */
int domain_status_state_from_name(const char *name);

typedef struct DomainStatus {
        int state;              /* virDomainState */
        int reason;             /* the reason, in that state's reason enum (virDomainRunningReason, …) */
        int id;                 /* the domain's id while it runs */
        DomainDef *def;         /* the running definition; owned */
} DomainStatus;

/*
 *   <domstatus state='running' reason='1' id='3'>
 *   <domain type='qemu' id='3'>
 *     …
 *   </domain>
 *   </domstatus>
 *
 * The definition is written as it runs (live values, and secrets too: DOMAIN_FORMAT_SECURE),
 * since it is read back to stand in for the running definition after a restart.
 * NULL on allocation failure or when st->state or st->def is unusable.
 */
char *domain_status_format(const DomainStatus *st);

/* Read a status file (untrusted bytes, need not be NUL-terminated). 0 with *out filled
 * (release with domain_status_clear()), or -1 with err set and *out untouched: a state name
 * that is not one of the above, a reason or id that is not a decimal integer in range, a
 * missing <domain>, or the definition's own errors. Unknown attributes are ignored. */
int domain_status_parse(const char *xml, size_t len, DomainStatus *out, VbError *err);

void domain_status_clear(DomainStatus *st);
