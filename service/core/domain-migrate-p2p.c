/* domain-migrate-p2p.c: peer-to-peer migration (VIR_MIGRATE_PEER2PEER): the source daemon drives the destination itself over a remote-protocol connection (migrate-peer.h), Prepare and Finish there, Perform and Confirm here, and answers its own caller once the guest runs there or stays here; Perform3's choice between it and the managed steps (domain-migrate-v3.c). */
#define LOG_MODULE "domain"
#include "domain-migrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manager.h"
#include "migrate-peer.h"

static const MigratePeerOps *peer_ops;

void migrate_peer_set_ops(const MigratePeerOps *ops) {
        peer_ops = ops;
}

const MigratePeerOps *migrate_peer_get_ops(void) {
        return peer_ops;
}

typedef struct P2p {
        Call *outer;
        Domain *d;
        MigratePeer *peer;
        char *xml, *dname, *uri_param;
        unsigned flags;
        char uri[DOMAIN_MIGRATE_URI_MAX];
        VbError err;            /* the first failure: the caller's answer */
        bool failed;
        void (*next)(struct P2p *p, int r, const VbError *err);        /* after the local step */
} P2p;

static void p2p_end(P2p *p) {
        if (p->peer)
                peer_ops->close(p->peer);
        if (p->failed)
                log_warning("domain %s: peer-to-peer migration failed: %s", p->d->obj.name, p->err.message);
        else
                log_info("domain %s: migrated peer-to-peer", p->d->obj.name);
        call_complete(p->outer, p->failed ? -1 : 0, p->failed ? &p->err : NULL, NULL);
        call_unref(p->outer);
        domain_unref(p->d);
        free(p->xml);
        free(p->dname);
        free(p->uri_param);
        vb_error_clear(&p->err);
        free(p);
}

static void p2p_fail(P2p *p, const VbError *err) {
        if (p->failed)
                return;
        p->failed = true;
        vb_error_set_raw(&p->err, err && err->code ? err->code : VB_ERR_OPERATION_FAILED,
                         err ? err->from : VB_FROM_DOMAIN, "%s", err && err->message[0] ? err->message : "migration failed");
}

static void local_done(Call *inner, int r, const VbError *err, void *result) {
        P2p *p = inner->userdata;
        p->next(p, r, err);
}

/* A local step through an inner Call, answered at once or later; then next. */
static void p2p_local(P2p *p, int (*run)(P2p *p, Call *inner, VbError *err),
                      void (*next)(P2p *p, int r, const VbError *err)) {
        VbError e = { 0 };
        p->next = next;
        Call *inner = call_new(CALL_DOOR_INTERNAL, &p->outer->who, local_done, p);
        int r = inner ? run(p, inner, &e) : vb_error_errno(&e, -ENOMEM, "migration");
        call_unref(inner);
        if (r != VERB_PENDING)
                next(p, r < 0 ? -1 : 0, &e);
        vb_error_clear(&e);
}

static int confirm_run(P2p *p, Call *inner, VbError *err) {
        return domain_migrate_confirm(p->d, p->flags, p->failed, inner, err);
}

static void confirm_done(P2p *p, int r, const VbError *err) {
        if (r < 0)
                log_warning("domain %s: confirm after migration: %s", p->d->obj.name, err ? err->message : "");
        p2p_end(p);
}

static void finish_done(int r, const VbError *err, const char *str, void *userdata) {
        P2p *p = userdata;
        if (r < 0)
                p2p_fail(p, err);
        p2p_local(p, confirm_run, confirm_done);
}

static int perform_run(P2p *p, Call *inner, VbError *err) {
        return domain_migrate_perform_direct(p->d, p->uri_param ? p->uri_param : p->uri,
                                             p->flags & ~DOMAIN_MIGRATE_PEER2PEER, inner, err);
}

static void perform_done(P2p *p, int r, const VbError *err) {
        if (r < 0)
                p2p_fail(p, err);
        peer_ops->finish(p->peer, p->dname ? p->dname : p->d->obj.name, p->flags, p->failed, finish_done, p);
}

static void prepare_done(int r, const VbError *err, const char *str, void *userdata) {
        P2p *p = userdata;
        if (r < 0 || !str) {
                p2p_fail(p, err);
                p2p_end(p);
                return;
        }
        snprintf(p->uri, sizeof p->uri, "%s", str);
        p2p_local(p, perform_run, perform_done);
}

static void open_done(int r, const VbError *err, const char *str, void *userdata) {
        P2p *p = userdata;
        if (r < 0) {
                p2p_fail(p, err);
                p2p_end(p);
                return;
        }
        peer_ops->prepare(p->peer, p->xml, p->dname, p->flags, prepare_done, p);
}

static char *dup_opt(const char *s, bool *oom) {
        char *c = s ? strdup(s) : NULL;
        *oom |= s && !c;
        return c;
}

int domain_migrate_p2p(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags, Call *call,
                       VbError *err) {
        if (!peer_ops)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainMigratePerform3Params");
        if (!dconnuri || !*dconnuri)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "destination connection URI is required");
        char *xml = domain_migrate_begin(d, flags, err);    /* the checks of a migration, and what is sent */
        if (!xml)
                return -1;
        bool oom = false;
        P2p *p = calloc(1, sizeof *p);
        if (p) {
                p->dname = dup_opt(dname, &oom);
                p->uri_param = dup_opt(uri, &oom);
        }
        if (!p || oom) {
                free(xml);
                if (p) {
                        free(p->dname);
                        free(p->uri_param);
                }
                free(p);
                return vb_error_errno(err, -ENOMEM, "migration");
        }
        p->xml = xml;
        p->flags = flags;
        p->peer = peer_ops->open(d->obj.conn->manager->event, dconnuri, open_done, p, err);
        if (!p->peer) {
                free(p->xml);
                free(p->dname);
                free(p->uri_param);
                free(p);
                return -1;
        }
        p->d = domain_ref(d);
        p->outer = call_ref(call);
        log_info("domain %s: peer-to-peer migration to %s", d->obj.name, dconnuri);
        return VERB_PENDING;
}

int domain_migrate_perform(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags,
                           Call *call, VbError *err) {
        if (!(flags & DOMAIN_MIGRATE_PEER2PEER))
                return domain_migrate_perform_direct(d, uri, flags, call, err);
        if (domain_migrate_perform_check(d, flags, err) < 0)
                return -1;
        return domain_migrate_p2p(d, dconnuri, uri, dname, flags, call, err);
}

int domain_migrate_to_uri(Domain *d, const char *dconnuri, const char *uri, const char *dname, unsigned flags,
                          Call *call, VbError *err) {
        if (!(flags & DOMAIN_MIGRATE_PEER2PEER))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainMigrateToURI3");
        return domain_migrate_perform(d, dconnuri, uri, dname, flags, call, err);
}
