/* administration.c: the daemon's administration once, for both doors (remote admin program, D-Bus Admin interface). */
#define LOG_MODULE "admin"

#include "administration.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ADMIN_SERVERS_MAX 4

struct AdminServer {
        Admin *admin;
        char *name;
        const AdminServerOps *ops;
        void *ud;
};

struct Admin {
        AdminServer servers[ADMIN_SERVERS_MAX];
        size_t n;
        sd_event *event;
        AdminRunFn run;
};

int admin_new(sd_event *e, AdminRunFn run, Admin **out) {
        *out = calloc(1, sizeof **out);
        if (!*out)
                return -ENOMEM;
        (*out)->event = e;
        (*out)->run = run;
        return 0;
}

Admin *admin_free(Admin *a) {
        if (a)
                for (size_t i = 0; i < a->n; i++)
                        free(a->servers[i].name);
        free(a);
        return NULL;
}

int admin_add_server(Admin *a, const char *name, const AdminServerOps *ops, void *ud) {
        if (a->n >= ADMIN_SERVERS_MAX)
                return -ENOSPC;
        char *copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        a->servers[a->n++] = (AdminServer) { .admin = a, .name = copy, .ops = ops, .ud = ud };
        return 0;
}

void admin_remove_server(Admin *a, const char *name) {
        for (size_t i = 0; a && i < a->n; i++)
                if (strcmp(a->servers[i].name, name) == 0) {
                        free(a->servers[i].name);
                        memmove(&a->servers[i], &a->servers[i + 1], (a->n - i - 1) * sizeof a->servers[0]);
                        a->n--;
                        return;
                }
}

size_t admin_n_servers(const Admin *a) {
        return a ? a->n : 0;
}

const char *admin_server_name_at(const Admin *a, size_t i) {
        return a && i < a->n ? a->servers[i].name : NULL;
}

AdminServer *admin_server_lookup(Admin *a, const char *name, VbError *err) {
        for (size_t i = 0; a && i < a->n; i++)
                if (strcmp(a->servers[i].name, name) == 0)
                        return &a->servers[i];
        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "no server with matching name '%s'", name);
        return NULL;
}

const char *admin_server_name(const AdminServer *s) {
        return s->name;
}

size_t admin_server_clients(AdminServer *s, void (*fn)(const AdminClient *c, void *ud), void *ud) {
        AdminClient c;
        size_t n = 0;
        for (size_t i = 0; s->ops->client_at(s->ud, i, &c) == 0; i++, n++)
                if (fn)
                        fn(&c, ud);
        return n;
}

int admin_client_lookup(AdminServer *s, uint64_t id, AdminClient *out, VbError *err) {
        if (id > UINT32_MAX || s->ops->client_find(s->ud, (unsigned) id, out) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "no client with matching id '%llu'",
                                    (unsigned long long) id);
        return 0;
}

/* ---- client descriptions: the user database asked in a thread ---- */

typedef struct Describe {
        AdminClientList list;
        Call *call;
        int r;
} Describe;

static void describe_free(Describe *d) {
        for (size_t i = 0; i < d->list.n; i++) {
                AdminClientInfo *c = &d->list.v[i];
                free((char *) c->client.sasl_username);
                free((char *) c->client.x509_dname);
                free(c->user_name);
                free(c->group_name);
        }
        free(d->list.v);
        call_unref(d->call);
        free(d);
}

/* A copy of c that outlives the loop's turn (its strings are the transport's until then). */
static void describe_add(const AdminClient *c, void *ud) {
        Describe *d = ud;
        if (d->r < 0)
                return;
        AdminClientInfo *v = realloc(d->list.v, (d->list.n + 1) * sizeof *v);
        if (!v) {
                d->r = -ENOMEM;
                return;
        }
        d->list.v = v;
        AdminClientInfo *info = &v[d->list.n++];
        *info = (AdminClientInfo) { .client = *c };
        info->client.sasl_username = c->sasl_username ? strdup(c->sasl_username) : NULL;
        info->client.x509_dname = c->x509_dname ? strdup(c->x509_dname) : NULL;
        if ((c->sasl_username && !info->client.sasl_username) || (c->x509_dname && !info->client.x509_dname))
                d->r = -ENOMEM;
}

/* In the thread: getpwuid_r / getgrgid_r, which touch nothing of the loop's. */
static void describe_work(void *p) {
        Describe *d = p;
        for (size_t i = 0; i < d->list.n; i++) {
                AdminClientInfo *c = &d->list.v[i];
                if (!c->client.has_cred)
                        continue;
                char buf[16384];
                struct passwd pw, *pwp = NULL;
                struct group gr, *grp = NULL;
                if (getpwuid_r(c->client.uid, &pw, buf, sizeof buf, &pwp) == 0 && pwp)
                        c->user_name = strdup(pw.pw_name);
                if (getgrgid_r(c->client.gid, &gr, buf, sizeof buf, &grp) == 0 && grp)
                        c->group_name = strdup(gr.gr_name);
        }
}

static void describe_done(void *p) {
        Describe *d = p;
        call_complete(d->call, 0, NULL, &d->list);
        describe_free(d);
}

