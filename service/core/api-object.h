/* api-object.h: the object a call's fine-grained check is about, found from what a door decoded (api-object.c). */
#pragma once

#include <stdint.h>

#include "api-types.h"
#include "object.h"

/* What a door decoded from a call, for finding the object its fine-grained check is about. */
typedef struct ApiObjectKey {
        const uint8_t *uuid;            /* domains, networks, pools: the handle's or the argument's */
        const char *name;               /* a lookup's name; a volume's name (with pool) */
        const char *pool;               /* volumes: their pool's name */
        const char *vol_key;            /* volumes named by key (D-Bus paths) */
        int id;                         /* API_ARG_BY_ID */
} ApiObjectKey;

/* The object an ACL's check is about (borrowed), found the way libvirt's drivers find it; NULL
 * when it checks none, or it is not there (the handler then says so, as libvirt's lookup
 * would). One function for both doors. */
Object *api_acl_object(Connection *c, const ApiAcl *acl, const ApiObjectKey *key);
