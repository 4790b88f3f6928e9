/* proc-domain-migrate.h: what the remote door's v3 migration procedures share: cookies on the wire, the replies of Prepare/Perform/Finish (the same layout with and without parameters), and the handlers of the procedures without parameters (proc-domain-migrate-v3plain.c). */
#pragma once

#include "dispatch.h"

#define MIGRATE_COOKIE_MAX (4u * 1024u * 1024u) /* REMOTE_MIGRATE_COOKIE_MAX */

/* Begin's answer {opaque cookie_out<> (none); remote_nonnull_string xml}: the migratable definition. */
int migrate_reply_begin(RemoteCall *rc, Domain *d, unsigned flags);
/* Confirm once its arguments are read (r: how that went): the domain of ref, the step, the answer. */
int migrate_confirm(RemoteCall *rc, RemoteRef *ref, int r, unsigned flags, bool cancelled);
/* A cookie from the other side: virtbus sends none and needs none; it is read and dropped. */
int migrate_cookie_skip(RemoteCall *rc);
/* {opaque cookie_out<>; remote_string uri_out}: result the URI (a char *). */
int migrate_encode_prepare(XdrWriter *w, Domain *dom, void *result, VbError *err);
/* {opaque cookie_out<>} */
int migrate_encode_cookie(XdrWriter *w, Domain *dom, void *result, VbError *err);
/* {remote_nonnull_domain dom; opaque cookie_out<>}: result the Domain. */
int migrate_encode_finish(XdrWriter *w, Domain *dom, void *result, VbError *err);

/* proc-domain-migrate-v3plain.c: 213 Begin3, 214 Prepare3, 216 Perform3, 217 Finish3, 218 Confirm3 */
REMOTE_HANDLER(proc_domain_migrate_begin3);
REMOTE_HANDLER(proc_domain_migrate_prepare3);
REMOTE_HANDLER(proc_domain_migrate_perform3);
REMOTE_HANDLER(proc_domain_migrate_finish3);
REMOTE_HANDLER(proc_domain_migrate_confirm3);
