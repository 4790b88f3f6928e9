/* proc-auth-sasl.c: procedures 67-69, SASL authentication (init, start, step), over the transport's SASL sessions. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth-pace.h"
#include "dispatch.h"
#include "log.h"
#include "packet.h"
#include "sasl-auth.h"
#include "server.h"
#include "thread-call.h"

#define SASL_DATA_MAX 65536                     /* REMOTE_AUTH_SASL_DATA_MAX */
#define SASL_MECH_MAX 100                       /* a mechanism's name; libvirt's strings are longer, names are not */
#define SASL_MIN_SSF 56

/* SASL data is rpcgen's char data<N>: a count, then each byte as a 32-bit int. The count is
 * checked against max and the bytes left before anything is allocated. */
static int sasl_get_data(XdrReader *r, uint8_t **out, size_t *len) {
        uint32_t n = 0;
        *out = NULL;
        *len = 0;
        if (xdr_get_u32(r, &n) < 0)
                return -1;
        if (n > SASL_DATA_MAX || (size_t) n * 4 > xdr_remaining(r)) {
                r->failed = true;
                return -1;
        }
        uint8_t *b = n ? malloc(n) : NULL;
        if (n && !b) {
                r->failed = true;
                return -1;
        }
        for (uint32_t i = 0; i < n; i++) {
                int32_t v = 0;
                xdr_get_i32(r, &v);
                b[i] = (uint8_t) v;
        }
        *out = b;
        *len = n;
        return 0;
}

static void sasl_put_data(XdrWriter *w, const uint8_t *data, size_t len) {
        xdr_put_u32(w, (uint32_t) len);
        for (size_t i = 0; i < len; i++)
                xdr_put_i32(w, (signed char) data[i]);
}

static int sasl_refuse(RemoteCall *rc) {
        return vb_error_set_raw(&rc->err, (VbErrorCode) REMOTE_ERR_AUTH_FAILED, (VbErrorFrom) REMOTE_FROM_RPC,
                                "authentication failed: authentication failed");
}

/* A failed authentication: logged with the peer and the count, the session gone, the error
 * answered after a pause (auth-pace.c) and the connection closed once it is out (the client must
 * connect again to try again). */
static int sasl_fail(RemoteCall *rc, const char *why) {
        RemoteClient *c = rc->client;
        unsigned n = remote_server_auth_failed(c->server);
        log_warning("SASL authentication of client %s failed: %s (%u failed authentications so far)",
                    remote_client_peer_name(c), why, n);
        c->sasl = remote_sasl_free(c->sasl);
        sasl_refuse(rc);
        return remote_auth_fail_paced(rc, REMOTE_AUTH_FAIL_DELAY_USEC);
}

/* Procedures 67-69 only for a client its listener asks SASL of, not twice, and not while a step
 * of its runs. */
static bool sasl_expected(RemoteClient *c) {
        return c->auth_type == REMOTE_AUTH_SASL && !c->authenticated && !c->sasl_busy;
}

REMOTE_HANDLER(proc_auth_sasl_init) {
        RemoteClient *c = rc->client;
        if (remote_args_end(rc) < 0)
                return -1;
        if (!sasl_expected(c) || c->sasl)
                return sasl_refuse(rc);
        char err[256] = "";
        int r = remote_client_sasl_new(c, &c->sasl, err, sizeof err);
        if (r < 0)
                return sasl_fail(rc, err[0] ? err : strerror(-r));
        char *list = NULL;
        r = remote_sasl_mechlist(c->sasl, &list, err, sizeof err);
        if (r < 0)
                return sasl_fail(rc, err[0] ? err : strerror(-r));
        log_debug("client %s: SASL mechanisms on offer: %s", remote_client_peer_name(c), list);
        return remote_reply_string(rc, list);
}

/* CONTINUE: more steps; DONE: the checks libvirt makes, then authenticated, and a security layer
 * that starts after this reply. */