int admin_clients_describe(AdminServer *s, bool all, uint64_t id, Call *call, VbError *err) {
        Describe *d = calloc(1, sizeof *d);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "client description");
        if (all)
                admin_server_clients(s, describe_add, d);
        else {
                AdminClient c;
                if (admin_client_lookup(s, id, &c, err) < 0) {
                        describe_free(d);
                        return -1;
                }
                describe_add(&c, d);
        }
        if (d->r < 0) {
                describe_free(d);
                return vb_error_errno(err, -ENOMEM, "client description");
        }
        d->call = call_ref(call);
        Admin *a = s->admin;
        int r = a->run ? a->run(a->event, describe_work, describe_done, d) : -ENOSYS;
        if (r < 0) {
                /* no thread to be had: the answer goes without the user and group names, whose
                 * lookups (NSS: LDAP, sssd) must never hold up the loop */
                log_warning("client description without user and group names: no thread for their lookup: %s",
                            strerror(-r));
                describe_done(d);
        }
        return VERB_PENDING;
}

void admin_client_info_foreach(const AdminClientInfo *info, AdminParamFn fn, void *ud) {
        const AdminClient *c = &info->client;
        fn("readonly", ADMIN_TP_BOOLEAN, c->readonly, NULL, ud);
        if (c->address[0])
                fn("sock_addr", ADMIN_TP_STRING, 0, c->address, ud);
        if (c->sasl_username)
                fn("sasl_user_name", ADMIN_TP_STRING, 0, c->sasl_username, ud);
        if (c->x509_dname)
                fn("tls_x509_dname", ADMIN_TP_STRING, 0, c->x509_dname, ud);
        if (!c->has_cred)
                return;
        fn("unix_user_id", ADMIN_TP_INT, (int64_t) c->uid, NULL, ud);
        if (info->user_name)
                fn("unix_user_name", ADMIN_TP_STRING, 0, info->user_name, ud);
        fn("unix_group_id", ADMIN_TP_INT, (int64_t) c->gid, NULL, ud);
        if (info->group_name)
                fn("unix_group_name", ADMIN_TP_STRING, 0, info->group_name, ud);
        fn("unix_process_id", ADMIN_TP_INT, (int64_t) c->pid, NULL, ud);
}

int admin_client_close(AdminServer *s, uint64_t id, unsigned self_id, const char *by, VbError *err) {
        AdminClient c;
        if (admin_client_lookup(s, id, &c, err) < 0)
                return -1;
        if (self_id && c.id == self_id)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NONE, "a client cannot disconnect itself");
        log_info("client %u of server '%s' disconnected by %s", c.id, s->name, by);
        s->ops->client_close(s->ud, c.id, "disconnected by the admin interface");
        return 0;
}

void admin_limits_foreach(AdminServer *s, AdminParamFn fn, void *ud) {
        AdminLimits l;
        s->ops->get_limits(s->ud, &l);
        fn("nclients_max", ADMIN_TP_UINT, l.max_clients, NULL, ud);
        fn("nclients", ADMIN_TP_UINT, l.n_clients, NULL, ud);
        fn("nclients_unauth_max", ADMIN_TP_UINT, l.max_unauth, NULL, ud);
        fn("nclients_unauth", ADMIN_TP_UINT, l.n_unauth, NULL, ud);
}

void admin_limits_begin(AdminServer *s, AdminLimits *next) {
        s->ops->get_limits(s->ud, next);
}

int admin_limits_set_field(AdminLimits *next, const char *field, int type, uint64_t value, VbError *err) {
        unsigned *slot = strcmp(field, "nclients_max") == 0          ? &next->max_clients
                         : strcmp(field, "nclients_unauth_max") == 0 ? &next->max_unauth
                                                                     : NULL;
        if (!slot)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "unknown or read-only client limit '%s'",
                                    field);
        if (type != ADMIN_TP_UINT || value > UINT32_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                    "client limit '%s' must be an unsigned 32-bit integer", field);
        *slot = (unsigned) value;
        return 0;
}

int admin_limits_commit(AdminServer *s, const AdminLimits *next, VbError *err) {
        if (next->max_clients == 0 || (next->max_unauth && next->max_unauth > next->max_clients))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                    "nclients_max must be at least 1 and not below nclients_unauth_max (%u, %u)",
                                    next->max_clients, next->max_unauth);
        s->ops->set_limits(s->ud, next);
        log_info("client limits of server '%s' set by the admin interface: nclients_max %u, nclients_unauth_max %u",
                 s->name, next->max_clients, next->max_unauth);
        return 0;
}

const char *admin_log_filters(void) {
        return log_get_filters();
}

const char *admin_log_outputs(char *buf, size_t n) {
        const char *v = log_get_outputs();
        if (v)
                return v;
        /* no outputs configured: stderr takes everything from the level up */
        snprintf(buf, n, "%d:stderr", log_get_level());
        return buf;
}

static int admin_set_log(bool filters, const char *v, VbError *err) {
        char msg[256] = "";
        int r = filters ? log_setup(log_get_level(), v, log_get_outputs(), msg, sizeof msg)
                        : log_setup(log_get_level(), log_get_filters(), v, msg, sizeof msg);
        if (r < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "%s", msg);
        log_info("log %s set by the admin interface: \"%s\"", filters ? "filters" : "outputs", v ? v : "");
        return 0;
}

int admin_set_log_filters(const char *v, VbError *err) {
        return admin_set_log(true, v, err);
}

int admin_set_log_outputs(const char *v, VbError *err) {
        return admin_set_log(false, v, err);
}

int admin_update_tls(AdminServer *s, VbError *err) {
        char msg[512] = "";
        int r = s->ops->update_tls ? s->ops->update_tls(s->ud, msg, sizeof msg) : -EOPNOTSUPP;
        if (r == -EOPNOTSUPP)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NONE, "server '%s' has no TLS listener",
                                    s->name);
        if (r < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "TLS credentials not reloaded: %s", msg);
        log_info("TLS credentials of server '%s' reloaded by the admin interface", s->name);
        return 0;
}
