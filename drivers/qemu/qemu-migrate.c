/* qemu-migrate.c: managed v3 migration on QEMU: the destination started with -incoming defer and told migrate-incoming on a TCP port (qemu-incoming.c), the source's QMP migrate followed with query-migrate until it completes, the destination run once the stream has ended. */
#define LOG_MODULE "qemu"
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "domain-events.h"
#include "log.h"
#include "qemu-migrate.h"

#define MIGRATE_POLL_USEC (100 * 1000)

/* A free TCP port on listen (the kernel's pick; QEMU binds it right after). */
static int free_port(const char *listen, VbError *err) {
        struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
        struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
        bool v4 = listen && inet_pton(AF_INET, listen, &a4.sin_addr) == 1;
        if (!v4 && listen && inet_pton(AF_INET6, listen, &a6.sin6_addr) != 1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "invalid listen address '%s'", listen);
        int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return vb_error_errno(err, -errno, "socket");
        socklen_t len = v4 ? sizeof a4 : sizeof a6;
        int r = bind(fd, v4 ? (struct sockaddr *) &a4 : (struct sockaddr *) &a6, len);
        if (r == 0)
                r = getsockname(fd, v4 ? (struct sockaddr *) &a4 : (struct sockaddr *) &a6, &len);
        int e = errno;
        close(fd);
        if (r < 0)
                return vb_error_errno(err, -e, "migration port");
        return ntohs(v4 ? a4.sin_port : a6.sin6_port);
}

static int qemu_migrate_prepare(Domain *d, DomainDef *live, const char *listen, Call *call, char *uri, size_t len,
                                VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd) {
                domain_def_free(live);
                return vb_error_errno(err, -ENOMEM, "domain");
        }
        int port = free_port(listen, err);
        if (port < 0) {
                domain_def_free(live);
                return -1;
        }
        bool any = !listen || strcmp(listen, "0.0.0.0") == 0 || strcmp(listen, "::") == 0;
        char host[256] = "localhost";
        if (any)
                gethostname(host, sizeof host - 1);
        else
                snprintf(host, sizeof host, strchr(listen, ':') ? "[%s]" : "%s", listen);
        snprintf(uri, len, "tcp:%s:%d", host, port);
        if (asprintf(&qd->incoming_uri, "tcp:%s:%d", any ? "[::]" : host, port) < 0) {
                qd->incoming_uri = NULL;
                domain_def_free(live);
                return vb_error_errno(err, -ENOMEM, "migration URI");
        }
        qd->incoming = true;
        qd->incoming_loaded = false;
        qd->incoming_fd = -1;
        qd->incoming_def = live;
        int r = qemu_domain_start(d, DOMAIN_START_PAUSED, call, err);
        qd->incoming_def = NULL;
        domain_def_free(live);
        if (r < 0)
                qemu_incoming_done(qd, false);
        return r;
}

/* ---- polling query-migrate, on either side ---- */

typedef struct Poll {
        Domain *d;
        Call *call;             /* the destination's Finish (the source's Perform is qd->call) */
        bool outgoing, paused;
} Poll;

static void poll_free(Poll *p) {
        call_unref(p->call);
        domain_unref(p->d);
        free(p);
}

/* The end of a poll: the source's Perform ends its job; the destination's Finish answers. */
static void poll_end(Poll *p, int r, const VbError *e) {
        QemuDomain *qd = p->d->driver_data;
        if (p->outgoing) {
                if (qd && r >= 0 && qd->migration) {
                        qd->migration->completed = true;        /* until Confirm */
                } else if (qd) {
                        free(qd->migration);
                        qd->migration = NULL;
                }
                if (qd)
                        qemu_domain_finish(qd, r, e);
        } else {
                call_complete(p->call, r, e, p->d);
        }
        poll_free(p);
}

static void poll_query(Poll *p);

/* The source's JOB_COMPLETED: query-migrate's last figures with libvirt's names. */
static void completed_event(Domain *d, json_object *ret) {
        json_object *ram = NULL, *v;
        json_object_object_get_ex(ret, "ram", &ram);
        DomainJobStats js = { .type = 3 };      /* VIR_DOMAIN_JOB_COMPLETED */
        js.p[js.n++] = (typeof(js.p[0])) { .name = "operation", .is_int = true, .v = 5 };      /* MIGRATION_OUT */
        static const struct { const char *from, *to; bool in_ram; } keys[] = {
                { "total-time", "time_elapsed", false }, { "downtime", "downtime", false },
                { "setup-time", "setup_time", false }, { "total", "memory_total", true },
                { "transferred", "memory_processed", true }, { "remaining", "memory_remaining", true },
                { "dirty-sync-count", "memory_iteration", true },
        };
        for (size_t i = 0; i < sizeof keys / sizeof keys[0] && js.n < DOMAIN_JOB_STATS_MAX; i++)
                if (json_object_object_get_ex(keys[i].in_ram ? ram : ret, keys[i].from, &v))
                        js.p[js.n++] = (typeof(js.p[0])) { .name = keys[i].to, .v = (uint64_t) json_object_get_int64(v) };
        domain_notify_job_completed(d, &js);
}

static int on_poll_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        sd_event_source_disable_unref(src);
        poll_query(userdata);
        return 0;
}

