/* proc-domain-child.h: what the snapshot and checkpoint procedures share: both objects are named within their domain and go on the wire as {string name; remote_nonnull_domain dom} (proc-domain-child.c). */
#pragma once

#include "dispatch.h"

/* {name; dom} */
int remote_put_domain_child(XdrWriter *w, const char *name, const Domain *d);

/* {string name; dom; [int extra;] u32 flags}: a child's handle (extra read when not NULL), read
 * and the domain resolved in one step (NULL with rc->err set when the payload is malformed or
 * the domain is gone); the name is the caller's to free whatever the result. The shapes around
 * a domain alone ({dom; string s; u32 flags}, {dom; int n; u32 flags}) are dispatch.h's. */
Domain *remote_read_domain_child(RemoteCall *rc, char **name, int32_t *extra, unsigned *flags);

/* {dom; string xml; u32 flags} → {child}: create runs the verb with a pending call for the
 * domain and writes the child when it is done at once; encode writes it when the verb answers
 * later. */
typedef int (*RemoteChildCreateFn)(RemoteCall *rc, Domain *d, const char *xml, unsigned flags, Call *call);
int remote_create_domain_child(RemoteCall *rc, RemoteReplyFn encode, RemoteChildCreateFn create);
