/* proc-nodedev.c: the remote procedures of host node devices (virNodeDevice, read-only): thin decode → core nodedev.c → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "nodedev.h"

#define REMOTE_NODE_DEVICE_LIST_MAX 65536u
#define REMOTE_NODE_DEVICE_CAPS_LIST_MAX 65536u
#define NODEDEV_ARG_MAX 4096

/* {remote_nonnull_string name, …}: the device the name names now, looked up after decoding. */
static int read_dev(RemoteCall *rc, NodeDev *out, uint32_t *flags) {
        char *name = NULL;
        size_t len;
        xdr_get_string(&rc->args, NODEDEV_ARG_MAX, &name, &len);
        if (flags)
                xdr_get_u32(&rc->args, flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = nodedev_by_name(rc->client->conn, name, out, &rc->err);
        free(name);
        return r;
}

/* {remote_string cap; [int maxnames;] u32 flags} */
static int read_cap_args(RemoteCall *rc, bool with_max, NodeDevList *l, int32_t *max) {
        char *cap = NULL;
        uint32_t flags = 0;
        xdr_get_opt_string(&rc->args, NODEDEV_ARG_MAX, &cap);
        if (with_max)
                xdr_get_i32(&rc->args, max);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0 && with_max && *max > (int32_t) REMOTE_NODE_DEVICE_LIST_MAX)
                r = remote_error_rpc(&rc->err, "maxnames > REMOTE_NODE_DEVICE_LIST_MAX");
        if (r == 0)
                r = nodedev_list_cap(rc->client->conn, cap, flags, l, &rc->err);
        free(cap);
        return r;
}

REMOTE_HANDLER(proc_node_num_of_devices) {
        NodeDevList l;
        if (read_cap_args(rc, false, &l, NULL) < 0)
                return -1;
        int n = (int) l.n;
        nodedev_list_done(&l);
        return remote_reply_int(rc, n);
}

REMOTE_HANDLER(proc_node_list_devices) {
        NodeDevList l;
        int32_t max = 0;
        if (read_cap_args(rc, true, &l, &max) < 0)
                return -1;
        uint32_t n = max > 0 ? ((size_t) max < l.n ? (uint32_t) max : (uint32_t) l.n) : 0;
        xdr_put_u32(&rc->ret, n);
        for (uint32_t i = 0; i < n; i++)
                xdr_put_string(&rc->ret, l.items[i].name);
        nodedev_list_done(&l);
        return 0;
}

/* {int need_results; u32 flags} → {remote_nonnull_node_device devices<>; u32 ret} */
REMOTE_HANDLER(proc_connect_list_all_node_devices) {
        int32_t need_results;
        uint32_t flags;
        xdr_get_i32(&rc->args, &need_results);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        NodeDevList l;
        if (nodedev_list(rc->client->conn, flags, &l, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, need_results ? (uint32_t) l.n : 0);
        for (size_t i = 0; need_results && i < l.n; i++)
                xdr_put_string(&rc->ret, l.items[i].name);
        xdr_put_u32(&rc->ret, (uint32_t) l.n);
        nodedev_list_done(&l);
        return 0;
}

REMOTE_HANDLER(proc_node_device_lookup_by_name) {
        NodeDev d = { 0 };
        if (read_dev(rc, &d, NULL) < 0)
                return -1;
        xdr_put_string(&rc->ret, d.name);
        nodedev_done(&d);
        return 0;
}

REMOTE_HANDLER(proc_node_device_get_xml_desc) {
        NodeDev d = { 0 };
        uint32_t flags = 0;
        if (read_dev(rc, &d, &flags) < 0)
                return -1;
        int r = remote_reply_string(rc, nodedev_xml(rc->client->conn, &d, flags, &rc->err));
        nodedev_done(&d);
        return r;
}

REMOTE_HANDLER(proc_node_device_get_parent) {
        NodeDev d = { 0 };
        if (read_dev(rc, &d, NULL) < 0)
                return -1;
        xdr_put_opt_string(&rc->ret, d.parent[0] ? d.parent : NULL);
        nodedev_done(&d);
        return 0;
}

REMOTE_HANDLER(proc_node_device_num_of_caps) {
        NodeDev d = { 0 };
        if (read_dev(rc, &d, NULL) < 0)
                return -1;
        nodedev_done(&d);
        return remote_reply_int(rc, (int32_t) d.n_caps);
}

/* {remote_nonnull_string name; int maxnames} → {remote_nonnull_string names<>} */
REMOTE_HANDLER(proc_node_device_list_caps) {
        char *name = NULL;
        size_t len;
        int32_t max = 0;
        NodeDev d = { 0 };
        xdr_get_string(&rc->args, NODEDEV_ARG_MAX, &name, &len);
        xdr_get_i32(&rc->args, &max);
        int r = remote_args_end(rc);
        if (r == 0 && max > (int32_t) REMOTE_NODE_DEVICE_CAPS_LIST_MAX)
                r = remote_error_rpc(&rc->err, "maxnames > REMOTE_NODE_DEVICE_CAPS_LIST_MAX");
        if (r == 0)
                r = nodedev_by_name(rc->client->conn, name, &d, &rc->err);
        free(name);
        if (r < 0)
                return -1;
        uint32_t n = max > 0 ? ((size_t) max < d.n_caps ? (uint32_t) max : (uint32_t) d.n_caps) : 0;
        xdr_put_u32(&rc->ret, n);
        for (uint32_t i = 0; i < n; i++)
                xdr_put_string(&rc->ret, d.caps[i]);
        nodedev_done(&d);
        return 0;
}

/* {remote_nonnull_node_device dev} → {int}: IsActive (436), IsPersistent (435), GetAutostart (433). */
static int reply_dev_state(RemoteCall *rc, int (*fn)(Connection *c, const NodeDev *d, VbError *err)) {
        NodeDev d = { 0 };
        if (read_dev(rc, &d, NULL) < 0)
                return -1;
        int r = fn(rc->client->conn, &d, &rc->err);
        nodedev_done(&d);
        return r < 0 ? -1 : remote_reply_int(rc, r);
}

REMOTE_HANDLER(proc_node_device_is_active) {
        return reply_dev_state(rc, nodedev_is_active);
}

REMOTE_HANDLER(proc_node_device_is_persistent) {
        return reply_dev_state(rc, nodedev_is_persistent);
}

REMOTE_HANDLER(proc_node_device_get_autostart) {
        return reply_dev_state(rc, nodedev_get_autostart);
}

/* {remote_nonnull_node_device dev; int autostart} → void */
REMOTE_HANDLER(proc_node_device_set_autostart) {
        NodeDev d = { 0 };
        uint32_t autostart = 0;
        if (read_dev(rc, &d, &autostart) < 0)
                return -1;
        int r = nodedev_set_autostart(rc->client->conn, &d, autostart != 0, &rc->err);
        nodedev_done(&d);
        return r;
}
