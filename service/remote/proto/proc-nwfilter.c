/* proc-nwfilter.c: the remote procedures of network filters (175–181, 286, 431) and filter bindings (397–401): thin decode → core nwfilter.c → encode. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "nwfilter.h"

/* remote_nonnull_nwfilter: {remote_nonnull_string name; remote_uuid uuid} */
static void put_filter(XdrWriter *w, const NWFilter *f) {
        xdr_put_string(w, f->obj.name);
        xdr_put_fixed(w, f->obj.uuid, 16);
}

/* remote_nonnull_nwfilter_binding: {remote_nonnull_string portdev; remote_nonnull_string filtername} */
static void put_binding(XdrWriter *w, const NWFilterBinding *b) {
        xdr_put_string(w, b->def->portdev);
        xdr_put_string(w, b->def->filter);
}

static int reply_filter(RemoteCall *rc, NWFilter *f) {
        if (!f)
                return -1;
        put_filter(&rc->ret, f);
        return 0;
}

/* A filter handle (found by its UUID, as libvirt's driver does), then flags when asked for. */
static NWFilter *read_filter(RemoteCall *rc, unsigned *flags) {
        uint8_t uuid[16] = { 0 };
        uint32_t f = 0;
        xdr_skip_string(&rc->args, REMOTE_STRING_MAX);
        xdr_get_fixed(&rc->args, uuid, 16);
        if (flags)
                xdr_get_u32(&rc->args, &f);
        if (remote_args_end(rc) < 0)
                return NULL;
        if (flags)
                *flags = f;
        return nwfilter_lookup_uuid(rc->client->conn, uuid, &rc->err);
}

static NWFilterBinding *read_binding(RemoteCall *rc, unsigned *flags) {
        char *portdev = NULL;
        uint32_t f = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &portdev, NULL);
        xdr_skip_string(&rc->args, REMOTE_STRING_MAX);
        if (flags)
                xdr_get_u32(&rc->args, &f);
        NWFilterBinding *b = NULL;
        if (remote_args_end(rc) == 0)
                b = nwfilter_binding_lookup(rc->client->conn, portdev, &rc->err);
        if (flags)
                *flags = f;
        free(portdev);
        return b;
}

REMOTE_HANDLER(proc_connect_num_of_nwfilters) {
        if (remote_args_end(rc) < 0)
                return -1;
        NWFilterStore *st = nwfilter_store(rc->client->conn, "virConnectNumOfNWFilters", &rc->err);
        return st ? remote_reply_int(rc, (int32_t) st->filters.count) : -1;
}

/* {int maxnames} → {remote_nonnull_string names<REMOTE_NWFILTER_LIST_MAX>} */
REMOTE_HANDLER(proc_connect_list_nwfilters) {
        int32_t max;
        xdr_get_i32(&rc->args, &max);
        if (remote_args_end(rc) < 0)
                return -1;
        if (max > (int32_t) NWFILTER_LIST_MAX)
                return remote_error_rpc(&rc->err, "maxnames > REMOTE_NWFILTER_LIST_MAX");
        NWFilterStore *st = nwfilter_store(rc->client->conn, "virConnectListNWFilters", &rc->err);
        if (!st)
                return -1;
        size_t cap = max > 0 ? (size_t) max : 0;
        uint32_t n = (uint32_t) (st->filters.count < cap ? st->filters.count : cap), i = 0;
        xdr_put_u32(&rc->ret, n);
        REGISTRY_FOREACH(o, &st->filters) {
                if (i++ >= n)
                        break;
                xdr_put_string(&rc->ret, o->name);
        }
        return 0;
}

