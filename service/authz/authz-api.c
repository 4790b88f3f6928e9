/* authz-api.c: libvirt's fine-grained polkit actions: action ids, details, and a rule's permissions asked one after another. */
#define LOG_MODULE "authz"
#include "authz-api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"
#include "network.h"
#include "storage.h"
#include "uuid.h"

#define AUTHZ_API_MAX_DETAILS 8         /* key/value pairs */

static const char *const object_names[] = {
        [AUTHZ_API_CONNECT] = "connect",
        [AUTHZ_API_DOMAIN] = "domain",
        [AUTHZ_API_NETWORK] = "network",
        [AUTHZ_API_POOL] = "storage-pool",
        [AUTHZ_API_VOL] = "storage-vol",
        [API_ACL_INTERFACE] = "interface",
        [API_ACL_NODEDEV] = "node-device",
        [API_ACL_SECRET] = "secret",
        [API_ACL_NWFILTER] = "nwfilter",
        [API_ACL_NWFILTER_BINDING] = "nwfilter-binding",
};

int authz_api_action(AuthzApiObject object, const char *perm, char *buf, size_t n) {
        int len = snprintf(buf, n, "org.libvirt.api.%s.%s", object_names[object], perm);
        if (len < 0 || (size_t) len >= n)
                return -ENAMETOOLONG;
        for (char *p = buf + strlen("org.libvirt.api.") + strlen(object_names[object]) + 1; *p; p++)
                if (*p == '_')
                        *p = '-';
        return 0;
}

typedef struct AuthzChain {
        Authz *authz;
        AuthzSubject subject;
        char *bus_name;
        AuthzApiRule rule;
        unsigned next;                  /* the permission asked next */
        char action[128];
        char *details[2 * AUTHZ_API_MAX_DETAILS + 1];
        bool interactive;
        AuthzDoneFn done;
        void *userdata;
} AuthzChain;

static void chain_free(AuthzChain *ch) {
        for (char **p = ch->details; *p; p++)
                free(*p);
        free(ch->bus_name);
        free(ch);
}

static int chain_add(AuthzChain *ch, size_t *n, const char *key, const char *value) {
        if (*n + 2 > 2 * AUTHZ_API_MAX_DETAILS)
                return -E2BIG;
        if (!(ch->details[*n] = strdup(key)))
                return -ENOMEM;
        (*n)++;
        if (!(ch->details[*n] = strdup(value ? value : "")))
                return -ENOMEM;
        (*n)++;
        return 0;
}

static int chain_add_uuid(AuthzChain *ch, size_t *n, const char *key, const uint8_t uuid[16]) {
        char s[UUID_STRING_LEN];
        uuid_format(uuid, s);
        return chain_add(ch, n, key, s);
}

static int chain_details(AuthzChain *ch, const Connection *conn, const Object *o) {
        size_t n = 0;
        int r = chain_add(ch, &n, "connect_driver", conn && conn->driver ? conn->driver->type : "");
        if (r < 0 || !o)
                return r;
        switch (o->kind) {
        case OBJECT_DOMAIN:
                if ((r = chain_add(ch, &n, "domain_name", o->name)) < 0)
                        return r;
                return chain_add_uuid(ch, &n, "domain_uuid", o->uuid);
        case OBJECT_NETWORK:
                if ((r = chain_add(ch, &n, "network_name", o->name)) < 0)
                        return r;
                return chain_add_uuid(ch, &n, "network_uuid", o->uuid);
        case OBJECT_POOL:
                if ((r = chain_add(ch, &n, "pool_name", o->name)) < 0)
                        return r;
                return chain_add_uuid(ch, &n, "pool_uuid", o->uuid);
        case OBJECT_VOLUME: {
                const StorageVol *v = (const StorageVol *) o;
                if (v->pool) {
                        if ((r = chain_add(ch, &n, "pool_name", v->pool->obj.name)) < 0 ||
                            (r = chain_add_uuid(ch, &n, "pool_uuid", v->pool->obj.uuid)) < 0)
                                return r;
                }
                if ((r = chain_add(ch, &n, "vol_name", o->name)) < 0)
                        return r;
                return chain_add(ch, &n, "vol_key", v->def && v->def->key ? v->def->key : "");
        }
        default:
                return 0;
        }
}

