/* authz-api.h: libvirt's fine-grained access checks (access_drivers = [ "polkit" ]): the polkit actions org.libvirt.api.<object>.<permission>, their details, and a rule's permissions asked one after another. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "api-object.h"
#include "authz.h"
#include "object.h"

/* The objects libvirt's access permissions are about: the API table's (api.h), under the names
 * the authz layer has always used. */
typedef ApiAclObject AuthzApiObject;
#define AUTHZ_API_CONNECT API_ACL_CONNECT
#define AUTHZ_API_DOMAIN API_ACL_DOMAIN
#define AUTHZ_API_NETWORK API_ACL_NETWORK
#define AUTHZ_API_POOL API_ACL_POOL
#define AUTHZ_API_VOL API_ACL_VOL

#define AUTHZ_API_MAX_PERMS API_ACL_MAX_PERMS

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

/* The rule an ACL (an API row's, a property's) asks for a call with these flags (read_secure
 * when they ask for secrets): false when it has no fine-grained check. */
bool authz_api_rule_of(const ApiAcl *acl, unsigned flags, AuthzApiRule *rule);

/* A door's whole fine-grained question for one call: the ACL's rule, the object its check is
 * about (found from key by api_acl_object, the one lookup both doors use), then
 * authz_api_check. Returns 0 when there is nothing to ask (no rule, or the object is not
 * there: the handler reports that as libvirt's lookup would), AUTHZ_PENDING, or -1 with err
 * set. */
int authz_api_check_acl(Authz *a, const AuthzSubject *subject, const ApiAcl *acl, unsigned flags, Connection *conn,
                        const ApiObjectKey *key, bool interactive, AuthzDoneFn done, void *userdata, VbError *err);