/* {int need_results; u32 flags} → {remote_nonnull_nwfilter filters<>; u32 ret} */
REMOTE_HANDLER(proc_connect_list_all_nwfilters) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        NWFilterStore *st = nwfilter_list_store(rc->client->conn, flags, &rc->err);
        if (!st)
                return -1;
        if (st->filters.count > NWFILTER_LIST_MAX)
                return remote_error_rpc(&rc->err, "Too many nwfilters '%zu' for limit '%u'", st->filters.count,
                                        NWFILTER_LIST_MAX);
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) st->filters.count : 0);
        if (need_results)
                REGISTRY_FOREACH(o, &st->filters)
                        put_filter(&rc->ret, (const NWFilter *) o);
        xdr_put_u32(&rc->ret, (uint32_t) st->filters.count);
        return 0;
}

REMOTE_HANDLER(proc_nwfilter_lookup_by_name) {
        char *name = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        NWFilter *f = NULL;
        if (remote_args_end(rc) == 0)
                f = nwfilter_lookup_name(rc->client->conn, name, &rc->err);
        free(name);
        return reply_filter(rc, f);
}

REMOTE_HANDLER(proc_nwfilter_lookup_by_uuid) {
        uint8_t uuid[16] = { 0 };
        xdr_get_fixed(&rc->args, uuid, 16);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_filter(rc, nwfilter_lookup_uuid(rc->client->conn, uuid, &rc->err));
}

REMOTE_HANDLER(proc_nwfilter_get_xml_desc) {
        unsigned flags;
        NWFilter *f = read_filter(rc, &flags);
        return f ? remote_reply_string(rc, nwfilter_xml(f, flags, &rc->err)) : -1;
}

static int define(RemoteCall *rc, bool with_flags) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        NWFilter *f = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = nwfilter_define(rc->client->conn, xml, len, flags, &f, &rc->err);
        free(xml);
        return r < 0 ? -1 : reply_filter(rc, f);
}

REMOTE_HANDLER(proc_nwfilter_define_xml) {
        return define(rc, false);
}

REMOTE_HANDLER(proc_nwfilter_define_xml_flags) {
        return define(rc, true);
}

REMOTE_HANDLER(proc_nwfilter_undefine) {
        NWFilter *f = read_filter(rc, NULL);
        return f ? remote_done(nwfilter_undefine(f, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_nwfilter_binding_lookup_by_port_dev) {
        char *name = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        NWFilterBinding *b = NULL;
        if (remote_args_end(rc) == 0)
                b = nwfilter_binding_lookup(rc->client->conn, name, &rc->err);
        free(name);
        if (!b)
                return -1;
        put_binding(&rc->ret, b);
        return 0;
}

REMOTE_HANDLER(proc_nwfilter_binding_get_xml_desc) {
        unsigned flags = 0;
        NWFilterBinding *b = read_binding(rc, &flags);
        return b ? remote_reply_string(rc, nwfilter_binding_xml(b, flags, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_nwfilter_binding_create_xml) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags;
        NWFilterBinding *b = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = nwfilter_binding_create(rc->client->conn, xml, len, flags, &b, &rc->err);
        free(xml);
        if (r < 0)
                return -1;
        put_binding(&rc->ret, b);
        return 0;
}

REMOTE_HANDLER(proc_nwfilter_binding_delete) {
        NWFilterBinding *b = read_binding(rc, NULL);
        return b ? remote_done(nwfilter_binding_delete(rc->client->conn, b, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_connect_list_all_nwfilter_bindings) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        NWFilterStore *st = nwfilter_binding_list_store(rc->client->conn, flags, &rc->err);
        if (!st)
                return -1;
        if (st->n_bindings > NWFILTER_BINDING_LIST_MAX)
                return remote_error_rpc(&rc->err, "Too many nwfilter bindings '%zu' for limit '%u'", st->n_bindings,
                                        NWFILTER_BINDING_LIST_MAX);
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) st->n_bindings : 0);
        for (size_t i = 0; need_results && i < st->n_bindings; i++)
                put_binding(&rc->ret, &st->bindings[i]);
        xdr_put_u32(&rc->ret, (uint32_t) st->n_bindings);
        return 0;
}
