/* admin.c: the wire side of libvirt's admin program (virt-admin) on the admin socket: servers, clients, client limits, logging, TLS reload. */
#define LOG_MODULE "admin"

#include "admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "log.h"
#include "server-admin.h"
#include "server.h"

/* admin_protocol.x (libvirt 9.0) */
#define ADMIN_PROGRAM 0x06900690u
#define ADMIN_PROTOCOL_VERSION 1u
#define ADMIN_STRING_MAX (4u * 1024u * 1024u)
#define ADMIN_SERVER_CLIENT_LIMITS_MAX 32u
enum {
        ADMIN_PROC_CONNECT_OPEN = 1,
        ADMIN_PROC_CONNECT_CLOSE = 2,
        ADMIN_PROC_CONNECT_GET_LIB_VERSION = 3,
        ADMIN_PROC_CONNECT_LIST_SERVERS = 4,
        ADMIN_PROC_CONNECT_LOOKUP_SERVER = 5,
        ADMIN_PROC_SERVER_LIST_CLIENTS = 8,
        ADMIN_PROC_SERVER_LOOKUP_CLIENT = 9,
        ADMIN_PROC_CLIENT_GET_INFO = 10,
        ADMIN_PROC_CLIENT_CLOSE = 11,
        ADMIN_PROC_SERVER_GET_CLIENT_LIMITS = 12,
        ADMIN_PROC_SERVER_SET_CLIENT_LIMITS = 13,
        ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS = 14,
        ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS = 15,
        ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS = 16,
        ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS = 17,
        ADMIN_PROC_SERVER_UPDATE_TLS_FILES = 18,
};
typedef struct AdminCall {
        RemoteClient *c;
        const PacketHeader *hdr;
        Admin *admin;
        XdrReader in;
        XdrWriter *out;
        VbError err;
} AdminCall;

static int admin_decode_error(AdminCall *a) {
        return remote_error_rpc(&a->err, "Unable to decode message payload");
}

/* An admin_nonnull_server. */
static int admin_get_server(AdminCall *a, AdminServer **out) {
        char *name = NULL;
        if (xdr_get_string(&a->in, ADMIN_STRING_MAX, &name, NULL) < 0)
                return admin_decode_error(a);
        *out = admin_server_lookup(a->admin, name, &a->err);
        free(name);
        return *out ? 0 : -1;
}

/* An admin_nonnull_client: the live client of that server with that id. */
static int admin_get_client(AdminCall *a, AdminServer **srv, uint64_t *id) {
        int64_t ts;
        uint32_t transport;
        if (admin_get_server(a, srv) < 0)
                return -1;
        if (xdr_get_u64(&a->in, id) < 0 || xdr_get_i64(&a->in, &ts) < 0 || xdr_get_u32(&a->in, &transport) < 0)
                return admin_decode_error(a);
        return 0;
}

typedef struct PutClient {
        XdrWriter *w;
        const char *server;
        bool need;
        uint32_t n;
} PutClient;

static void admin_put_client(const AdminClient *c, void *ud) {
        PutClient *p = ud;
        if (!p->need)
                return;
        xdr_put_string(p->w, p->server);
        xdr_put_u64(p->w, c->id);
        xdr_put_i64(p->w, c->connected_at);
        xdr_put_u32(p->w, (uint32_t) c->transport);
        p->n++;
}

/* A typed parameter as admin_typed_param: field, type, value. */
static void admin_put_param(const char *field, int type, int64_t num, const char *str, void *ud) {
        PutClient *p = ud;
        xdr_put_string(p->w, field);
        xdr_put_i32(p->w, type);
        if (type == ADMIN_TP_STRING)
                xdr_put_string(p->w, str);
        else
                xdr_put_i32(p->w, (int32_t) num);
        p->n++;
}

static int admin_flags(AdminCall *a, unsigned allowed) {
        uint32_t flags;
        if (xdr_get_u32(&a->in, &flags) < 0)
                return admin_decode_error(a);
        if (flags & ~allowed)
                return vb_error_set(&a->err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "unsupported flags (0x%x)",
                                    flags & ~allowed);
        return 0;
}

static int admin_list_servers(AdminCall *a) {
        uint32_t need;
        if (xdr_get_u32(&a->in, &need) < 0)
                return admin_decode_error(a);
        if (admin_flags(a, 0) < 0)
                return -1;
        uint32_t total = (uint32_t) admin_n_servers(a->admin);
        uint32_t n = need ? total : 0;  /* need_results: a yes or no, not a count */
        xdr_put_u32(a->out, n);
        for (uint32_t i = 0; i < n; i++)
                xdr_put_string(a->out, admin_server_name_at(a->admin, i));
        return xdr_put_u32(a->out, total);
}

static int admin_lookup_server(AdminCall *a) {
        AdminServer *srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        return xdr_put_string(a->out, admin_server_name(srv));
}