static int sasl_answer(RemoteCall *rc, RemoteSaslResult res, const void *out, size_t outlen, const char *why) {
        RemoteClient *c = rc->client;
        if (res == REMOTE_SASL_FAILED)
                return sasl_fail(rc, why);
        if (outlen > SASL_DATA_MAX)
                return sasl_fail(rc, "the mechanism's answer is too long");
        if (res == REMOTE_SASL_DONE) {
                RemoteSasl *s = c->sasl;
                unsigned ssf = remote_sasl_ssf(s);
                const char *user = remote_sasl_username(s);
                char msg[300];
                bool tls = c->x509_dname != NULL || remote_client_has_tls(c);
                bool local = remote_client_is_unix(c);  /* secure as it is: no SSF floor, as libvirt */
                if (!tls && !local && ssf < SASL_MIN_SSF) {
                        snprintf(msg, sizeof msg,
                                 "negotiated SSF %u was not strong enough (at least %d without TLS or a unix socket)",
                                 ssf, SASL_MIN_SSF);
                        return sasl_fail(rc, msg);
                }
                if (!user)
                        return sasl_fail(rc, "no user name was negotiated");
                if (!remote_sasl_user_allowed(remote_server_sasl_allowed(c->server), user)) {
                        snprintf(msg, sizeof msg, "user %s is not in sasl_allowed_username_list", user);
                        return sasl_fail(rc, msg);
                }
                if (!(c->sasl_username = strdup(user)))
                        return vb_error_errno(&rc->err, -ENOMEM, "auth_sasl");
                /* out lives in the session: encoded before the session goes to a layer or away. */
                xdr_put_i32(&rc->ret, 1);
                xdr_put_i32(&rc->ret, out ? 0 : 1);
                sasl_put_data(&rc->ret, out, out ? outlen : 0);
                if (ssf > 0 && !local) {
                        RemoteLayer *l = NULL;
                        if (remote_layer_sasl_new(s, &l) < 0)
                                return vb_error_errno(&rc->err, -ENOMEM, "auth_sasl");
                        remote_client_push_layer_after_reply(c, l);     /* owns s from now */
                } else
                        remote_sasl_free(s);
                c->sasl = NULL;
                c->authenticated = true;
                log_info("client %s authenticated by SASL as %s (SSF %u%s)", remote_client_peer_name(c),
                         c->sasl_username, ssf, tls ? ", over TLS" : local ? ", on a unix socket" : "");
                return 0;
        }
        xdr_put_i32(&rc->ret, 0);
        xdr_put_i32(&rc->ret, out ? 0 : 1);     /* nil */
        sasl_put_data(&rc->ret, out, out ? outlen : 0);
        return 0;
}

/* ---- a start or step runs in a thread: a mechanism whose step waits (GSSAPI, an auxprop plugin
 * or saslauthd asking another host) holds that client only, never the loop ---- */

typedef struct SaslStep {
        RemoteClient *client;
        PacketHeader hdr;
        RemoteSasl *sasl;               /* taken from the client while the step runs */
        char *mech;                     /* NULL: a step, else a start with this mechanism */
        uint8_t *data;
        size_t dlen;
        bool nil;
        RemoteSaslResult res;           /* what the thread got */
        const void *out;                /* lives in the session until its next call */
        size_t outlen;
        char why[256];
} SaslStep;

static void sasl_step_free(SaslStep *st) {
        free(st->mech);
        free(st->data);
        free(st);
}

/* In the thread: only the session, which nothing else touches until sasl_step_done. */
static void sasl_step_work(void *userdata) {
        SaslStep *st = userdata;
        if (st->mech)
                st->res = remote_sasl_start(st->sasl, st->mech, st->data, st->dlen, st->nil, &st->out, &st->outlen,
                                            st->why, sizeof st->why);
        else
                st->res = remote_sasl_step(st->sasl, st->data, st->dlen, st->nil, &st->out, &st->outlen, st->why,
                                           sizeof st->why);
}

