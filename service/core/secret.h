/* secret.h: secrets (virSecret): a host-wide store of definitions and values. Definitions are
 * persisted under <config_root>/secrets, values (0600, one file per secret, never in any XML)
 * under <state_root>/secrets; ephemeral secrets are never written. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "object.h"
#include "secret-conf.h"

typedef struct Manager Manager;

#define SECRET_VALUE_MAX 65536u         /* REMOTE_SECRET_VALUE_MAX: a longer value is refused */
#define SECRET_LIST_MAX 16384u          /* REMOTE_SECRET_LIST_MAX */

/* virConnectListAllSecrets flags. */
enum {
        SECRET_LIST_EPHEMERAL = 1u << 0,
        SECRET_LIST_NO_EPHEMERAL = 1u << 1,
        SECRET_LIST_PRIVATE = 1u << 2,
        SECRET_LIST_NO_PRIVATE = 1u << 3,
};

/* virSecretEventLifecycleType; the notice's event for NOTICE_SECRET_VALUE is 0. */
enum { SECRET_EVENT_DEFINED = 0, SECRET_EVENT_UNDEFINED = 1 };

typedef struct Secret {
        Object obj;             /* name: the UUID text */
        SecretDef *def;
        uint8_t *value;
        size_t value_len;
        bool has_value;
} Secret;

typedef struct SecretStore {
        Registry secrets;
        Connection *owner;      /* the connection its objects belong to (their notices go there) */
        char *config_dir;       /* NULL: nothing persisted (no roots: unit tests) */
        char *value_dir;
} SecretStore;

/* kinds.c: attach the host's store to a connection whose driver keeps secrets (loading the
 * definitions and values on first use); release it with its owner. */
int secret_load_all(Connection *c);
void secret_release(Connection *c);
Registry *secret_registry_of(Connection *c);

/* The connection's store, or libvirt's "not supported: <api>" (the Test driver has none). */
SecretStore *secret_store(Connection *c, const char *api, VbError *err);

int secret_define(Connection *c, const char *xml, size_t len, unsigned flags, Secret **out, VbError *err);
int secret_undefine(Secret *s, VbError *err);
Secret *secret_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err);
Secret *secret_lookup_usage(Connection *c, int usage_type, const char *usage_id, VbError *err);
/* Does s pass virConnectListAllSecrets' flags? Checks nothing else. */
bool secret_list_match(const Secret *s, unsigned flags);
/* The flags check of virConnectListAllSecrets, and the store: NULL with err set. */
SecretStore *secret_list_store(Connection *c, unsigned flags, VbError *err);
int secret_count(Connection *c, VbError *err);
char *secret_xml(Secret *s, unsigned flags, VbError *err);
/* The usage id as both doors show it: "" for usage none. */
const char *secret_usage_id(const Secret *s);
int secret_set_value(Secret *s, const uint8_t *value, size_t len, unsigned flags, VbError *err);
/* A copy of the value (*out malloc'ed, wiped by the caller's secret_value_free). Refused for
 * private secrets and secrets without a value, as libvirt does. */
int secret_get_value(Secret *s, unsigned flags, uint8_t **out, size_t *len, VbError *err);
void secret_value_free(uint8_t *v, size_t len);
/* The value for the daemon's own use (an iSCSI pool's CHAP password), private secrets included:
 * never for a client. Freed with secret_value_free(). */
int secret_get_value_internal(Secret *s, uint8_t **out, size_t *len, VbError *err);
