/* secret.c: the host's secret store: define, undefine, lookups, values kept 0600 on disk (never for ephemeral secrets), and their notices. */
#define LOG_MODULE "core"
#include "secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "log.h"
#include "manager.h"
#include "persist.h"
#include "uuid.h"

#define VALUE_SUFFIX ".value"

static void uuid_file(const uint8_t uuid[16], const char *suffix, char out[64]) {
        char u[UUID_STRING_LEN];
        uuid_format(uuid, u);
        snprintf(out, 64, "%s%s", u, suffix);
}

void secret_value_free(uint8_t *v, size_t len) {
        if (v)
                explicit_bzero(v, len);
        free(v);
}

static void secret_free(Secret *s) {
        secret_def_free(s->def);
        secret_value_free(s->value, s->value_len);
        free(s->obj.name);
        free(s);
}

static Secret *secret_new(Connection *c, SecretDef *def) {
        Secret *s = calloc(1, sizeof *s);
        char u[UUID_STRING_LEN];
        if (!s)
                return NULL;
        uuid_format(def->uuid, u);
        s->obj.kind = OBJECT_SECRET;
        s->obj.conn = c;
        s->obj.id = -1;
        memcpy(s->obj.uuid, def->uuid, 16);
        s->obj.name = strdup(u);
        if (!s->obj.name) {
                free(s);
                return NULL;
        }
        s->def = def;
        return s;
}

static SecretStore *store_free(SecretStore *st) {
        if (!st)
                return NULL;
        while (st->secrets.first) {
                Secret *s = (Secret *) st->secrets.first;
                registry_remove(&st->secrets, &s->obj);
                secret_free(s);
        }
        registry_done(&st->secrets);
        free(st->config_dir);
        free(st->value_dir);
        free(st);
        return NULL;
}

/* ------------------------------------------------------------------ loading */

static int load_value(SecretStore *st, Secret *s) {
        char name[64];
        char *data = NULL;
        size_t len = 0;
        VbError err = { 0 };
        uuid_file(s->obj.uuid, VALUE_SUFFIX, name);
        int r = persist_read(st->value_dir, name, SECRET_VALUE_MAX, &data, &len, &err);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                log_warning("secret %s: value not loaded: %s", s->obj.name, err.message);
                return r;
        }
        s->value = (uint8_t *) data;
        s->value_len = len;
        s->has_value = true;
        return 0;
}

static int load_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        SecretStore *st = userdata;
        VbError err = { 0 };
        char expected[64];
        SecretDef *def = secret_def_parse(data, len, &err);
        if (!def) {
                log_warning("%s/%s: not a secret: %s", dir, name, err.message);
                return -EINVAL;
        }
        uuid_file(def->uuid, ".xml", expected);
        if (strcmp(name, expected) != 0 || def->ephemeral) {
                log_warning("%s/%s: refused (the file name must be its UUID, and ephemeral secrets are never stored)",
                            dir, name);
                secret_def_free(def);
                return -EINVAL;
        }
        Secret *s = secret_new(st->owner, def);
        if (!s) {
                secret_def_free(def);
                return -ENOMEM;
        }
        if (registry_add(&st->secrets, &s->obj) < 0) {
                log_warning("%s/%s: a secret with this UUID is loaded already", dir, name);
                secret_free(s);
                return -EEXIST;
        }
        load_value(st, s);
        return 0;
}

int secret_load_all(Connection *c) {
        Manager *m = c->manager;
        if (!c->driver->host_secrets)
                return 0;
        if (m->host_secrets) {
                c->secrets = m->host_secrets;
                return 0;
        }
        SecretStore *st = calloc(1, sizeof *st);
        if (!st)
                return -ENOMEM;
        registry_init(&st->secrets);
        st->owner = c;
        if (m->config_root && m->state_root &&
            (asprintf(&st->config_dir, "%s/secrets", m->config_root) < 0 ||
             asprintf(&st->value_dir, "%s/secrets", m->state_root) < 0)) {
                st->config_dir = st->value_dir = NULL;
                store_free(st);
                return -ENOMEM;
        }
        m->host_secrets = c->secrets = st;
        if (!st->config_dir)
                return 0;
        int r = persist_load_dir(st->config_dir, ".xml", load_one, st);
        if (r > 0)
                log_warning("%d secret definition(s) in %s refused", r, st->config_dir);
        return r;
}

void secret_release(Connection *c) {
        if (c->secrets && c->secrets->owner == c) {
                store_free(c->secrets);
                c->manager->host_secrets = NULL;
        }
        c->secrets = NULL;
}

Registry *secret_registry_of(Connection *c) {
        return c->secrets ? &c->secrets->secrets : NULL;
}

