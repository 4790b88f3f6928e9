/* proc-network-port.c: network port procedures (404-410): remote_nonnull_network_port is {network; uuid}. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "network-port.h"

#define REMOTE_NETWORK_PORT_LIST_MAX 16384u
#define REMOTE_NETWORK_PORT_PARAMETERS_MAX 16
#define TYPED_PARAM_UINT 2

static void put_port(XdrWriter *w, Network *n, const uint8_t uuid[16]) {
        remote_put_network(w, n);
        xdr_put_fixed(w, uuid, 16);
}

/* {network_port port; …}: the network now, the port's UUID in uuid; the lookup after the args end. */
static void get_port_ref(RemoteCall *rc, RemoteRef *ref, uint8_t uuid[16]) {
        remote_get_network_ref(rc, ref);
        xdr_get_fixed(&rc->args, uuid, 16);
}

static Network *find(RemoteCall *rc, RemoteRef *ref) {
        Network *n = remote_args_end(rc) == 0 ? remote_find_network(rc, ref) : NULL;
        remote_ref_done(ref);
        return n;
}

/* {net; int need_results; u32 flags} → {network_port ports<>; u32 ret} */
REMOTE_HANDLER(proc_network_list_all_ports) {
        RemoteRef ref = { 0 };
        int32_t need_results = 0;
        uint32_t flags = 0;
        remote_get_network_ref(rc, &ref);
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        NetPortDef **ports = NULL;
        size_t count = 0;
        if (!n || network_ports_list(n, flags, &ports, &count, &rc->err) < 0)
                return -1;
        if (count > REMOTE_NETWORK_PORT_LIST_MAX) {
                network_ports_free(ports, count);
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_REMOTE,
                                    "too many network ports '%zu' for limit '%u'", count, REMOTE_NETWORK_PORT_LIST_MAX);
        }
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) count : 0);
        for (size_t i = 0; need_results && i < count; i++)
                put_port(&rc->ret, n, ports[i]->uuid);
        xdr_put_u32(&rc->ret, (uint32_t) count);
        network_ports_free(ports, count);
        return 0;
}

/* {net; uuid} → {port} */
REMOTE_HANDLER(proc_network_port_lookup_by_uuid) {
        RemoteRef ref = { 0 };
        uint8_t uuid[16];
        get_port_ref(rc, &ref, uuid);
        Network *n = find(rc, &ref);
        NetPortDef *p = n ? network_port_get(n, uuid, &rc->err) : NULL;
        if (!p)
                return -1;
        put_port(&rc->ret, n, p->uuid);
        netport_def_free(p);
        return 0;
}

/* {net; string xml; u32 flags} → {port} */
REMOTE_HANDLER(proc_network_port_create_xml) {
        RemoteRef ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        uint8_t uuid[16];
        remote_get_network_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        int r = n ? network_port_create(n, xml, len, flags, uuid, &rc->err) : -1;
        free(xml);
        if (r < 0)
                return -1;
        put_port(&rc->ret, n, uuid);
        return 0;
}

/* {port; u32 flags} → {string xml} */
REMOTE_HANDLER(proc_network_port_get_xml_desc) {
        RemoteRef ref = { 0 };
        uint8_t uuid[16];
        uint32_t flags = 0;
        get_port_ref(rc, &ref, uuid);
        xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        if (!n || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        NetPortDef *p = network_port_get(n, uuid, &rc->err);
        char *xml = p ? netport_def_format(p) : NULL;
        if (p && !xml)
                vb_error_set(&rc->err, VB_ERR_NO_MEMORY, VB_FROM_NETWORK, "%s", "network port XML");
        netport_def_free(p);
        return remote_reply_string(rc, xml);
}

/* {port; u32 flags} */
REMOTE_HANDLER(proc_network_port_delete) {
        RemoteRef ref = { 0 };
        uint8_t uuid[16];
        uint32_t flags = 0;
        get_port_ref(rc, &ref, uuid);
        xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        return n ? remote_done(network_port_delete(n, uuid, flags, &rc->err)) : -1;
}

static void put_uint_param(XdrWriter *w, const char *field, uint64_t v) {
        xdr_put_string(w, field);
        xdr_put_i32(w, TYPED_PARAM_UINT);
        xdr_put_u32(w, v > UINT32_MAX ? UINT32_MAX : (uint32_t) v);
}

/* {port; int nparams; u32 flags} → {remote_typed_param params<>; int nparams}: the port's bandwidth, in
 * libvirt's names and order (0: unset). Every one is sent whatever nparams asks (the client's allocating
 * call sends its maximum). */
REMOTE_HANDLER(proc_network_port_get_parameters) {
        RemoteRef ref = { 0 };
        uint8_t uuid[16];
        int32_t want = 0;
        uint32_t flags = 0;
        get_port_ref(rc, &ref, uuid);
        xdr_get_i32(&rc->args, &want);
        xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        if (!n || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        if (want < 0)
                return vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "nparams %d is negative", want);
        NetPortDef *p = network_port_get(n, uuid, &rc->err);
        if (!p)
                return -1;
        xdr_put_u32(&rc->ret, 7);
        put_uint_param(&rc->ret, "inbound.average", p->in.average);
        put_uint_param(&rc->ret, "inbound.peak", p->in.peak);
        put_uint_param(&rc->ret, "inbound.floor", p->in.floor);
        put_uint_param(&rc->ret, "inbound.burst", p->in.burst);
        put_uint_param(&rc->ret, "outbound.average", p->out.average);
        put_uint_param(&rc->ret, "outbound.peak", p->out.peak);
        put_uint_param(&rc->ret, "outbound.burst", p->out.burst);
        xdr_put_i32(&rc->ret, 7);
        netport_def_free(p);
        return 0;
}

/* {port; remote_typed_param params<>; u32 flags}: decoded, then network_port_set_parameters(). */
REMOTE_HANDLER(proc_network_port_set_parameters) {
        RemoteRef ref = { 0 };
        uint8_t uuid[16];
        uint32_t count = 0, flags = 0;
        bool bad = false;
        DomainTuneParam *params = calloc(REMOTE_NETWORK_PORT_PARAMETERS_MAX, sizeof *params);
        if (!params)
                return vb_error_errno(&rc->err, -ENOMEM, "parameters");
        get_port_ref(rc, &ref, uuid);
        if (xdr_get_array_len(&rc->args, REMOTE_NETWORK_PORT_PARAMETERS_MAX, 12, &count) == 0)
                for (uint32_t i = 0; i < count && !bad; i++)
                        bad = remote_get_typed_param(&rc->args, &params[i]) < 0;
        if (!bad)
                xdr_get_u32(&rc->args, &flags);
        Network *n = find(rc, &ref);
        Call *call = NULL;
        int r = -1;
        if (n && bad)
                vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type");
        else if (n && (call = remote_call_plain(rc, NULL)))
                r = network_port_set_parameters(n, uuid, params, count, flags, call, &rc->err);
        free(params);
        return call ? remote_call_finish(rc, call, r) : -1;
}