static int admin_list_clients(AdminCall *a) {
        AdminServer *srv;
        uint32_t need;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_u32(&a->in, &need) < 0)
                return admin_decode_error(a);
        if (admin_flags(a, 0) < 0)
                return -1;
        PutClient p = { .w = a->out, .server = admin_server_name(srv), .need = need != 0 };
        xdr_put_u32(a->out, 0);                         /* the count, patched below */
        size_t count_at = a->out->len - 4;
        size_t total = admin_server_clients(srv, admin_put_client, &p);
        xdr_patch_u32(a->out, count_at, p.n);
        return xdr_put_u32(a->out, (uint32_t) total);
}

static int admin_lookup_client(AdminCall *a) {
        AdminServer *srv;
        uint64_t id;
        AdminClient c;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_u64(&a->in, &id) < 0)
                return admin_decode_error(a);
        if (admin_flags(a, 0) < 0 || admin_client_lookup(srv, id, &c, &a->err) < 0)
                return -1;
        PutClient p = { .w = a->out, .server = admin_server_name(srv), .need = true };
        admin_put_client(&c, &p);
        return 0;
}

/* The completion's one client, as admin_client_info_ret's typed parameters. */
static int encode_client_info(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const AdminClientList *l = result;
        if (!l || l->n != 1)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "no client description");
        PutClient p = { .w = w };
        xdr_put_u32(w, 0);
        size_t count_at = w->len - 4;
        admin_client_info_foreach(&l->v[0], admin_put_param, &p);
        xdr_patch_u32(w, count_at, p.n);
        return 0;
}

/* Answered later: the user and group names are looked up off the loop. */
static int admin_client_info(AdminCall *a) {
        AdminServer *srv;
        uint64_t id;
        if (admin_get_client(a, &srv, &id) < 0 || admin_flags(a, 0) < 0)
                return -1;
        if (xdr_remaining(&a->in) != 0)
                return admin_decode_error(a);
        RemoteCall rc = { .client = a->c, .hdr = *a->hdr };
        Call *call = remote_call_plain(&rc, encode_client_info);
        if (!call) {
                a->err = rc.err;
                return -1;
        }
        int r = admin_clients_describe(srv, false, id, call, &a->err);
        return remote_call_finish(&rc, call, r);
}

static int admin_close_client(AdminCall *a) {
        AdminServer *srv;
        uint64_t id;
        if (admin_get_client(a, &srv, &id) < 0 || admin_flags(a, 0) < 0)
                return -1;
        char by[64];
        snprintf(by, sizeof by, "admin client %u", remote_client_id(a->c));
        unsigned self = remote_client_is_admin(a->c) && strcmp(admin_server_name(srv), REMOTE_ADMIN_SERVER_ADMIN) == 0
                                ? remote_client_id(a->c)
                                : 0;
        return admin_client_close(srv, id, self, by, &a->err);
}

static int admin_get_limits(AdminCall *a) {
        AdminServer *srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        PutClient p = { .w = a->out };
        xdr_put_u32(a->out, 0);
        size_t count_at = a->out->len - 4;
        admin_limits_foreach(srv, admin_put_param, &p);
        xdr_patch_u32(a->out, count_at, p.n);
        return 0;
}

static int admin_set_limits(AdminCall *a) {
        AdminServer *srv;
        uint32_t n;
        if (admin_get_server(a, &srv) < 0)
                return -1;
        if (xdr_get_array_len(&a->in, ADMIN_SERVER_CLIENT_LIMITS_MAX, 12, &n) < 0)
                return admin_decode_error(a);
        AdminLimits next;
        admin_limits_begin(srv, &next);
        for (uint32_t i = 0; i < n; i++) {
                char *field = NULL;
                int32_t type;
                uint32_t v = 0;
                if (xdr_get_string(&a->in, ADMIN_STRING_MAX, &field, NULL) < 0 || xdr_get_i32(&a->in, &type) < 0 ||
                    (type != ADMIN_TP_UINT && type != ADMIN_TP_INT && type != ADMIN_TP_BOOLEAN) ||
                    xdr_get_u32(&a->in, &v) < 0) {
                        free(field);
                        return vb_error_set(&a->err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                            "client limits are unsigned integers");
                }
                int r = admin_limits_set_field(&next, field, type, v, &a->err);
                free(field);
                if (r < 0)
                        return -1;
        }
        if (admin_flags(a, 0) < 0)
                return -1;
        return admin_limits_commit(srv, &next, &a->err);
}

static int admin_get_log(AdminCall *a, bool filters) {
        if (admin_flags(a, 0) < 0)
                return -1;
        char buf[32];
        const char *v = filters ? admin_log_filters() : admin_log_outputs(buf, sizeof buf);
        if (filters)
                xdr_put_opt_string(a->out, v);
        else
                xdr_put_string(a->out, v);
        return xdr_put_u32(a->out, (uint32_t) log_count_tokens(v));
}

