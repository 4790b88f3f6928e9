/* dispatch.c: one call of the remote program: header checks, authentication, connection and read-only gates, the handler, and the reply now or later (route.c hands it the call). */
#define LOG_MODULE "remote"
#include "dispatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api-object.h"
#include "authz-api.h"
#include "authz.h"
#include "domain.h"
#include "log.h"

/* ------------------------------------------------------------------ errors */

int remote_error_rpc(VbError *e, const char *fmt, ...) {
        char text[VB_ERROR_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        return vb_error_set_raw(e, (VbErrorCode) REMOTE_ERR_RPC, (VbErrorFrom) REMOTE_FROM_RPC, "%s", text);
}

int remote_error_decode(RemoteCall *rc) {
        return remote_error_rpc(&rc->err, "Unable to decode message payload");
}

int remote_check_flags(RemoteCall *rc, unsigned flags, unsigned allowed) {
        const RemoteProcName *name = remote_proc_name(rc->hdr.proc);
        return vb_check_flags(flags, allowed, name && name->api ? name->api : "virConnect", &rc->err);
}

/* ------------------------------------------------------------------ sending */

void remote_send(RemoteClient *c, uint8_t *packet, size_t len) {
        int r = remote_client_send(c, packet, len);
        if (r < 0)
                log_debug("client %p: packet of %zu bytes not queued: %s", (void *) c, len, strerror(-r));
}

static void send_error(RemoteClient *c, const PacketHeader *req, const VbError *e) {
        uint8_t *packet = NULL;
        size_t len = 0;
        if (packet_error(req, MSG_REPLY, e, &packet, &len) < 0) {
                log_error("client %p: cannot build an error reply (serial %u)", (void *) c, req->serial);
                return;
        }
        remote_send(c, packet, len);
}

/* Send the reply in w; a reply that outgrew the packet maximum becomes an error instead. */
static void send_reply(RemoteClient *c, const PacketHeader *req, XdrWriter *w) {
        uint8_t *packet = NULL;
        size_t len = 0;
        int r = packet_end(w, &packet, &len);
        if (r < 0) {
                VbError e = { 0 };
                if (r == -ENOMEM)
                        vb_error_errno(&e, r, "reply");
                else
                        remote_error_rpc(&e, "Unable to encode message payload");
                log_warning("client %p: reply to procedure %d not sent: %s", (void *) c, req->proc, e.message);
                send_error(c, req, &e);
                return;
        }
        remote_send(c, packet, len);
}

void remote_reply_begin(XdrWriter *w, const PacketHeader *req) {
        PacketHeader h = *req;
        h.type = MSG_REPLY;
        h.status = MSG_STATUS_OK;
        packet_begin(w, &h);
}

/* ------------------------------------------------------------------ calls that finish later */

/* The remote door's part of a Call: whom to answer and how. */
typedef struct RemotePending {
        RemoteClient *client;
        PacketHeader hdr;
        RemoteReplyFn encode;
        Domain *dom;
        bool in_flight;         /* counted in client->pending */
        bool reply_fd;          /* remote_call_new_fd: the result is an int * to send */
} RemotePending;

/* REPLY_WITH_FDS: the header, the number of descriptors (libvirt puts it before the payload),
 * a void payload; the descriptor follows the packet on the socket. */
static int send_reply_fd(RemotePending *p, const int *fdp, VbError *e) {
        int fd = fdp ? fcntl(*fdp, F_DUPFD_CLOEXEC, 3) : -1;
        if (fd < 0)
                return vb_error_errno(e, fdp ? -errno : -EINVAL, "descriptor for the reply");
        PacketHeader h = p->hdr;
        h.type = MSG_REPLY_WITH_FDS;
        h.status = MSG_STATUS_OK;
        XdrWriter w;
        packet_begin(&w, &h);
        xdr_put_u32(&w, 1);
        uint8_t *packet = NULL;
        size_t len = 0;
        if (packet_end(&w, &packet, &len) < 0) {
                close(fd);
                return vb_error_errno(e, -ENOMEM, "reply");
        }
        int r = remote_client_send_fds(p->client, packet, len, &fd, 1);
        if (r == -ENOTSUP)
                return vb_error_set(e, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_NONE,
                                    "fd passing is not supported by this connection");
        return 0;
}

static void pending_free(RemotePending *p) {
        if (!p)
                return;
        if (p->dom)
                domain_unref(p->dom);
        remote_client_unref(p->client);
        free(p);
}

static void remote_call_done(Call *call, int r, const VbError *err, void *result) {
        RemotePending *p = call->userdata;
        if (!p)
                return;         /* answered already (the handler replied at once) */
        call->userdata = NULL;

        /* the transport resumes reading when a reply ends a call in flight: count it first */
        if (p->in_flight && p->client->pending > 0)
                p->client->pending--;
        p->in_flight = false;

        XdrWriter w;
        VbError e = { 0 };
        remote_reply_begin(&w, &p->hdr);
        if (r < 0) {
                if (err)
                        e = *err;
                else
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "operation failed without a reason");
        } else if (p->reply_fd) {
                xdr_writer_done(&w);
                if (send_reply_fd(p, result, &e) == 0) {
                        pending_free(p);
                        return;
                }
                remote_reply_begin(&w, &p->hdr);
                r = -1;
        } else if (p->encode && p->encode(&w, p->dom, result, &e) < 0) {
                r = -1;
        }
        if (r < 0) {
                xdr_writer_done(&w);
                send_error(p->client, &p->hdr, &e);
        } else {
                send_reply(p->client, &p->hdr, &w);
        }
        pending_free(p);
}

