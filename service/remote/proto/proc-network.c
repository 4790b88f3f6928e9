/* proc-network.c: virtual network procedures. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "network.h"

static int reply_network(RemoteCall *rc, Network *n) {
        if (!n)
                return -1;
        remote_put_network(&rc->ret, n);
        return 0;
}

/* A pending create answers with the network the completion hands over; one answered at once
 * gets it written by the handler. */
static int encode_network(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                remote_put_network(w, result);
        return 0;
}

REMOTE_HANDLER(proc_network_lookup_by_name) {
        char *name = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        int r = remote_args_end(rc);
        if (r == 0)
                r = reply_network(rc, network_lookup_name(rc->client->conn, name, &rc->err));
        free(name);
        return r;
}

REMOTE_HANDLER(proc_network_lookup_by_uuid) {
        uint8_t uuid[16];
        xdr_get_fixed(&rc->args, uuid, sizeof uuid);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_network(rc, network_lookup_uuid(rc->client->conn, uuid, &rc->err));
}

/* {string xml} or {string xml; u32 flags} → {net}: define, or create and start. */
static int from_xml(RemoteCall *rc, bool with_flags, bool start) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        Network *n = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0) {
                Call *call = start ? remote_call_plain(rc, encode_network) : NULL;
                if (!start)
                        r = network_define(rc->client->conn, xml, len, flags, &n, &rc->err) < 0 ? -1 : 0;
                else if (!call)
                        r = -1;
                else
                        r = remote_call_finish(rc, call, network_create_xml(rc->client->conn, xml, len, flags,
                                                                            call, &n, &rc->err));
                if (r == 0)
                        r = reply_network(rc, n);
        }
        free(xml);
        return r;
}

REMOTE_HANDLER(proc_network_define_xml) {
        return from_xml(rc, false, false);
}

REMOTE_HANDLER(proc_network_define_xml_flags) {
        return from_xml(rc, true, false);
}

REMOTE_HANDLER(proc_network_create_xml) {
        return from_xml(rc, false, true);
}

REMOTE_HANDLER(proc_network_create_xml_flags) {
        return from_xml(rc, true, true);
}

REMOTE_HANDLER(proc_network_create) {
        Network *n = remote_read_network(rc, NULL);
        Call *call = n ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, network_start(n, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_network_destroy) {
        Network *n = remote_read_network(rc, NULL);
        Call *call = n ? remote_call_plain(rc, NULL) : NULL;
        return call ? remote_call_finish(rc, call, network_destroy(n, call, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_network_undefine) {
        Network *n = remote_read_network(rc, NULL);
        return n ? remote_done(network_undefine(n, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_network_get_xml_desc) {
        unsigned flags = 0;
        Network *n = remote_read_network(rc, &flags);
        return n ? remote_reply_string(rc, network_get_xml(n, flags, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_network_get_bridge_name) {
        Network *n = remote_read_network(rc, NULL);
        const char *bridge = n ? network_bridge_name(n, &rc->err) : NULL;
        if (!bridge)
                return -1;
        xdr_put_string(&rc->ret, bridge);
        return 0;
}

REMOTE_HANDLER(proc_network_get_autostart) {
        Network *n = remote_read_network(rc, NULL);
        return n ? remote_reply_int(rc, n->autostart) : -1;
}

REMOTE_HANDLER(proc_network_set_autostart) {
        RemoteRef ref = { 0 };
        int32_t autostart;
        remote_get_network_ref(rc, &ref);
        xdr_get_i32(&rc->args, &autostart);
        if (remote_args_end(rc) < 0)
                return -1;
        Network *n = remote_find_network(rc, &ref);
        return n ? remote_done(network_set_autostart(n, autostart != 0, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_network_is_active) {
        Network *n = remote_read_network(rc, NULL);
        return n ? remote_reply_int(rc, n->active) : -1;
}

REMOTE_HANDLER(proc_network_is_persistent) {
        Network *n = remote_read_network(rc, NULL);
        return n ? remote_reply_int(rc, n->persistent) : -1;
}

/* {net; string? mac; u32 need_results; u32 flags} → {lease leases<>; u32 ret} */
REMOTE_HANDLER(proc_network_get_dhcp_leases) {
        RemoteRef ref = { 0 };
        char *mac = NULL;
        uint32_t need_results = 0, flags = 0;
        remote_get_network_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &mac);
        xdr_get_u32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        Network *n = remote_args_end(rc) == 0 ? remote_find_network(rc, &ref) : NULL;
        remote_ref_done(&ref);
        NetworkLease *leases = NULL;
        size_t count = 0;
        int r = n ? network_get_dhcp_leases(n, mac, flags, &leases, &count, &rc->err) : -1;
        free(mac);
        if (r < 0)
                return -1;
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) count : 0);
        for (size_t i = 0; need_results && i < count; i++) {
                const NetworkLease *l = &leases[i];
                xdr_put_string(&rc->ret, l->iface);
                xdr_put_i64(&rc->ret, l->expiry);
                xdr_put_i32(&rc->ret, l->type);
                xdr_put_opt_string(&rc->ret, l->mac);
                xdr_put_opt_string(&rc->ret, l->iaid);
                xdr_put_string(&rc->ret, l->ipaddr);
                xdr_put_u32(&rc->ret, l->prefix);
                xdr_put_opt_string(&rc->ret, l->hostname);
                xdr_put_opt_string(&rc->ret, l->clientid);
        }
        xdr_put_u32(&rc->ret, (uint32_t) count);
        network_leases_free(leases, count);
        return 0;
}

/* {net; u32 command; u32 section; i32 parentIndex; string xml; u32 flags}: libvirt's client
 * sends the section in the field named command and the command in the one named section (its
 * driver callback takes them in that order), so the first is the section. */
REMOTE_HANDLER(proc_network_update) {
        RemoteRef ref = { 0 };
        uint32_t section = 0, command = 0, flags = 0;
        int32_t parent_index = -1;
        char *xml = NULL;
        remote_get_network_ref(rc, &ref);
        xdr_get_u32(&rc->args, &section);
        xdr_get_u32(&rc->args, &command);
        xdr_get_i32(&rc->args, &parent_index);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, NULL);
        xdr_get_u32(&rc->args, &flags);
        Network *n = remote_args_end(rc) == 0 ? remote_find_network(rc, &ref) : NULL;
        remote_ref_done(&ref);
        Call *call = n ? remote_call_plain(rc, NULL) : NULL;
        int r = call ? remote_call_finish(rc, call, network_update(n, command, section, parent_index, xml, flags,
                                                                   call, &rc->err))
                     : -1;
        free(xml);
        return r;
}
