/* authz-api.h: libvirt's fine-grained access checks (access_drivers = [ "polkit" ]): the polkit actions org.libvirt.api.<object>.<permission>, their details, and a rule's permissions asked one after another. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "authz.h"
#include "object.h"

/* The objects libvirt's access permissions are about (viraccessperm.h). */
typedef enum AuthzApiObject {
        AUTHZ_API_CONNECT,
        AUTHZ_API_DOMAIN,
        AUTHZ_API_NETWORK,
        AUTHZ_API_POOL,
        AUTHZ_API_VOL,
} AuthzApiObject;

#define AUTHZ_API_MAX_PERMS 2

/* What one call needs: up to two permissions (libvirt checks all of them) on one object kind.
 * libvirt's names: "start", "read_secure", "search_storage_vols"; the action id turns '_' into
 * '-': org.libvirt.api.domain.read-secure, org.libvirt.api.storage-pool.start. */
typedef struct AuthzApiRule {
        AuthzApiObject object;
        const char *perms[AUTHZ_API_MAX_PERMS];         /* NULL-padded */
} AuthzApiRule;

/* The action id of (object, perm) into buf: 0, or -ENAMETOOLONG. */
int authz_api_action(AuthzApiObject object, const char *perm, char *buf, size_t n);

/* Ask polkit for every permission of rule, one after another, with libvirt's details:
 * connect_driver (the driver's type: "QEMU", "TEST") always; with the object o (NULL for a
 * connect-level check, or an object not defined yet): domain_name, domain_uuid; network_name,
 * network_uuid; pool_name, pool_uuid; for volumes pool_name, pool_uuid, vol_name, vol_key. A
 * volume rule given a pool (storage_vol.create) gets the pool's details only. The details are
 * copied now: o may go before the answer. done runs once, on the loop, after the first refusal
 * (err: libvirt's access-denied error) or the last yes. Returns AUTHZ_PENDING, or -1 with err
 * set (done is then never called). */
int authz_api_check(Authz *a, const AuthzSubject *subject, const AuthzApiRule *rule, const Connection *conn,
                    const Object *o, bool interactive, AuthzDoneFn done, void *userdata, VbError *err);

/* The refusal both doors give: libvirt's VIR_ERR_ACCESS_DENIED from VIR_FROM_ACCESS. */
int authz_api_denied(const char *action, const VbError *why, VbError *err);