Call *remote_call_new(RemoteCall *rc, RemoteReplyFn encode, Domain *dom) {
        RemotePending *p = calloc(1, sizeof *p);
        if (!p)
                return NULL;
        p->client = remote_client_ref(rc->client);
        p->hdr = rc->hdr;
        p->encode = encode;
        p->dom = dom ? domain_ref(dom) : NULL;
        Identity who = rc->client->who;
        who.readonly = rc->client->readonly;
        Call *call = call_new(CALL_DOOR_REMOTE, &who, remote_call_done, p);
        if (!call)
                pending_free(p);
        return call;
}

Call *remote_call_new_fd(RemoteCall *rc, Domain *dom) {
        Call *call = remote_call_new(rc, NULL, dom);
        if (call)
                ((RemotePending *) call->userdata)->reply_fd = true;
        return call;
}

Call *remote_call_plain(RemoteCall *rc, RemoteReplyFn encode) {
        Call *call = remote_call_new(rc, encode, NULL);
        if (!call)
                vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return call;
}

void remote_call_set_domain(Call *call, Domain *dom) {
        RemotePending *p = call->completed ? NULL : call->userdata;
        if (!p || !dom || p->dom)
                return;
        p->dom = domain_ref(dom);
}

int remote_call_finish(RemoteCall *rc, Call *call, int r) {
        RemotePending *p = call->completed ? NULL : call->userdata;
        int q;

        if (!p) {
                q = REMOTE_REPLY_LATER;         /* the verb completed the call; done has answered */
        } else if (r == VERB_PENDING) {
                p->in_flight = true;
                rc->client->pending++;
                q = REMOTE_REPLY_LATER;         /* the verb holds its own reference */
        } else {
                call->userdata = NULL;          /* a late completion finds nothing to answer */
                if (r < 0)
                        q = -1;
                else if (p->reply_fd)   /* a descriptor comes only with a completion */
                        q = vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "no descriptor to send");
                else if (p->encode && p->encode(&rc->ret, p->dom, NULL, &rc->err) < 0)
                        q = -1;
                else
                        q = 0;
                pending_free(p);
        }
        call_unref(call);
        return q;
}

/* ------------------------------------------------------------------ calls */

/* ------------------------------------------------------------------ fine-grained checks */

/* A call held until polkit has answered its org.libvirt.api.* check; the arguments are kept
 * unread until then. */
typedef struct AclPending {
        RemoteClient *client;
        PacketHeader hdr;
        uint8_t *args;
        size_t len;
        int fds[PACKET_FDS_MAX];        /* a CALL_WITH_FDS's, kept for the handler */
        size_t n_fds;
} AclPending;

