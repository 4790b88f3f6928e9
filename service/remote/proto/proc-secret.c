/* proc-secret.c: the remote procedures of secrets (virSecret, procedures 139–147 and 287): thin decode → core secret.c → encode. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "secret.h"

/* remote_nonnull_secret: {remote_uuid uuid; int usageType; remote_nonnull_string usageID} */
int remote_put_secret(XdrWriter *w, const Secret *s) {
        xdr_put_fixed(w, s->obj.uuid, 16);
        xdr_put_i32(w, (int32_t) s->def->usage_type);
        return xdr_put_string(w, secret_usage_id(s));
}

static int reply_secret(RemoteCall *rc, Secret *s) {
        if (!s)
                return -1;
        remote_put_secret(&rc->ret, s);
        return 0;
}

/* A handle (its UUID names it; the usage fields are libvirt's copy) and the secret now. */
static void get_secret_ref(RemoteCall *rc, uint8_t uuid[16]) {
        int32_t type;
        xdr_get_fixed(&rc->args, uuid, 16);
        xdr_get_i32(&rc->args, &type);
        xdr_skip_string(&rc->args, REMOTE_STRING_MAX);
}

static Secret *read_secret(RemoteCall *rc, unsigned *flags) {
        uint8_t uuid[16] = { 0 };
        uint32_t f = 0;
        get_secret_ref(rc, uuid);
        if (flags)
                xdr_get_u32(&rc->args, &f);
        if (remote_args_end(rc) < 0)
                return NULL;
        if (flags)
                *flags = f;
        return secret_lookup_uuid(rc->client->conn, uuid, &rc->err);
}

/* void → {int num} */
REMOTE_HANDLER(proc_connect_num_of_secrets) {
        if (remote_args_end(rc) < 0)
                return -1;
        int n = secret_count(rc->client->conn, &rc->err);
        return n < 0 ? -1 : remote_reply_int(rc, n);
}

/* {int maxuuids} → {remote_nonnull_string uuids<REMOTE_SECRET_LIST_MAX>} */
REMOTE_HANDLER(proc_connect_list_secrets) {
        int32_t max;
        xdr_get_i32(&rc->args, &max);
        if (remote_args_end(rc) < 0)
                return -1;
        if (max > (int32_t) SECRET_LIST_MAX)
                return remote_error_rpc(&rc->err, "maxuuids > REMOTE_SECRET_LIST_MAX");
        SecretStore *st = secret_store(rc->client->conn, "virConnectListSecrets", &rc->err);
        if (!st)
                return -1;
        uint32_t n = st->secrets.count < (size_t) (max > 0 ? max : 0) ? (uint32_t) st->secrets.count
                                                                        : (uint32_t) (max > 0 ? max : 0);
        xdr_put_u32(&rc->ret, n);
        uint32_t i = 0;
        REGISTRY_FOREACH(o, &st->secrets) {
                if (i++ >= n)
                        break;
                xdr_put_string(&rc->ret, o->name);
        }
        return 0;
}

/* {int need_results; u32 flags} → {remote_nonnull_secret secrets<>; u32 ret} */
REMOTE_HANDLER(proc_connect_list_all_secrets) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        SecretStore *st = secret_list_store(rc->client->conn, flags, &rc->err);
        if (!st)
                return -1;
        uint32_t n = 0;
        REGISTRY_FOREACH(o, &st->secrets)
                n += secret_list_match((const Secret *) o, flags);
        if (n > SECRET_LIST_MAX)
                return remote_error_rpc(&rc->err, "Too many secrets '%u' for limit '%u'", n, SECRET_LIST_MAX);
        xdr_put_u32(&rc->ret, need_results ? n : 0);
        if (need_results)
                REGISTRY_FOREACH(o, &st->secrets)
                        if (secret_list_match((const Secret *) o, flags))
                                remote_put_secret(&rc->ret, (const Secret *) o);
        xdr_put_u32(&rc->ret, n);
        return 0;
}

/* {remote_uuid uuid} */
REMOTE_HANDLER(proc_secret_lookup_by_uuid) {
        uint8_t uuid[16] = { 0 };
        xdr_get_fixed(&rc->args, uuid, 16);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_secret(rc, secret_lookup_uuid(rc->client->conn, uuid, &rc->err));
}

/* {int usageType; remote_nonnull_string usageID} */
REMOTE_HANDLER(proc_secret_lookup_by_usage) {
        int32_t type;
        char *id = NULL;
        xdr_get_i32(&rc->args, &type);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &id, NULL);
        Secret *s = NULL;
        if (remote_args_end(rc) == 0)
                s = secret_lookup_usage(rc->client->conn, type, id, &rc->err);
        free(id);
        return reply_secret(rc, s);
}

/* {remote_nonnull_string xml; u32 flags} → {remote_nonnull_secret secret} */
REMOTE_HANDLER(proc_secret_define_xml) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags;
        Secret *s = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = secret_define(rc->client->conn, xml, len, flags, &s, &rc->err);
        free(xml);
        return r < 0 ? -1 : reply_secret(rc, s);
}

/* {remote_nonnull_secret secret; u32 flags} → {remote_nonnull_string xml} */
REMOTE_HANDLER(proc_secret_get_xml_desc) {
        unsigned flags;
        Secret *s = read_secret(rc, &flags);
        return s ? remote_reply_string(rc, secret_xml(s, flags, &rc->err)) : -1;
}

/* {remote_nonnull_secret secret; opaque value<REMOTE_SECRET_VALUE_MAX>; u32 flags} → void */
REMOTE_HANDLER(proc_secret_set_value) {
        uint8_t uuid[16] = { 0 };
        uint8_t *value = NULL;
        size_t len = 0;
        uint32_t flags;
        get_secret_ref(rc, uuid);
        xdr_get_opaque(&rc->args, SECRET_VALUE_MAX, &value, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0) {
                Secret *s = secret_lookup_uuid(rc->client->conn, uuid, &rc->err);
                r = s ? secret_set_value(s, value, len, flags, &rc->err) : -1;
        }
        secret_value_free(value, len);
        return remote_done(r);
}

/* {remote_nonnull_secret secret; u32 flags} → {opaque value<REMOTE_SECRET_VALUE_MAX>} */
REMOTE_HANDLER(proc_secret_get_value) {
        unsigned flags;
        uint8_t *value = NULL;
        size_t len = 0;
        Secret *s = read_secret(rc, &flags);
        if (!s || secret_get_value(s, flags, &value, &len, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) len);
        xdr_put_fixed(&rc->ret, value, len);
        secret_value_free(value, len);
        return 0;
}

/* {remote_nonnull_secret secret} → void */
REMOTE_HANDLER(proc_secret_undefine) {
        Secret *s = read_secret(rc, NULL);
        return s ? remote_done(secret_undefine(s, &rc->err)) : -1;
}
