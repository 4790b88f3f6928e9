/* handle.h: the handles of objects on the wire (remote_nonnull_domain and friends) read from the arguments, below the gates that name an ACL's object and the handlers that resolve them (handle.c). */
#pragma once

#include <stdint.h>

#include "xdr.h"

/* What a handle names: a UUID (domains, networks, pools; libvirt's drivers look them up by it),
 * or a volume's pool, name and key (owned). */
typedef struct RemoteRef {
        uint8_t uuid[16];
        char *pool, *name, *key;        /* volumes */
} RemoteRef;

/* Each reads one handle from r (a short payload leaves r failed and ref as far as it got). */
int remote_handle_domain(XdrReader *r, RemoteRef *ref);
int remote_handle_network(XdrReader *r, RemoteRef *ref);
int remote_handle_pool(XdrReader *r, RemoteRef *ref);
int remote_handle_vol(XdrReader *r, RemoteRef *ref);
void remote_ref_done(RemoteRef *ref);
