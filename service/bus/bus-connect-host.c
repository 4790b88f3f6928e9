/* bus-connect-host.c: org.libvirt.Connect methods of host facts (security model) and GetAllDomainStats, whose records arrive domain by domain. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "list-filter.h"
#include "log.h"
#include "node.h"

int bus_method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *model, *doi;
        node_security_model(t->conn, &model, &doi);
        return sd_bus_reply_method_return(m, "(ss)", model, doi);
}

/* --- GetAllDomainStats: one record per domain, in list order, a domain that fails left out --- */

typedef struct StatsGather StatsGather;

typedef struct StatsRecord {
        StatsGather *g;
        Domain *d;                      /* a reference */
        DomainStatParam *params;        /* copies; their strings owned */
        size_t n;
        bool have;
} StatsRecord;

struct StatsGather {
        sd_bus_message *m;              /* the method call */
        StatsRecord *recs;
        size_t n, waiting;
};

static int copy_param(const DomainStatParam *p, void *userdata) {
        StatsRecord *rec = userdata;
        DomainStatParam *grown = realloc(rec->params, (rec->n + 1) * sizeof *grown);
        if (!grown)
                return -ENOMEM;
        rec->params = grown;
        grown[rec->n] = *p;
        if (p->type == DOMAIN_STAT_STRING && !(grown[rec->n].s = strdup(p->s ? p->s : "")))
                return -ENOMEM;
        rec->n++;
        return 0;
}

static void record_fill(StatsRecord *rec, const DomainStats *st) {
        rec->have = domain_stats_foreach(st, copy_param, rec) >= 0;
}

static void gather_free(StatsGather *g) {
        for (size_t i = 0; i < g->n; i++) {
                for (size_t j = 0; j < g->recs[i].n; j++)
                        if (g->recs[i].params[j].type == DOMAIN_STAT_STRING)
                                free((char *) g->recs[i].params[j].s);
                free(g->recs[i].params);
                domain_unref(g->recs[i].d);
        }
        free(g->recs);
        sd_bus_message_unref(g->m);
        free(g);
}

static int append_records(sd_bus_message *reply, const StatsGather *g) {
        int r = sd_bus_message_open_container(reply, 'a', "(sa{sv})");
        for (size_t i = 0; r >= 0 && i < g->n; i++) {
                const StatsRecord *rec = &g->recs[i];
                if (!rec->have)
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "sa{sv}");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", rec->d->obj.name);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "{sv}");
                for (size_t j = 0; r >= 0 && j < rec->n; j++)
                        r = bus_append_stat_param(reply, &rec->params[j]);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static void gather_step(StatsGather *g) {
        if (--g->waiting > 0)
                return;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(g->m, &reply);
        if (r >= 0)
                r = append_records(reply, g);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        else
                r = sd_bus_reply_method_errno(g->m, r, NULL);
        if (r < 0)
                log_warning("cannot send the reply of GetAllDomainStats: %s", strerror(-r));
        sd_bus_message_unref(reply);
        gather_free(g);
}

static void record_done(Call *call, int r, const VbError *err, void *result) {
        StatsRecord *rec = call->userdata;
        if (r >= 0 && result)
                record_fill(rec, result);
        gather_step(rec->g);
}

/* flags: the virConnectListAllDomains filter bits, and ENFORCE_STATS (1 << 31) for the verb. */
int bus_method_get_all_domain_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned stats, flags;
        int r = sd_bus_message_read(m, "uu", &stats, &flags);
        if (r < 0)
                return r;
        StatsGather *g = calloc(1, sizeof *g);
        size_t max = t->conn->domains.count;
        if (!g || !(g->recs = calloc(max ? max : 1, sizeof *g->recs))) {
                free(g);
                return -ENOMEM;
        }
        g->m = sd_bus_message_ref(m);
        REGISTRY_FOREACH(o, &t->conn->domains)
                if (g->n < max && list_filter_domain(o, flags & 0xff))
                        g->recs[g->n++].d = domain_ref((Domain *) o);
        g->waiting = g->n + 1;          /* + 1 until every domain has been asked */
        Identity who = bus_identity(m);
        for (size_t i = 0; i < g->n; i++) {
                StatsRecord *rec = &g->recs[i];
                rec->g = g;
                Call *inner = call_new(CALL_DOOR_INTERNAL, &who, record_done, rec);
                DomainStats *st = NULL;
                VbError e = { 0 };
                int q = inner ? domain_get_stats(rec->d, stats, flags & (1u << 31), inner, &st, &e) : -1;
                if (q == 0) {
                        record_fill(rec, st);
                        domain_stats_free(st);
                }
                if (q != VERB_PENDING)
                        g->waiting--;
                call_unref(inner);
        }
        gather_step(g);
        return 1;
}

/* --- node statistics --- */

int bus_method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        int32_t cpu;
        unsigned flags;
        NodeCpuStats st;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "iu", &cpu, &flags);
        if (r < 0)
                return r;
        if (node_cpu_stats(t->conn, cpu, flags, &st, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "a{st}", 4, "kernel", st.kernel_ns, "user", st.user_ns, "idle",
                                          st.idle_ns, "iowait", st.iowait_ns);
}

/* libvirt-dbus: one boolean per CPU present, true when it is online. */
int bus_method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags, online = 0;
        uint8_t map[1024];
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        int present = node_cpu_map(t->conn, map, sizeof map, &online, flags, &err);
        if (present < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "b");
        for (int i = 0; r >= 0 && i < present && i < (int) sizeof map * 8; i++)
                r = sd_bus_message_append(reply, "b", (map[i / 8] >> (i % 8)) & 1);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}
