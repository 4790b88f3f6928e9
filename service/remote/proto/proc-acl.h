/* proc-acl.h: the remote door's fine-grained rules (access_drivers = [ "polkit" ]): procedure → libvirt's object and permissions, and the object named by the leading argument. */
#pragma once

#include "authz-api.h"

/* What the procedure's arguments start with: the object the permissions are about. */
typedef enum RemoteAclArg {
        REMOTE_ACL_NONE,                /* connect-level: only connect_driver */
        REMOTE_ACL_DOMAIN,              /* remote_nonnull_domain */
        REMOTE_ACL_NETWORK,             /* remote_nonnull_network */
        REMOTE_ACL_POOL,                /* remote_nonnull_storage_pool */
        REMOTE_ACL_VOL,                 /* remote_nonnull_storage_vol */
        /* Lookups: the rule's object found by the leading argument; libvirt checks getattr on
         * the object found. */
        REMOTE_ACL_BY_NAME,             /* remote_nonnull_string name */
        REMOTE_ACL_BY_UUID,             /* remote_uuid */
        REMOTE_ACL_BY_ID,               /* int id (domains) */
} RemoteAclArg;

typedef struct RemoteAcl {
        int proc;
        RemoteAclArg arg;
        AuthzApiRule rule;
        unsigned secure_flag;           /* with this bit in the u32 after the object: read_secure */
} RemoteAcl;

/* NULL: the procedure needs only the connection-level check. */
const RemoteAcl *remote_proc_acl(int proc);
