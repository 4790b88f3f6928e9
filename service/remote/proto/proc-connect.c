/* proc-connect.c: the connection procedures: open and close, features, authentication list, driver and host queries. */
#include "dispatch.h"

#include "authz.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-migrate.h"
#include "driver.h"
#include "node.h"
#include "manager.h"
#include "domain-fdgroup.h"
#include "migrate-peer.h"

/* virDrvFeature numbers clients ask about (libvirt_internal.h). */
enum {
        FEATURE_MIGRATION_P2P = 4,
        FEATURE_MIGRATION_V3 = 6,
        FEATURE_FD_PASSING = 8,
        FEATURE_TYPED_PARAM_STRING = 9,
        FEATURE_PROGRAM_KEEPALIVE = 10,
        FEATURE_MIGRATION_PARAMS = 13,
        FEATURE_REMOTE_EVENT_CALLBACK = 14,
        FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

enum { CONNECT_RO = 1u << 0 };  /* VIR_CONNECT_RO */

/* The client names the connection by URI, with the transport, host and parameters already
 * removed ("qemu+tcp://h/system?x" arrives as "qemu:///system"). */
static Connection *connection_of_uri(Manager *m, const char *uri) {
        for (size_t i = 0; i < m->n_conns; i++)
                if (m->conns[i]->driver->uri && strcmp(m->conns[i]->driver->uri, uri) == 0)
                        return m->conns[i];
        return NULL;
}

REMOTE_HANDLER(proc_connect_open) {
        RemoteClient *c = rc->client;
        char *name = NULL;
        uint32_t flags = 0;
        int r = -1;

        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &name);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                goto out;
        if (c->conn) {
                vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC, "connection already open");
                goto out;
        }
        /* No name: libvirt probes its drivers; virtbus has one default for now. */
        const char *uri = name && *name ? name : "test:///default";
        Connection *conn = connection_of_uri(c->manager, uri);
        if (!conn) {
                vb_error_set_raw(&rc->err, VB_ERR_NO_CONNECT, VB_FROM_NONE, "no connection driver available for %s", uri);
                goto out;
        }
        c->conn = conn;
        if (flags & CONNECT_RO)
                c->readonly = true;
        r = 0;
out:
        free(name);
        return r;
}

REMOTE_HANDLER(proc_connect_close) {
        RemoteClient *c = rc->client;
        remote_events_drop_all(c);
        domain_fd_groups_release(c);
        c->close_callback = false;
        c->conn = NULL;
        return 0;
}

REMOTE_HANDLER(proc_connect_supports_feature) {
        RemoteClient *c = rc->client;
        int32_t feature;
        int32_t supported = 0;

        xdr_get_i32(&rc->args, &feature);
        if (remote_args_end(rc) < 0)
                return -1;
        /* Asked before connect_open: it decides whether the client pings. */
        if (feature == FEATURE_PROGRAM_KEEPALIVE) {
                c->keepalive_requested = true;
                remote_client_keepalive_start(c);
                return remote_reply_int(rc, 1);
        }
        if (!c->conn)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "hypervisor connection not open");
        switch (feature) {
        case FEATURE_TYPED_PARAM_STRING:
        case FEATURE_REMOTE_EVENT_CALLBACK:
        case FEATURE_REMOTE_CLOSE_CALLBACK:
                supported = 1;
                break;
        case FEATURE_MIGRATION_V3:      /* managed v3 migration with parameters (domain-migrate-v3.c) */
        case FEATURE_MIGRATION_PARAMS:
                supported = c->conn->driver->migrate && c->conn->driver->migrate->perform;
                break;
        case FEATURE_MIGRATION_P2P:     /* the daemon drives the destination itself (domain-migrate-p2p.c) */
                supported = c->conn->driver->migrate && c->conn->driver->migrate->perform && migrate_peer_get_ops();
                break;
        case FEATURE_FD_PASSING:        /* replies with fds (OpenGraphicsFD); CALL_WITH_FDS is not taken */
                supported = remote_client_can_pass_fds(c);
                break;
        default:
                supported = 0;
                break;
        }
        return remote_reply_int(rc, supported);
}

REMOTE_HANDLER(proc_connect_register_close_callback) {
        rc->client->close_callback = true;
        return 0;
}

REMOTE_HANDLER(proc_connect_unregister_close_callback) {
        rc->client->close_callback = false;
        return 0;
}