SecretStore *secret_store(Connection *c, const char *api, VbError *err) {
        if (!c->secrets)
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_SECRET, "%s", api);
        return c->secrets;
}

/* ------------------------------------------------------------------ lookups */

Secret *secret_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err) {
        SecretStore *st = secret_store(c, "virSecretLookupByUUID", err);
        if (!st)
                return NULL;
        Secret *s = (Secret *) registry_find_uuid(&st->secrets, uuid);
        if (!s) {
                char u[UUID_STRING_LEN];
                uuid_format(uuid, u);
                vb_error_set(err, VB_ERR_NO_SECRET, VB_FROM_SECRET, "no secret with matching uuid '%s'", u);
        }
        return s;
}

static Secret *find_usage(SecretStore *st, int type, const char *usage_id) {
        REGISTRY_FOREACH(o, &st->secrets) {
                Secret *s = (Secret *) o;
                if ((int) s->def->usage_type == type && type != SECRET_USAGE_NONE && s->def->usage_id &&
                    usage_id && strcmp(s->def->usage_id, usage_id) == 0)
                        return s;
        }
        return NULL;
}

Secret *secret_lookup_usage(Connection *c, int usage_type, const char *usage_id, VbError *err) {
        SecretStore *st = secret_store(c, "virSecretLookupByUsage", err);
        if (!st)
                return NULL;
        Secret *s = find_usage(st, usage_type, usage_id);
        if (!s)
                vb_error_set(err, VB_ERR_NO_SECRET, VB_FROM_SECRET, "no secret with matching usage '%s'",
                             usage_id ? usage_id : "");
        return s;
}

const char *secret_usage_id(const Secret *s) {
        return s->def->usage_id ? s->def->usage_id : "";
}

bool secret_list_match(const Secret *s, unsigned flags) {
        unsigned eph = flags & (SECRET_LIST_EPHEMERAL | SECRET_LIST_NO_EPHEMERAL);
        unsigned priv = flags & (SECRET_LIST_PRIVATE | SECRET_LIST_NO_PRIVATE);
        if (eph && !((eph & SECRET_LIST_EPHEMERAL && s->def->ephemeral) ||
                     (eph & SECRET_LIST_NO_EPHEMERAL && !s->def->ephemeral)))
                return false;
        if (priv && !((priv & SECRET_LIST_PRIVATE && s->def->private_) ||
                      (priv & SECRET_LIST_NO_PRIVATE && !s->def->private_)))
                return false;
        return true;
}

SecretStore *secret_list_store(Connection *c, unsigned flags, VbError *err) {
        SecretStore *st = secret_store(c, "virConnectListAllSecrets", err);
        if (st && vb_check_flags(flags, 0xf, "secretConnectListAllSecrets", err) < 0)
                return NULL;
        return st;
}

int secret_count(Connection *c, VbError *err) {
        SecretStore *st = secret_store(c, "virConnectNumOfSecrets", err);
        return st ? (int) st->secrets.count : -1;
}

/* ------------------------------------------------------------------ define, undefine */

static int persist_def(SecretStore *st, const SecretDef *def, VbError *err) {
        char name[64];
        if (!st->config_dir || def->ephemeral)
                return 0;
        char *xml = secret_def_format(def);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "secret definition");
        uuid_file(def->uuid, ".xml", name);
        int r = persist_ensure_dir(st->config_dir, err);
        if (r >= 0)
                r = persist_write(st->config_dir, name, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

/* libvirt's refusals of a definition against the secrets already there. */
static int check_define(SecretStore *st, const SecretDef *def, Secret *same, VbError *err) {
        char u[UUID_STRING_LEN];
        Secret *other = def->usage_type != SECRET_USAGE_NONE ? find_usage(st, def->usage_type, def->usage_id) : NULL;
        if (other && other != same) {
                uuid_format(other->obj.uuid, u);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECRET,
                                    "a secret with UUID %s already defined for use with %s", u, def->usage_id);
        }
        if (!same)
                return 0;
        const SecretDef *old = same->def;
        if (old->usage_type != def->usage_type ||
            strcmp(old->usage_id ? old->usage_id : "", def->usage_id ? def->usage_id : "") != 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECRET,
                                    "a secret with UUID %s is already defined for use with %s", same->obj.name,
                                    secret_usage_id(same));
        if (old->private_ != def->private_)
                return vb_error_set(err, VB_ERR_INVALID_SECRET, VB_FROM_SECRET, "cannot change private flag on existing secret");
        if (old->ephemeral != def->ephemeral)
                return vb_error_set(err, VB_ERR_INVALID_SECRET, VB_FROM_SECRET, "cannot change ephemeral flag on existing secret");
        return 0;
}