static int sasl_step_answer(RemoteCall *rc, void *userdata) {
        SaslStep *st = userdata;
        return sasl_answer(rc, st->res, st->out, st->outlen, st->why);
}

/* On the loop again: the session back to the client, and the answer as the handler would give it. */
static void sasl_step_done(void *userdata) {
        SaslStep *st = userdata;
        RemoteClient *c = st->client;
        c->sasl_busy = false;
        if (c->pending > 0)
                c->pending--;
        if (c->closing)
                remote_sasl_free(st->sasl);
        else {
                c->sasl = st->sasl;
                remote_call_resume(c, &st->hdr, sasl_step_answer, st);
        }
        remote_client_unref(c);
        sasl_step_free(st);
}

/* Takes mech (NULL for a step) and data in every case. */
static int sasl_step_off_loop(RemoteCall *rc, char *mech, uint8_t *data, size_t dlen, bool nil) {
        RemoteClient *c = rc->client;
        SaslStep *st = calloc(1, sizeof *st);
        if (!st) {
                free(mech);
                free(data);
                return vb_error_errno(&rc->err, -ENOMEM, "auth_sasl");
        }
        *st = (SaslStep) { .client = c, .hdr = rc->hdr, .sasl = c->sasl, .mech = mech, .data = data, .dlen = dlen,
                           .nil = nil };
        c->sasl = NULL;
        c->sasl_busy = true;
        int r = thread_call(remote_server_event(c->server), sasl_step_work, sasl_step_done, st);
        if (r < 0) {
                /* No thread: refused, never run here, where a mechanism's PBKDF2 (SCRAM's thousands of
                 * rounds) or its wait (GSSAPI, saslauthd) would hold every client. Not a failed
                 * authentication: the session is the client's again, as it was before the call. */
                log_warning("SASL step of client %s refused: no thread for it: %s", remote_client_peer_name(c),
                            strerror(-r));
                c->sasl = st->sasl;
                c->sasl_busy = false;
                sasl_step_free(st);
                return vb_error_set_raw(&rc->err, VB_ERR_SYSTEM_ERROR, VB_FROM_REMOTE,
                                        "cannot run the SASL step: no thread for it: %s", strerror(-r));
        }
        remote_client_ref(c);
        c->pending++;
        return REMOTE_REPLY_LATER;
}

REMOTE_HANDLER(proc_auth_sasl_start) {
        RemoteClient *c = rc->client;
        char *mech = NULL;
        int32_t nil = 0;
        uint8_t *data = NULL;
        size_t mlen = 0, dlen = 0;
        xdr_get_string(&rc->args, SASL_MECH_MAX, &mech, &mlen);
        xdr_get_i32(&rc->args, &nil);
        sasl_get_data(&rc->args, &data, &dlen);
        int r = remote_args_end(rc);
        if (r == 0 && (!sasl_expected(c) || !c->sasl))
                r = sasl_refuse(rc);
        if (r == 0) {
                r = sasl_step_off_loop(rc, mech, data, dlen, nil != 0);
                mech = NULL;            /* the step owns them now */
                data = NULL;
        }
        free(mech);
        free(data);
        return r;
}

REMOTE_HANDLER(proc_auth_sasl_step) {
        RemoteClient *c = rc->client;
        int32_t nil = 0;
        uint8_t *data = NULL;
        size_t dlen = 0;
        xdr_get_i32(&rc->args, &nil);
        sasl_get_data(&rc->args, &data, &dlen);
        int r = remote_args_end(rc);
        if (r == 0 && (!sasl_expected(c) || !c->sasl))
                r = sasl_refuse(rc);
        if (r == 0) {
                r = sasl_step_off_loop(rc, NULL, data, dlen, nil != 0);
                data = NULL;
        }
        free(data);
        return r;
}