static void poll_again(Poll *p) {
        QemuDomain *qd = p->d->driver_data;
        sd_event_source *t = NULL;
        if (!qd || !qd->qc || sd_event_add_time_relative(qd->qc->event, &t, CLOCK_MONOTONIC, MIGRATE_POLL_USEC, 0,
                                                         on_poll_timer, p) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "migration timer");
                poll_end(p, -1, &e);
                return;
        }
        sd_event_source_set_floating(t, true);
        sd_event_source_unref(t);
}

static void on_cont(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Poll *p = userdata;
        VbError e = { 0 };
        if (cls)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cont: %s", desc ? desc : cls);
        poll_end(p, cls ? -1 : 0, cls ? &e : NULL);
}

static void on_poll_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Poll *p = userdata;
        QemuDomain *qd = p->d->driver_data;
        const char *edesc, *status = qemu_migration_status(ret, &edesc);
        VbError e = { 0 };
        if (cls || !qd || q != qd->qmp) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "migration job: %s",
                             desc ? desc : "the monitor went away");
                poll_end(p, -1, &e);
        } else if (status && strcmp(status, "completed") == 0) {
                log_info("domain %s: migration %s completed", p->d->obj.name, p->outgoing ? "out" : "in");
                if (p->outgoing)
                        completed_event(p->d, ret);
                if (p->outgoing || p->paused || qmp_send(q, "cont", NULL, on_cont, p) < 0)
                        poll_end(p, 0, NULL);
        } else if (status && (strcmp(status, "failed") == 0 || strcmp(status, "cancelled") == 0)) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "job 'migration %s' failed: %s",
                             p->outgoing ? "out" : "in", edesc ? edesc : status);
                poll_end(p, -1, &e);
        } else {
                poll_again(p);
        }
}

static void poll_query(Poll *p) {
        QemuDomain *qd = p->d->driver_data;
        if (!qd || !qd->qmp || qmp_send(qd->qmp, "query-migrate", NULL, on_poll_reply, p) < 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "domain '%s': the monitor went away",
                             p->d->obj.name);
                poll_end(p, -1, &e);
        }
}

static Poll *poll_new(Domain *d, Call *call, bool outgoing, bool paused, VbError *err) {
        Poll *p = calloc(1, sizeof *p);
        if (!p) {
                vb_error_errno(err, -ENOMEM, "migration");
                return NULL;
        }
        *p = (Poll) { .d = domain_ref(d), .call = call ? call_ref(call) : NULL, .outgoing = outgoing, .paused = paused };
        return p;
}

/* ---- the source ---- */

static void on_migrate(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Poll *p = userdata;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "migrate: %s", desc ? desc : cls);
                poll_end(p, -1, &e);
                return;
        }
        poll_query(p);
}

static void on_setup_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_warning("migration setup: %s", desc ? desc : cls);
}

static int qemu_migrate_perform(Domain *d, const char *uri, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        if (qd->migration)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain '%s' is being migrated",
                                    d->obj.name);
        QemuMigration *m = calloc(1, sizeof *m);
        Poll *p = m ? poll_new(d, NULL, true, false, err) : NULL;
        if (!p) {
                free(m);
                return m ? -1 : vb_error_errno(err, -ENOMEM, "migration");
        }
        *m = (QemuMigration) { .outgoing = true, .postcopy = flags & DOMAIN_MIGRATE_POSTCOPY };
        json_object *caps = json_object_new_array(), *cap = json_object_new_object(), *args = json_object_new_object();
        json_object_object_add(cap, "capability", json_object_new_string("postcopy-ram"));
        json_object_object_add(cap, "state", json_object_new_boolean(m->postcopy));
        json_object_array_add(caps, cap);
        /* QEMU's MIGRATION_PASS (libvirt's MIGRATION_ITERATION event) only with "events" on */
        cap = json_object_new_object();
        json_object_object_add(cap, "capability", json_object_new_string("events"));
        json_object_object_add(cap, "state", json_object_new_boolean(1));
        json_object_array_add(caps, cap);
        json_object_object_add(args, "capabilities", caps);
        qmp_send(qd->qmp, "migrate-set-capabilities", args, on_setup_reply, NULL);
        args = json_object_new_object();
        json_object_object_add(args, "max-bandwidth",
                               json_object_new_int64((int64_t) (qemu_migrate_bandwidth(qd) * 1024 * 1024)));
        qmp_send(qd->qmp, "migrate-set-parameters", args, on_setup_reply, NULL);
        args = json_object_new_object();
        json_object_object_add(args, "uri", json_object_new_string(uri));
        int r = qmp_send(qd->qmp, "migrate", args, on_migrate, p);
        if (r < 0) {
                free(m);
                poll_free(p);
                return vb_error_errno(err, r, "migrate");
        }
        qd->migration = m;
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* ---- the destination's end ---- */

static int qemu_migrate_finish(Domain *d, bool paused, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        Poll *p = poll_new(d, call, false, paused, err);
        if (!p)
                return -1;
        poll_query(p);
        return VERB_PENDING;
}

static void qemu_migrate_confirm(Domain *d, bool cancelled) {
        QemuDomain *qd = d->driver_data;
        if (qd && cancelled) {
                free(qd->migration);
                qd->migration = NULL;
        }
}

const DomainMigrateOps qemu_migrate_ops = {
        .set_param = qemu_migrate_set_param,
        .get_param = qemu_migrate_get_param,
        .start_postcopy = qemu_migrate_start_postcopy,
        .prepare = qemu_migrate_prepare,
        .perform = qemu_migrate_perform,
        .finish = qemu_migrate_finish,
        .confirm = qemu_migrate_confirm,
};