REMOTE_HANDLER(proc_connect_get_type) {
        xdr_put_string(&rc->ret, rc->client->conn->driver->type);
        return 0;
}

REMOTE_HANDLER(proc_connect_get_version) {
        xdr_put_u64(&rc->ret, rc->client->conn->driver->version);
        return 0;
}

REMOTE_HANDLER(proc_connect_get_lib_version) {
        xdr_put_u64(&rc->ret, REMOTE_LIB_VERSION);
        return 0;
}

REMOTE_HANDLER(proc_connect_get_uri) {
        xdr_put_string(&rc->ret, rc->client->conn->driver->uri);
        return 0;
}

REMOTE_HANDLER(proc_connect_get_hostname) {
        char name[HOST_NAME_MAX + 1] = "";
        if (gethostname(name, sizeof name) < 0)
                return vb_error_errno(&rc->err, -errno, "gethostname");
        name[HOST_NAME_MAX] = '\0';
        xdr_put_string(&rc->ret, name);
        return 0;
}

/* libvirt says "the hypervisor connection is secure": the daemon talks to it locally. The
 * client combines this with what it knows of its own transport. Observed: 1 over TCP. */
REMOTE_HANDLER(proc_connect_is_secure) {
        return remote_reply_int(rc, 1);
}

/* The XML a capabilities request that waited for QEMU's probe got (node-wait.c). */
static int encode_xml(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                xdr_put_string(w, result);
        return 0;
}

/* After the capabilities verb returned r: the XML now, or the reply when the wait ends. */
static int reply_capabilities(RemoteCall *rc, Call *call, int r, char *xml) {
        if (r == 0)
                r = remote_reply_string(rc, xml);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_connect_get_capabilities) {
        if (remote_args_end(rc) < 0)
                return -1;
        Call *call = remote_call_plain(rc, encode_xml);
        if (!call)
                return -1;
        char *xml = NULL;
        int r = node_capabilities_call(rc->client->conn, call, &xml, &rc->err);
        return reply_capabilities(rc, call, r, xml);
}

/* remote_connect_get_domain_capabilities_args: four remote_string (emulatorbin, arch,
 * machine, virttype) and the flags. */
REMOTE_HANDLER(proc_connect_get_domain_capabilities) {
        char *arg[4] = { NULL, NULL, NULL, NULL };
        uint32_t flags = 0;
        for (size_t i = 0; i < 4; i++)
                xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &arg[i]);
        xdr_get_u32(&rc->args, &flags);
        char *xml = NULL;
        Call *call = remote_args_end(rc) == 0 ? remote_call_plain(rc, encode_xml) : NULL;
        int r = call ? node_domain_capabilities_call(rc->client->conn, arg[0], arg[1], arg[2], arg[3], flags, call,
                                                     &xml, &rc->err) : -1;
        for (size_t i = 0; i < 4; i++)
                free(arg[i]);
        return call ? reply_capabilities(rc, call, r, xml) : -1;
}

REMOTE_HANDLER(proc_connect_get_sysinfo) {
        uint32_t flags;
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        return remote_reply_string(rc, node_sysinfo(rc->client->conn, flags, &rc->err));
}

REMOTE_HANDLER(proc_node_get_info) {
        NodeInfo info = { 0 };
        if (node_get_info(rc->client->conn, &info, &rc->err) < 0)
                return -1;
        xdr_put_char_fixed(&rc->ret, info.model, sizeof info.model);
        xdr_put_u64(&rc->ret, info.memory_kib);
        xdr_put_i32(&rc->ret, (int32_t) info.cpus);
        xdr_put_i32(&rc->ret, (int32_t) info.mhz);
        xdr_put_i32(&rc->ret, (int32_t) info.nodes);
        xdr_put_i32(&rc->ret, (int32_t) info.sockets);
        xdr_put_i32(&rc->ret, (int32_t) info.cores);
        xdr_put_i32(&rc->ret, (int32_t) info.threads);
        return 0;
}

REMOTE_HANDLER(proc_node_get_free_memory) {
        uint64_t bytes = 0;
        if (node_free_memory(rc->client->conn, &bytes, &rc->err) < 0)
                return -1;
        xdr_put_u64(&rc->ret, bytes);
        return 0;
}