static void dispatch_acl_done(int r, const VbError *err, void *userdata) {
        AclPending *p = userdata;
        RemoteClient *c = p->client;
        if (c->pending > 0)
                c->pending--;
        if (!c->closing) {
                RemoteCall rc = { .client = c, .hdr = p->hdr, .fds = p->fds, .n_fds = p->n_fds };
                const RemoteProc *proc = remote_proc_lookup(p->hdr.proc);
                int q;
                remote_reply_begin(&rc.ret, &p->hdr);
                if (r < 0) {
                        rc.err = *err;
                        q = -1;
                } else if (!c->conn || !proc) {
                        /* the connection was closed while polkit was asked */
                        q = vb_error_set(&rc.err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                         "hypervisor connection not open");
                } else {
                        xdr_reader_init(&rc.args, p->args, p->len);
                        q = proc->fn(&rc);
                }
                remote_reply(c, &p->hdr, &rc, q);
        }
        remote_call_close_fds(p->fds, p->n_fds);
        remote_client_unref(c);
        free(p->args);
        free(p);
}

/* A handler's work finished off the loop (a SASL step in a thread): answer the request h now,
 * with what fn writes into rc, as if the handler had just returned. */
void remote_call_resume(RemoteClient *c, const PacketHeader *h, int (*fn)(RemoteCall *rc, void *userdata),
                        void *userdata) {
        RemoteCall rc = { .client = c, .hdr = *h };
        remote_reply_begin(&rc.ret, h);
        remote_reply(c, h, &rc, fn(&rc, userdata));
}

/* The key of the object row's check is about, read from a copy of the reader (the handler
 * reads the arguments again, from the start, once allowed), and the flags (after it, or after
 * the arguments flags_after names) when the row's rule depends on them. A payload too short
 * leaves the key empty. */
static void dispatch_acl_key(RemoteCall *peek, const ApiRow *row, RemoteRef *ref, char **name, int32_t *id,
                             ApiObjectKey *key, unsigned *flags) {
        size_t len = 0;
        switch (row->acl.arg) {
        case API_ARG_DOMAIN: remote_get_domain_ref(peek, ref); break;
        case API_ARG_NETWORK: remote_get_network_ref(peek, ref); break;
        case API_ARG_POOL: remote_get_pool_ref(peek, ref); break;
        case API_ARG_VOL: remote_get_vol_ref(peek, ref); break;
        case API_ARG_BY_NAME: xdr_get_string(&peek->args, REMOTE_STRING_MAX, name, &len); break;
        case API_ARG_BY_UUID: xdr_get_fixed(&peek->args, ref->uuid, 16); break;
        case API_ARG_BY_ID: xdr_get_i32(&peek->args, id); break;
        case API_ARG_NONE: break;
        }
        if (!xdr_reader_ok(&peek->args))
                return;
        *key = (ApiObjectKey) { .uuid = ref->uuid, .name = *name ? *name : ref->name, .pool = ref->pool, .id = *id };
        if (!api_acl_uses_flags(&row->acl))
                return;
        uint32_t f = 0;
        int r = 0;
        /* the arguments before the flags, when they do not come first (virNetworkUpdate) */
        for (const char *t = row->acl.flags_after; t && *t && r == 0; t++) {
                char *skipped = NULL;
                size_t n = 0;
                r = *t == 's' ? xdr_get_string(&peek->args, REMOTE_STRING_MAX, &skipped, &n)
                              : xdr_get_u32(&peek->args, &f);
                free(skipped);
        }
        if (r == 0 && xdr_get_u32(&peek->args, &f) == 0)
                *flags = f;
        else
                *flags = api_acl_strongest_flags(&row->acl);    /* unreadable flags: ask for the most */
}

/* access_drivers = [ "polkit" ]: the row's fine-grained check, about the object the leading
 * argument names. A payload too short for the object, or an object that does not exist, goes
 * to the handler, which reports it as libvirt's lookup would. */