int secret_define(Connection *c, const char *xml, size_t len, unsigned flags, Secret **out, VbError *err) {
        SecretStore *st = secret_store(c, "virSecretDefineXML", err);
        if (!st || vb_check_flags(flags, 1u /* VIR_SECRET_DEFINE_VALIDATE */, "secretDefineXML", err) < 0)
                return -1;
        SecretDef *def = secret_def_parse(xml, len, err);
        if (!def)
                return -1;
        Secret *same = (Secret *) registry_find_uuid(&st->secrets, def->uuid);
        if (check_define(st, def, same, err) < 0 || persist_def(st, def, err) < 0) {
                secret_def_free(def);
                return -1;
        }
        if (same) {
                secret_def_free(same->def);
                same->def = def;
        } else {
                same = secret_new(st->owner, def);
                if (!same || registry_add(&st->secrets, &same->obj) < 0) {
                        if (same)
                                secret_free(same);
                        else
                                secret_def_free(def);
                        return vb_error_errno(err, -ENOMEM, "secret");
                }
                notify_simple(&same->obj, NOTICE_ADDED);
        }
        log_info("secret %s defined (usage %s %s)", same->obj.name, secret_usage_type_name(def->usage_type),
                 secret_usage_id(same));
        notify_lifecycle(&same->obj, SECRET_EVENT_DEFINED, 0);
        *out = same;
        return 0;
}

int secret_undefine(Secret *s, VbError *err) {
        SecretStore *st = s->obj.conn->secrets;
        char name[64];
        if (st->config_dir) {
                uuid_file(s->obj.uuid, ".xml", name);
                if (persist_remove(st->config_dir, name, err) < 0)
                        return -1;
                uuid_file(s->obj.uuid, VALUE_SUFFIX, name);
                if (persist_remove(st->value_dir, name, err) < 0)
                        return -1;
        }
        log_info("secret %s undefined", s->obj.name);
        notify_lifecycle(&s->obj, SECRET_EVENT_UNDEFINED, 0);
        notify_simple(&s->obj, NOTICE_REMOVED);
        registry_remove(&st->secrets, &s->obj);
        secret_free(s);
        return 0;
}

/* ------------------------------------------------------------------ XML and value */

char *secret_xml(Secret *s, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "secretGetXMLDesc", err) < 0)
                return NULL;
        char *xml = secret_def_format(s->def);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "secret XML");
        return xml;
}

int secret_set_value(Secret *s, const uint8_t *value, size_t len, unsigned flags, VbError *err) {
        SecretStore *st = s->obj.conn->secrets;
        if (vb_check_flags(flags, 0, "secretSetValue", err) < 0)
                return -1;
        if (len > SECRET_VALUE_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_SECRET,
                                    "secret value of %zu bytes is over the limit of %u", len, SECRET_VALUE_MAX);
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
                return vb_error_errno(err, -ENOMEM, "secret value");
        if (len)
                memcpy(copy, value, len);
        if (st->value_dir && !s->def->ephemeral) {
                char name[64];
                uuid_file(s->obj.uuid, VALUE_SUFFIX, name);
                if (persist_ensure_dir(st->value_dir, err) < 0 ||
                    persist_write(st->value_dir, name, (const char *) value, len, err) < 0) {
                        secret_value_free(copy, len);
                        return -1;
                }
        }
        secret_value_free(s->value, s->value_len);
        s->value = copy;
        s->value_len = len;
        s->has_value = true;
        log_info("secret %s: value set", s->obj.name);
        Notice n = { .type = NOTICE_SECRET_VALUE, .obj = &s->obj };
        manager_notify(s->obj.conn->manager, &n);
        return 0;
}

int secret_get_value(Secret *s, unsigned flags, uint8_t **out, size_t *len, VbError *err) {
        if (vb_check_flags(flags, 0, "secretGetValue", err) < 0)
                return -1;
        if (s->def->private_)
                return vb_error_set(err, VB_ERR_INVALID_SECRET, VB_FROM_SECRET, "secret is private");
        return secret_get_value_internal(s, out, len, err);
}

int secret_get_value_internal(Secret *s, uint8_t **out, size_t *len, VbError *err) {
        if (!s->has_value)
                return vb_error_set(err, VB_ERR_NO_SECRET, VB_FROM_SECRET, "secret '%s' does not have a value",
                                    s->obj.name);
        uint8_t *copy = malloc(s->value_len ? s->value_len : 1);
        if (!copy)
                return vb_error_errno(err, -ENOMEM, "secret value");
        if (s->value_len)
                memcpy(copy, s->value, s->value_len);
        *out = copy;
        *len = s->value_len;
        return 0;
}
