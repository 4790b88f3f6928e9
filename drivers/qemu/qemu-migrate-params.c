/* qemu-migrate-params.c: a running guest's migration settings through QMP migrate-set-parameters / query-migrate-parameters, and migrate-start-postcopy; what the migration in flight (QemuDomain.migration) is, and its end when QEMU ends. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>

#include "log.h"
#include "qemu-migrate.h"

#define MIB (1024ULL * 1024ULL)

/* QEMU's name of each setting (bytes/s for the caps, ms, bytes). */
static const char *const qmp_names[_DOMAIN_MIGRATE_PARAM_MAX] = {
        [DOMAIN_MIGRATE_DOWNTIME] = "downtime-limit",
        [DOMAIN_MIGRATE_SPEED] = "max-bandwidth",
        [DOMAIN_MIGRATE_SPEED_POSTCOPY] = "max-postcopy-bandwidth",
        [DOMAIN_MIGRATE_CACHE] = "xbzrle-cache-size",
};

static bool param_is_speed(DomainMigrateParam p) {
        return p == DOMAIN_MIGRATE_SPEED || p == DOMAIN_MIGRATE_SPEED_POSTCOPY;
}

uint64_t qemu_migrate_bandwidth(const QemuDomain *qd) {
        return qd && qd->migrate_bandwidth_set ? qd->migrate_bandwidth : DOMAIN_MIGRATE_BANDWIDTH_MAX;
}

bool qemu_migrate_out_active(const QemuDomain *qd) {
        return qd->migration && qd->migration->outgoing && !qd->migration->completed;
}

bool qemu_migrate_out_postcopy(const QemuDomain *qd) {
        return qemu_migrate_out_active(qd) && qd->migration->postcopy;
}

/* QEMU ended: the migration in flight goes with it (a completed one not cancelled by Confirm
 * was the guest's departure). */
DomainInput qemu_migrate_exit_input(QemuDomain *qd, DomainInput input) {
        bool gone = qd->migration && qd->migration->completed;
        free(qd->migration);
        qd->migration = NULL;
        return gone && input == DOMAIN_INPUT_DESTROYED ? DOMAIN_INPUT_MIGRATED : input;
}

static void keep_bandwidth(QemuDomain *qd, uint64_t value) {
        qd->migrate_bandwidth_set = true;
        qd->migrate_bandwidth = value;
}

/* A command in flight: answers its own call (no domain job: these run beside a migration). */
typedef struct ParamQuery {
        Domain *d;
        Call *call;
        DomainMigrateParam p;
        uint64_t value;         /* set: the value asked, in libvirt's units */
        const char *command;
} ParamQuery;

static QemuDomain *monitor_of(Domain *d, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->qmp && qmp_is_ready(qd->qmp))
                return qd;
        vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        return NULL;
}

static void query_free(ParamQuery *pq) {
        call_unref(pq->call);
        domain_unref(pq->d);
        free(pq);
}

static void query_fail(ParamQuery *pq, const char *cls, const char *desc) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "unable to execute QEMU command '%s': %s", pq->command,
                     desc ? desc : cls);
        call_complete(pq->call, -1, &e, NULL);
        query_free(pq);
}

static int query_send(Domain *d, Qmp *qmp, const char *command, json_object *args, QmpReplyFn fn,
                      DomainMigrateParam p, uint64_t value, Call *call, VbError *err) {
        ParamQuery *pq = calloc(1, sizeof *pq);
        if (!pq) {
                json_object_put(args);
                return vb_error_errno(err, -ENOMEM, command);
        }
        *pq = (ParamQuery) { .d = domain_ref(d), .call = call_ref(call), .p = p, .value = value, .command = command };
        int r = qmp_send(qmp, command, args, fn, pq);
        if (r < 0) {
                query_free(pq);
                return vb_error_errno(err, r, command);
        }
        return VERB_PENDING;
}

static void on_set(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ParamQuery *pq = userdata;
        if (cls)
                return query_fail(pq, cls, desc);
        QemuDomain *qd = pq->d->driver_data;
        if (pq->p == DOMAIN_MIGRATE_SPEED && qd)
                keep_bandwidth(qd, pq->value);
        call_complete(pq->call, 0, NULL, NULL);
        query_free(pq);
}

int qemu_migrate_set_param(Domain *d, DomainMigrateParam p, uint64_t value, Call *call, VbError *err) {
        if (p == DOMAIN_MIGRATE_SPEED && !domain_is_active(d)) {
                QemuDomain *qd = qemu_domain_get(d);
                if (!qd)
                        return vb_error_errno(err, -ENOMEM, "migration speed");
                keep_bandwidth(qd, value);
                return 0;
        }
        QemuDomain *qd = monitor_of(d, err);
        if (!qd)
                return -1;
        json_object *args = json_object_new_object();
        if (!args)
                return vb_error_errno(err, -ENOMEM, "migrate-set-parameters");
        json_object_object_add(args, qmp_names[p], json_object_new_int64((int64_t) (param_is_speed(p) ? value * MIB : value)));
        return query_send(d, qd->qmp, "migrate-set-parameters", args, on_set, p, value, call, err);
}

static void on_get(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ParamQuery *pq = userdata;
        if (cls)
                return query_fail(pq, cls, desc);
        json_object *v;
        if (!json_object_object_get_ex(ret, qmp_names[pq->p], &v)) {
                VbError e = { 0 };
                if (pq->p == DOMAIN_MIGRATE_DOWNTIME)
                        vb_error_set(&e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                     "Querying migration downtime is not supported by QEMU binary");
                else
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "QEMU did not report '%s'", qmp_names[pq->p]);
                call_complete(pq->call, -1, &e, NULL);
                query_free(pq);
                return;
        }
        uint64_t value = json_object_get_uint64(v);
        if (param_is_speed(pq->p))
                value /= MIB;
        call_complete(pq->call, 0, NULL, &value);
        query_free(pq);
}

int qemu_migrate_get_param(Domain *d, DomainMigrateParam p, Call *call, uint64_t *out, VbError *err) {
        if (p == DOMAIN_MIGRATE_SPEED) {
                *out = qemu_migrate_bandwidth(d->driver_data);
                return 0;
        }
        QemuDomain *qd = monitor_of(d, err);
        if (!qd)
                return -1;
        return query_send(d, qd->qmp, "query-migrate-parameters", NULL, on_get, p, 0, call, err);
}

static void on_postcopy(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ParamQuery *pq = userdata;
        if (cls)
                return query_fail(pq, cls, desc);
        call_complete(pq->call, 0, NULL, NULL);
        query_free(pq);
}

int qemu_migrate_start_postcopy(Domain *d, Call *call, VbError *err) {
        QemuDomain *qd = monitor_of(d, err);
        if (!qd)
                return -1;
        if (!qemu_migrate_out_active(qd))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "post-copy can only be started while outgoing migration is in progress");
        if (!qemu_migrate_out_postcopy(qd))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag");
        return query_send(d, qd->qmp, "migrate-start-postcopy", NULL, on_postcopy, 0, 0, call, err);
}