static int admin_set_log(AdminCall *a, bool filters) {
        char *v = NULL;
        if (xdr_get_opt_string(&a->in, ADMIN_STRING_MAX, &v) < 0)
                return admin_decode_error(a);
        int r = admin_flags(a, 0);
        if (r == 0)
                r = filters ? admin_set_log_filters(v, &a->err) : admin_set_log_outputs(v, &a->err);
        free(v);
        return r;
}

static int admin_tls(AdminCall *a) {
        AdminServer *srv;
        if (admin_get_server(a, &srv) < 0 || admin_flags(a, 0) < 0)
                return -1;
        return admin_update_tls(srv, &a->err);
}

static int admin_call(AdminCall *a, int proc) {
        switch (proc) {
        case ADMIN_PROC_CONNECT_OPEN:
        case ADMIN_PROC_CONNECT_CLOSE:
                return proc == ADMIN_PROC_CONNECT_OPEN ? admin_flags(a, 0) : 0;
        case ADMIN_PROC_CONNECT_GET_LIB_VERSION:
                return xdr_put_u64(a->out, REMOTE_LIB_VERSION);
        case ADMIN_PROC_CONNECT_LIST_SERVERS:
                return admin_list_servers(a);
        case ADMIN_PROC_CONNECT_LOOKUP_SERVER:
                return admin_lookup_server(a);
        case ADMIN_PROC_SERVER_LIST_CLIENTS:
                return admin_list_clients(a);
        case ADMIN_PROC_SERVER_LOOKUP_CLIENT:
                return admin_lookup_client(a);
        case ADMIN_PROC_CLIENT_GET_INFO:
                return admin_client_info(a);
        case ADMIN_PROC_CLIENT_CLOSE:
                return admin_close_client(a);
        case ADMIN_PROC_SERVER_GET_CLIENT_LIMITS:
                return admin_get_limits(a);
        case ADMIN_PROC_SERVER_SET_CLIENT_LIMITS:
                return admin_set_limits(a);
        case ADMIN_PROC_CONNECT_GET_LOGGING_OUTPUTS:
        case ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS:
                return admin_get_log(a, proc == ADMIN_PROC_CONNECT_GET_LOGGING_FILTERS);
        case ADMIN_PROC_CONNECT_SET_LOGGING_OUTPUTS:
        case ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS:
                return admin_set_log(a, proc == ADMIN_PROC_CONNECT_SET_LOGGING_FILTERS);
        case ADMIN_PROC_SERVER_UPDATE_TLS_FILES:
                return admin_tls(a);
        default:
                /* threadpool parameters (virtbusd has no worker pool), daemon timeout */
                return vb_error_set(&a->err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "admin procedure %d", proc);
        }
}

static void admin_packet(RemoteClient *c, const uint8_t *packet, size_t len) {
        PacketHeader h;
        if (packet_header_decode(packet, len, &h) < 0) {
                remote_client_close(c);
                return;
        }
        uint8_t *out = NULL;
        size_t out_len = 0;
        if (h.prog == KEEPALIVE_PROGRAM) {
                if (h.proc == KEEPALIVE_PROC_PING && remote_packet_keepalive(KEEPALIVE_PROC_PONG, &out, &out_len) == 0)
                        remote_client_send(c, out, out_len);
                return;
        }
        if (h.type != MSG_CALL)
                return;
        AdminCall a = { .c = c, .hdr = &h, .admin = remote_server_admin(c->server) };
        if (h.prog != ADMIN_PROGRAM || h.vers != ADMIN_PROTOCOL_VERSION) {
                remote_error_rpc(&a.err, "Cannot find program %d version %d", h.prog, h.vers);
        } else {
                XdrWriter w;
                PacketHeader rh = h;
                rh.type = MSG_REPLY;
                rh.status = MSG_STATUS_OK;
                packet_begin(&w, &rh);
                a.out = &w;
                xdr_reader_init(&a.in, packet + 4 + PACKET_HEADER_SIZE, len - 4 - PACKET_HEADER_SIZE);
                int r = admin_call(&a, h.proc);
                if (r == REMOTE_REPLY_LATER) {
                        xdr_writer_done(&w);
                        return;
                }
                if (r >= 0 && xdr_remaining(&a.in) != 0)
                        r = admin_decode_error(&a);
                if (r >= 0 && packet_end(&w, &out, &out_len) == 0) {
                        remote_client_send(c, out, out_len);
                        return;
                }
                if (r >= 0)
                        vb_error_errno(&a.err, -ENOMEM, "admin reply");
                else
                        xdr_writer_done(&w);
        }
        if (packet_error(&h, MSG_REPLY, &a.err, &out, &out_len) == 0)
                remote_client_send(c, out, out_len);
}

static void admin_notice(RemoteClient *c, const Notice *n) {
}

static void admin_nothing(RemoteClient *c) {
}

const RemoteProtocol remote_admin_protocol = {
        .packet = admin_packet,
        .notice = admin_notice,
        .output_drained = admin_nothing,
        .dropped = admin_nothing,
        .freed = admin_nothing,
        .keepalive = remote_packet_keepalive,
};
