/* bus-authz-api.c: the D-Bus door's side of the fine-grained checks: which API row (or property) a call is, and the key of the object it is about, from the path or the lookup's argument. The rules themselves are the API table's (service/core/api-*.c). */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api-object.h"
#include "authz-api.h"
#include "uuid.h"

/* The registration serving path: the Connect object itself, or the subtree path is below. */
static BusSubtree *bus_api_subtree(Bus *b, const char *path) {
        for (size_t i = 0; i < b->n_subtrees; i++) {
                BusSubtree *t = b->subtrees[i];
                size_t n = strlen(t->path);
                if (strncmp(path, t->path, n) != 0)
                        continue;
                if (t->kind->kind == _OBJECT_KIND_MAX ? path[n] == '\0' : path[n] == '/')
                        return t;
        }
        return NULL;
}

const ApiRow *bus_api_row(sd_bus_message *m) {
        const char *interface = sd_bus_message_get_interface(m);
        const char *member = sd_bus_message_get_member(m);
        return api_row_by_member(interface, member);
}

/* The uint32 flags of a call whose rule depends on them (GetXMLDesc's secure flag, Update's
 * conditional "save"): the leading argument, or the one after flags_after; rewound for the
 * handler. Unreadable flags ask for the most. */
unsigned bus_api_secure_flags(const ApiAcl *acl, sd_bus_message *m) {
        uint32_t flags = 0;
        if (!api_acl_uses_flags(acl))
                return 0;
        if ((acl->flags_after && sd_bus_message_skip(m, acl->flags_after) < 0) ||
            sd_bus_message_read(m, "u", &flags) < 0)
                flags = api_acl_strongest_flags(acl);
        sd_bus_message_rewind(m, true);
        return flags;
}

/* The key the object path names: a UUID leaf (domains, networks, pools) or a volume's key. */
static void bus_api_path_key(BusSubtree *t, const char *path, uint8_t uuid[16], char **vol_key, ApiObjectKey *key) {
        const char *leaf = bus_path_leaf(t->path, path);
        char text[BUS_UUID_LEAF_LEN];
        if (!leaf)
                return;
        if (t->kind->kind == OBJECT_VOLUME) {
                if (bus_path_decode_str(leaf, vol_key) == 0)
                        key->vol_key = *vol_key;
        } else if (bus_path_decode_uuid(leaf, text) == 0 && uuid_parse(text, uuid) == 0) {
                key->uuid = uuid;
        }
}

/* The key a Connect lookup's first argument gives (name, UUID string or id), rewound. */
static void bus_api_arg_key(const ApiAcl *acl, sd_bus_message *m, uint8_t uuid[16], ApiObjectKey *key) {
        const char *arg = NULL;
        int32_t id = 0;
        if (acl->arg == API_ARG_BY_ID) {
                if (sd_bus_message_read(m, "i", &id) >= 0)
                        key->id = id;
        } else if (sd_bus_message_read(m, "s", &arg) >= 0 && arg) {
                if (acl->arg == API_ARG_BY_NAME)
                        key->name = arg;
                else if (uuid_parse(arg, uuid) == 0)
                        key->uuid = uuid;
        }
        sd_bus_message_rewind(m, true);
}

int bus_authz_api_check(Bus *b, sd_bus_message *m, const AuthzSubject *subject, bool interactive, AuthzDoneFn done,
                        void *userdata, char *action, size_t n, VbError *err) {
        const char *path = sd_bus_message_get_path(m);
        const char *interface = sd_bus_message_get_interface(m);
        const char *member = sd_bus_message_get_member(m);
        if (!path || !member)
                return 0;
        if (interface && (strcmp(interface, "org.freedesktop.DBus.Introspectable") == 0 ||
                          strcmp(interface, "org.freedesktop.DBus.Peer") == 0))
                return 0;
        BusSubtree *t = bus_api_subtree(b, path);
        if (!t)
                return 0;       /* /org/libvirt itself (GetManagedObjects): the connection-level check only */
        ObjectKind k = t->kind->kind;

        const ApiAcl *acl;
        if (interface && strcmp(interface, "org.freedesktop.DBus.Properties") == 0) {
                acl = api_property_acl(k, !(strcmp(member, "Get") == 0 || strcmp(member, "GetAll") == 0));
        } else {
                const ApiRow *row = api_row_by_member(t->kind->interface, member);
                /* a member without a row (not served): its handler, if any, answers; as a write */
                acl = row ? &row->acl : api_property_acl(k, true);
        }

        uint8_t uuid[16];
        char *vol_key = NULL;
        ApiObjectKey key = { 0 };
        if (k != _OBJECT_KIND_MAX)
                bus_api_path_key(t, path, uuid, &vol_key, &key);
        else if (acl->arg != API_ARG_NONE)
                bus_api_arg_key(acl, m, uuid, &key);
        unsigned flags = bus_api_secure_flags(acl, m);

        AuthzApiRule rule;
        if (authz_api_rule_of(acl, flags, &rule))
                authz_api_action(rule.object, rule.perms[0], action, n);
        int r = authz_api_check_acl(b->authz, subject, acl, flags, t->conn, &key, interactive, done, userdata, err);
        free(vol_key);
        return r;
}
