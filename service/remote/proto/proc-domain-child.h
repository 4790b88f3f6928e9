/* proc-domain-child.h: what the snapshot and checkpoint procedures share: both objects are named within their domain and go on the wire as {string name; remote_nonnull_domain dom} (proc-domain-child.c). */
#pragma once

#include "dispatch.h"

/* {name; dom} */
int remote_put_domain_child(XdrWriter *w, const char *name, const Domain *d);

/* The argument shapes around a domain, read and the domain resolved in one step (NULL with
 * rc->err set when the payload is malformed or the domain is gone); a string read is the
 * caller's to free whatever the result. */
/* {string name; dom; [int extra;] u32 flags}: a child's handle (extra read when not NULL). */
Domain *remote_read_domain_child(RemoteCall *rc, char **name, int32_t *extra, unsigned *flags);
/* {dom; string s; u32 flags}: a create's XML, a lookup's name. */
Domain *remote_read_domain_string(RemoteCall *rc, char **s, unsigned *flags);
/* {dom; int extra; u32 flags}: maxnames, need_results. */
Domain *remote_read_domain_int(RemoteCall *rc, int32_t *extra, unsigned *flags);

/* {dom; string xml; u32 flags} → {child}: create runs the verb with a pending call for the
 * domain and writes the child when it is done at once; encode writes it when the verb answers
 * later. */
typedef int (*RemoteChildCreateFn)(RemoteCall *rc, Domain *d, const char *xml, unsigned flags, Call *call);
int remote_create_domain_child(RemoteCall *rc, RemoteReplyFn encode, RemoteChildCreateFn create);
