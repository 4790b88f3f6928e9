/* proc-domain-stats.c: connect_get_all_domain_stats (virConnectGetAllDomainStats and virDomainListGetStats): one record per domain, gathered from stats that may come later (QEMU's vCPU threads). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain.h"
#include "list-filter.h"

#define REMOTE_DOMAIN_STATS_PARAMS_MAX 2048u
#define STATS_RECORD_MAX (1u << 20)

typedef struct Gather Gather;

/* One domain's record, encoded when its stats arrive (they are borrowed by the completion). */
typedef struct StatsSlot {
        Gather *g;
        Domain *d;              /* a reference */
        XdrWriter rec;          /* remote_domain_stats_record, or empty when the domain gave none */
        bool have;
} StatsSlot;

struct Gather {
        Call *outer;            /* a reference */
        StatsSlot *slots;
        size_t n, waiting;
};

static int count_param(const DomainStatParam *p, void *userdata) {
        (*(uint32_t *) userdata)++;
        return 0;
}

/* remote_typed_param: string field; int type; value (union on type). */
int remote_put_stat_param(const DomainStatParam *p, void *userdata) {
        XdrWriter *w = userdata;
        xdr_put_string(w, p->key);
        xdr_put_i32(w, (int32_t) p->type);
        switch (p->type) {
        case DOMAIN_STAT_INT: return xdr_put_i32(w, p->i);
        case DOMAIN_STAT_UINT: return xdr_put_u32(w, p->u);
        case DOMAIN_STAT_LLONG: return xdr_put_i64(w, (int64_t) p->ull);
        case DOMAIN_STAT_ULLONG: return xdr_put_u64(w, p->ull);
        case DOMAIN_STAT_STRING: return xdr_put_string(w, p->s);
        case DOMAIN_STAT_BOOLEAN: return xdr_put_i32(w, p->i ? 1 : 0);
        }
        return -EINVAL;
}

static void slot_fill(StatsSlot *s, const DomainStats *st) {
        uint32_t n = 0;
        domain_stats_foreach(st, count_param, &n);
        if (n > REMOTE_DOMAIN_STATS_PARAMS_MAX)
                return;
        xdr_writer_init(&s->rec, STATS_RECORD_MAX);
        remote_put_domain(&s->rec, s->d);
        xdr_put_u32(&s->rec, n);
        domain_stats_foreach(st, remote_put_stat_param, &s->rec);
        s->have = s->rec.error == 0;
}

/* {remote_domain_stats_record retStats<>} */
static int encode_records(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        Gather *g = result;
        uint32_t n = 0;
        for (size_t i = 0; i < g->n; i++)
                n += g->slots[i].have;
        xdr_put_u32(w, n);
        for (size_t i = 0; i < g->n; i++)
                if (g->slots[i].have)
                        xdr_put_fixed(w, g->slots[i].rec.buf, g->slots[i].rec.len);
        return 0;
}

static void gather_free(Gather *g) {
        for (size_t i = 0; i < g->n; i++) {
                domain_unref(g->slots[i].d);
                if (g->slots[i].rec.buf)
                        xdr_writer_done(&g->slots[i].rec);
        }
        free(g->slots);
        call_unref(g->outer);
        free(g);
}

static void gather_step(Gather *g) {
        if (--g->waiting > 0)
                return;
        call_complete(g->outer, 0, NULL, g);
        gather_free(g);
}

static void slot_done(Call *call, int r, const VbError *err, void *result) {
        StatsSlot *s = call->userdata;
        if (r >= 0 && result)
                slot_fill(s, result);
        gather_step(s->g);
}

/* {remote_nonnull_domain doms<>; u32 stats; u32 flags}: no domains means every domain that
 * passes the filter flags (the virConnectListAllDomains bits). */
REMOTE_HANDLER(proc_connect_get_all_domain_stats) {
        uint32_t count = 0, stats = 0, flags = 0;
        RemoteRef *refs = NULL;
        xdr_get_u32(&rc->args, &count);
        if (count > REMOTE_DOMAIN_LIST_MAX)
                return vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many domains requested: %u > %u", count,
                                    REMOTE_DOMAIN_LIST_MAX);
        if (count && !(refs = calloc(count, sizeof *refs)))
                return vb_error_errno(&rc->err, -ENOMEM, "domain list");
        for (uint32_t i = 0; i < count && !rc->args.failed; i++)
                remote_get_domain_ref(rc, &refs[i]);
        xdr_get_u32(&rc->args, &stats);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0) {
                free(refs);
                return -1;
        }
        Gather *g = calloc(1, sizeof *g);
        Connection *c = rc->client->conn;
        size_t max = count;
        if (!count)
                REGISTRY_FOREACH(o, &c->domains)
                        max++;
        if (!g || !(g->slots = calloc(max ? max : 1, sizeof *g->slots))) {
                free(g);
                free(refs);
                return vb_error_errno(&rc->err, -ENOMEM, "domain stats");
        }
        if (count) {
                for (uint32_t i = 0; i < count; i++) {
                        Domain *d = remote_find_domain(rc, &refs[i]);
                        if (!d) {
                                free(refs);
                                gather_free(g);
                                return -1;
                        }
                        g->slots[g->n++].d = domain_ref(d);
                }
        } else {
                REGISTRY_FOREACH(o, &c->domains)
                        if (g->n < max && list_filter_domain(o, flags & 0xff))
                                g->slots[g->n++].d = domain_ref((Domain *) o);
        }
        free(refs);
        Call *outer = remote_call_new(rc, encode_records, NULL);
        if (!outer) {
                gather_free(g);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        g->outer = call_ref(outer);
        g->waiting = g->n + 1;          /* + 1 until every domain has been asked */
        Identity who = { 0 };
        for (size_t i = 0; i < g->n; i++) {
                StatsSlot *s = &g->slots[i];
                s->g = g;
                Call *inner = call_new(CALL_DOOR_INTERNAL, &who, slot_done, s);
                DomainStats *st = NULL;
                VbError e = { 0 };
                int r = inner ? domain_get_stats(s->d, stats, flags & (1u << 31), inner, &st, &e) : -1;
                if (r == 0) {
                        slot_fill(s, st);
                        domain_stats_free(st);
                }
                if (r != VERB_PENDING)
                        g->waiting--;   /* a domain that fails is left out, as libvirt does */
                call_unref(inner);
        }
        bool pending = g->waiting > 1;
        gather_step(g);
        return remote_call_finish(rc, outer, pending ? VERB_PENDING : 0);
}
