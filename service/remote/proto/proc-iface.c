/* proc-iface.c: the remote procedures of host interfaces (virInterface, read-only): thin decode → core iface.c → encode. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "iface.h"

#define REMOTE_INTERFACE_LIST_MAX 16384u
#define IFACE_ARG_MAX 4096

/* remote_nonnull_interface: {remote_nonnull_string name; remote_nonnull_string mac} */
static void put_iface(XdrWriter *w, const HostIface *i) {
        xdr_put_string(w, i->name);
        xdr_put_string(w, i->mac);
}

static int reply_iface(RemoteCall *rc, int r, HostIface *i) {
        if (r == 0)
                put_iface(&rc->ret, i);
        host_iface_done(i);
        return r;
}

/* A handle (the last argument) and the interface its MAC names now, looked up after decoding. */
static int read_iface(RemoteCall *rc, HostIface *out) {
        char *name = NULL, *mac = NULL;
        size_t len;
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &name, &len);
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &mac, &len);
        int r = remote_args_end(rc);
        if (r == 0)
                r = host_iface_by_mac(rc->client->conn, mac, out, &rc->err);
        free(name);
        free(mac);
        return r;
}

static int reply_count(RemoteCall *rc, bool active) {
        if (remote_args_end(rc) < 0)
                return -1;
        int n = host_iface_count(rc->client->conn, active, &rc->err);
        return n < 0 ? -1 : remote_reply_int(rc, n);
}

static int reply_names(RemoteCall *rc, bool active) {
        int32_t max;
        xdr_get_i32(&rc->args, &max);
        if (remote_args_end(rc) < 0)
                return -1;
        if (max > (int32_t) REMOTE_INTERFACE_LIST_MAX)
                return remote_error_rpc(&rc->err, "maxnames > REMOTE_INTERFACE_LIST_MAX");
        HostIfaceList l;
        if (host_iface_list(rc->client->conn, active ? 2 : 1, &l, &rc->err) < 0)
                return -1;
        uint32_t n = l.n < (size_t) (max > 0 ? max : 0) ? (uint32_t) l.n : (uint32_t) (max > 0 ? max : 0);
        xdr_put_u32(&rc->ret, n);
        for (uint32_t i = 0; i < n; i++)
                xdr_put_string(&rc->ret, l.items[i].name);
        host_iface_list_done(&l);
        return 0;
}

REMOTE_HANDLER(proc_connect_num_of_interfaces) {
        return reply_count(rc, true);
}

REMOTE_HANDLER(proc_connect_num_of_defined_interfaces) {
        return reply_count(rc, false);
}

REMOTE_HANDLER(proc_connect_list_interfaces) {
        return reply_names(rc, true);
}

REMOTE_HANDLER(proc_connect_list_defined_interfaces) {
        return reply_names(rc, false);
}

/* {int need_results; u32 flags} → {remote_nonnull_interface ifaces<>; u32 ret} */
REMOTE_HANDLER(proc_connect_list_all_interfaces) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        HostIfaceList l;
        if (host_iface_list(rc->client->conn, flags, &l, &rc->err) < 0)
                return -1;
        if (l.n > REMOTE_INTERFACE_LIST_MAX) {
                host_iface_list_done(&l);
                return remote_error_rpc(&rc->err, "Too many interfaces '%zu' for limit '%u'", l.n,
                                        REMOTE_INTERFACE_LIST_MAX);
        }
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) l.n : 0);
        for (size_t i = 0; need_results && i < l.n; i++)
                put_iface(&rc->ret, &l.items[i]);
        xdr_put_u32(&rc->ret, (uint32_t) l.n);
        host_iface_list_done(&l);
        return 0;
}

REMOTE_HANDLER(proc_interface_lookup_by_name) {
        char *name = NULL;
        size_t len;
        HostIface i = { 0 };
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &name, &len);
        int r = remote_args_end(rc);
        if (r == 0)
                r = host_iface_by_name(rc->client->conn, name, &i, &rc->err);
        free(name);
        return reply_iface(rc, r, &i);
}

REMOTE_HANDLER(proc_interface_lookup_by_mac_string) {
        char *mac = NULL;
        size_t len;
        HostIface i = { 0 };
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &mac, &len);
        int r = remote_args_end(rc);
        if (r == 0)
                r = host_iface_by_mac(rc->client->conn, mac, &i, &rc->err);
        free(mac);
        return reply_iface(rc, r, &i);
}

/* {remote_nonnull_interface iface; u32 flags} → {remote_nonnull_string xml} */
REMOTE_HANDLER(proc_interface_get_xml_desc) {
        HostIface i = { 0 };
        uint32_t flags = 0;
        char *name = NULL, *mac = NULL;
        size_t len;
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &name, &len);
        xdr_get_string(&rc->args, IFACE_ARG_MAX, &mac, &len);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = host_iface_by_mac(rc->client->conn, mac, &i, &rc->err);
        free(name);
        free(mac);
        if (r == 0)
                r = remote_reply_string(rc, host_iface_xml(rc->client->conn, &i, flags, &rc->err));
        host_iface_done(&i);
        return r;
}

REMOTE_HANDLER(proc_interface_is_active) {
        HostIface i = { 0 };
        int r = read_iface(rc, &i);
        if (r == 0)
                r = remote_reply_int(rc, i.active);
        host_iface_done(&i);
        return r;
}