/* virConnectGetMaxVcpus: the driver's number whatever the type (libvirt's test driver: 32). */
REMOTE_HANDLER(proc_connect_get_max_vcpus) {
        char *type = NULL;
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &type);
        free(type);
        if (remote_args_end(rc) < 0)
                return -1;
        int n = node_max_vcpus(rc->client->conn, &rc->err);
        return n < 0 ? -1 : remote_reply_int(rc, n);
}

/* The security driver's model and DOI: libvirt's test driver has its own; without a security
 * driver libvirt reports "none" with DOI "0". */
REMOTE_HANDLER(proc_node_get_security_model) {
        const char *model, *doi;
        node_security_model(rc->client->conn, &model, &doi);
        xdr_put_char_array(&rc->ret, model);
        xdr_put_char_array(&rc->ret, doi);
        return 0;
}

/* ---- auth_polkit (70): the connection-level check, answered when polkit has decided ---- */

typedef struct PolkitAuth {
        RemoteClient *client;
        PacketHeader hdr;
} PolkitAuth;

static void proc_auth_polkit_done(int r, const VbError *err, void *userdata) {
        PolkitAuth *pa = userdata;
        RemoteClient *c = pa->client;
        c->auth_in_progress = false;
        if (c->pending > 0)
                c->pending--;
        uint8_t *packet = NULL;
        size_t len = 0;
        if (r == 0) {
                c->authenticated = true;
                XdrWriter w;
                PacketHeader h = pa->hdr;
                h.type = MSG_REPLY;
                h.status = MSG_STATUS_OK;
                packet_begin(&w, &h);
                xdr_put_i32(&w, 1);     /* complete */
                if (packet_end(&w, &packet, &len) == 0)
                        remote_send(c, packet, len);
        } else if (packet_error(&pa->hdr, MSG_REPLY, err, &packet, &len) == 0) {
                remote_send(c, packet, len);
        }
        remote_client_unref(c);
        free(pa);
}

/* libvirt: org.libvirt.unix.manage on the rw socket, monitor on the ro one, with the client's
 * pid, start time and uid; interaction allowed (an agent may ask for a password). */
REMOTE_HANDLER(proc_auth_polkit) {
        RemoteClient *c = rc->client;
        if (remote_args_end(rc) < 0)
                return -1;
        if (c->auth_type != REMOTE_AUTH_POLKIT)
                return vb_error_set_raw(&rc->err, (VbErrorCode) REMOTE_ERR_AUTH_FAILED, (VbErrorFrom) REMOTE_FROM_RPC,
                                        "authentication failed: authentication failed");
        if (c->authenticated) {
                xdr_put_i32(&rc->ret, 1);
                return 0;
        }
        if (c->auth_in_progress)
                return vb_error_set_raw(&rc->err, (VbErrorCode) REMOTE_ERR_AUTH_FAILED, (VbErrorFrom) REMOTE_FROM_RPC,
                                        "authentication failed: an authentication is already in progress");
        PolkitAuth *pa = calloc(1, sizeof *pa);
        if (!pa)
                return vb_error_errno(&rc->err, -ENOMEM, "auth_polkit");
        pa->client = remote_client_ref(c);
        pa->hdr = rc->hdr;
        AuthzSubject subject = {
                .kind = AUTHZ_SUBJECT_PROCESS,
                .pid = c->who.pid,
                .start_time = c->start_time,
                .uid = c->who.uid,
        };
        int r = authz_check(c->authz, &subject, c->readonly ? AUTHZ_ACTION_MONITOR : AUTHZ_ACTION_MANAGE, NULL, true,
                            proc_auth_polkit_done, pa, &rc->err);
        if (r < 0) {
                remote_client_unref(c);
                free(pa);
                return -1;
        }
        c->auth_in_progress = true;
        c->pending++;
        return REMOTE_REPLY_LATER;
}

REMOTE_HANDLER(proc_auth_list) {
        xdr_put_u32(&rc->ret, 1);
        xdr_put_i32(&rc->ret, (int32_t) rc->client->auth_type);
        return 0;
}

/* SASL and polkit exchanges belong to the transport (server.c); until it takes them, a client
 * that tries one hears libvirt's answer to a method the server does not offer. */
REMOTE_HANDLER(proc_auth_unavailable) {
        return vb_error_set_raw(&rc->err, (VbErrorCode) REMOTE_ERR_AUTH_FAILED, (VbErrorFrom) REMOTE_FROM_RPC,
                                "authentication failed: authentication failed");
}