static int chain_ask(AuthzChain *ch, VbError *err);

static void chain_on_answer(int r, const VbError *err, void *userdata) {
        AuthzChain *ch = userdata;
        if (r == 0 && ch->next < AUTHZ_API_MAX_PERMS && ch->rule.perms[ch->next]) {
                VbError e = { 0 };
                if (chain_ask(ch, &e) >= 0)
                        return;
                ch->done(-1, &e, ch->userdata);
                chain_free(ch);
                return;
        }
        VbError e = { 0 };
        if (r < 0)
                authz_api_denied(ch->action, err, &e);
        ch->done(r < 0 ? -1 : 0, r < 0 ? &e : NULL, ch->userdata);
        chain_free(ch);
}

static int chain_ask(AuthzChain *ch, VbError *err) {
        const char *perm = ch->rule.perms[ch->next++];
        if (authz_api_action(ch->rule.object, perm, ch->action, sizeof ch->action) < 0)
                return vb_error_set_raw(err, VB_ERR_INTERNAL_ERROR, VB_FROM_ACCESS, "permission name too long: %s", perm);
        return authz_check(ch->authz, &ch->subject, ch->action, (const char *const *) ch->details, ch->interactive,
                           chain_on_answer, ch, err);
}

int authz_api_check(Authz *a, const AuthzSubject *subject, const AuthzApiRule *rule, const Connection *conn,
                    const Object *o, bool interactive, AuthzDoneFn done, void *userdata, VbError *err) {
        AuthzChain *ch = calloc(1, sizeof *ch);
        if (!ch)
                return vb_error_errno(err, -ENOMEM, "authorization");
        ch->authz = a;
        ch->subject = *subject;
        if (subject->bus_name && !(ch->bus_name = strdup(subject->bus_name))) {
                chain_free(ch);
                return vb_error_errno(err, -ENOMEM, "authorization");
        }
        ch->subject.bus_name = ch->bus_name;
        ch->rule = *rule;
        ch->interactive = interactive;
        ch->done = done;
        ch->userdata = userdata;
        int r = chain_details(ch, conn, o);
        if (r < 0) {
                chain_free(ch);
                return vb_error_errno(err, r, "authorization details");
        }
        if (!ch->rule.perms[0]) {
                chain_free(ch);
                return vb_error_set_raw(err, VB_ERR_INTERNAL_ERROR, VB_FROM_ACCESS, "no permission to check");
        }
        r = chain_ask(ch, err);
        if (r < 0) {
                chain_free(ch);
                return -1;
        }
        return AUTHZ_PENDING;
}

int authz_api_denied(const char *action, const VbError *why, VbError *err) {
        /* libvirt's polkit access driver: "access denied by policy" for a plain no; its other
         * answers (no agent, polkitd gone) keep polkit's words. */
        const char *text = why && why->message[0] ? why->message : "access denied by policy";
        if (strncmp(text, "authentication failed: ", 23) == 0)
                text += 23;     /* a refusal, not an authentication */
        return vb_error_set_raw(err, VB_ERR_ACCESS_DENIED, VB_FROM_ACCESS, "access denied: %s (polkit action %s)", text,
                                action);
}

bool authz_api_rule_of(const ApiAcl *acl, unsigned flags, AuthzApiRule *rule) {
        *rule = (AuthzApiRule) { 0 };
        return api_acl_rule(acl, flags, &rule->object, rule->perms);
}

int authz_api_check_acl(Authz *a, const AuthzSubject *subject, const ApiAcl *acl, unsigned flags, Connection *conn,
                        const ApiObjectKey *key, bool interactive, AuthzDoneFn done, void *userdata, VbError *err) {
        AuthzApiRule rule;
        if (!authz_api_rule_of(acl, flags, &rule))
                return 0;
        Object *o = NULL;
        if (acl->arg != API_ARG_NONE && !(o = api_acl_object(conn, acl, key)))
                return 0;
        return authz_api_check(a, subject, &rule, conn, o, interactive, done, userdata, err);
}
