/* api-object.c: the one lookup of the object an ACL's check is about, for both doors, above the kinds it finds. */
#include "api-object.h"

#include "domain.h"
#include "network.h"
#include "storage.h"

static Object *find_by_name(Connection *c, ApiAclObject object, const char *name, VbError *err) {
        switch (object) {
        case API_ACL_DOMAIN: return (Object *) domain_lookup_name(c, name, err);
        case API_ACL_NETWORK: return (Object *) network_lookup_name(c, name, err);
        case API_ACL_POOL: return (Object *) pool_lookup_name(c, name, err);
        default: return NULL;
        }
}

static Object *find_by_uuid(Connection *c, ApiAclObject object, const uint8_t uuid[16], VbError *err) {
        switch (object) {
        case API_ACL_DOMAIN: return (Object *) domain_lookup_uuid(c, uuid, err);
        case API_ACL_NETWORK: return (Object *) network_lookup_uuid(c, uuid, err);
        case API_ACL_POOL: return (Object *) pool_lookup_uuid(c, uuid, err);
        default: return NULL;
        }
}

Object *api_acl_object(Connection *c, const ApiAcl *acl, const ApiObjectKey *key) {
        VbError ignored = { 0 };
        if (!c || !acl || !key)
                return NULL;
        switch (acl->arg) {
        case API_ARG_DOMAIN:
                return key->uuid ? find_by_uuid(c, API_ACL_DOMAIN, key->uuid, &ignored) : NULL;
        case API_ARG_NETWORK:
                return key->uuid ? find_by_uuid(c, API_ACL_NETWORK, key->uuid, &ignored) : NULL;
        case API_ARG_POOL:
                return key->uuid ? find_by_uuid(c, API_ACL_POOL, key->uuid, &ignored) : NULL;
        case API_ARG_VOL: {
                if (key->vol_key)
                        return (Object *) vol_lookup_key(c, key->vol_key, &ignored);
                StoragePool *p = key->pool ? pool_lookup_name(c, key->pool, &ignored) : NULL;
                return p && key->name ? (Object *) vol_lookup_name(p, key->name, &ignored) : NULL;
        }
        case API_ARG_BY_NAME:
                return key->name ? find_by_name(c, acl->object, key->name, &ignored) : NULL;
        case API_ARG_BY_UUID:
                return key->uuid ? find_by_uuid(c, acl->object, key->uuid, &ignored) : NULL;
        case API_ARG_BY_ID:
                return acl->object == API_ACL_DOMAIN ? (Object *) domain_lookup_id(c, key->id, &ignored) : NULL;
        case API_ARG_NONE:
                break;
        }
        return NULL;
}