static int dispatch_acl(RemoteCall *rc, const RemoteProc *proc, const ApiRow *row) {
        RemoteClient *c = rc->client;
        RemoteCall peek = *rc;
        RemoteRef ref = { 0 };
        char *name = NULL;
        int32_t id = 0;
        unsigned flags = 0;
        ApiObjectKey key = { 0 };
        dispatch_acl_key(&peek, row, &ref, &name, &id, &key, &flags);

        AclPending *p = calloc(1, sizeof *p);
        size_t len = rc->args.len;
        if (!p || !(p->args = malloc(len ? len : 1))) {
                free(p);
                free(name);
                remote_ref_done(&ref);
                return vb_error_errno(&rc->err, -ENOMEM, "authorization");
        }
        memcpy(p->args, rc->args.data, len);
        p->len = len;
        /* the descriptors wait with the arguments: the handler runs once polkit said yes */
        for (size_t i = 0; i < rc->n_fds && i < PACKET_FDS_MAX; i++) {
                p->fds[p->n_fds++] = rc->fds[i];
                rc->fds[i] = -1;
        }
        p->hdr = rc->hdr;
        p->client = remote_client_ref(c);
        AuthzSubject subject = {
                .kind = AUTHZ_SUBJECT_PROCESS,
                .pid = c->who.pid,
                .start_time = c->start_time,
                .uid = c->who.uid,
        };
        int r = authz_api_check_acl(c->authz, &subject, &row->acl, flags, c->conn, &key, false, dispatch_acl_done, p,
                                    &rc->err);
        free(name);
        remote_ref_done(&ref);
        if (r <= 0) {
                for (size_t i = 0; i < p->n_fds; i++)
                        rc->fds[i] = p->fds[i];         /* back to the call: the handler runs now */
                remote_client_unref(c);
                free(p->args);
                free(p);
                return r < 0 ? -1 : proc->fn(rc);
        }
        c->pending++;
        return REMOTE_REPLY_LATER;
}

/* A program's message must be a CALL (with descriptors or not) with status OK (every program:
 * REMOTE, QEMU). */
int remote_call_check_header(RemoteCall *rc) {
        const PacketHeader *h = &rc->hdr;
        if (h->type != MSG_CALL && h->type != MSG_CALL_WITH_FDS)
                return remote_error_rpc(&rc->err, "Unexpected message type %u", h->type);
        if (h->status != MSG_STATUS_OK)
                return remote_error_rpc(&rc->err, "Unexpected message status %u", h->status);
        return 0;
}

int remote_dispatch_call(RemoteCall *rc) {
        RemoteClient *c = rc->client;
        const PacketHeader *h = &rc->hdr;

        if (remote_call_check_header(rc) < 0)
                return -1;

        const RemoteProc *proc = remote_proc_lookup(h->proc);
        const RemoteProcName *name = remote_proc_name(h->proc);
        if (!proc && (!name || !name->api))
                return remote_error_rpc(&rc->err, "unknown procedure: %d", h->proc);
        const ApiRow *row = api_row_by_proc(h->proc);
        unsigned flags = proc ? proc->flags : 0;

        if (!c->authenticated && !(flags & PROC_PREAUTH))
                return remote_error_rpc(&rc->err, "authentication required");
        if (!c->conn && !(flags & PROC_NO_CONN))
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "hypervisor connection not open");
        if (c->readonly && row && row->mutates && name && name->api)
                return vb_error_set(&rc->err, VB_ERR_OPERATION_DENIED, (VbErrorFrom) name->from,
                                    "read only access prevents %s", name->api);
        if (!proc)
                return vb_error_set(&rc->err, VB_ERR_NO_SUPPORT, (VbErrorFrom) name->from, "%s", name->api);
        if (c->authz_api && row && row->acl.perms[0])
                return dispatch_acl(rc, proc, row);
        return proc->fn(rc);
}

/* The handler's answer r: now (0: the reply in rc->ret; -1: the error in rc->err) or later. */
void remote_reply(RemoteClient *c, const PacketHeader *h, RemoteCall *rc, int r) {
        if (r == REMOTE_REPLY_LATER) {
                xdr_writer_done(&rc->ret);
        } else if (r < 0) {
                xdr_writer_done(&rc->ret);
                if (!rc->err.message[0])
                        vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "procedure %d failed", h->proc);
                log_debug("client %p: procedure %d (serial %u) failed: %s", (void *) c, h->proc, h->serial,
                          rc->err.message);
                send_error(c, h, &rc->err);
        } else {
                send_reply(c, h, &rc->ret);
        }
}
