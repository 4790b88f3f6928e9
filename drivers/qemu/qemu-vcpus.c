/* qemu-vcpus.c: vCPUs plugged into and out of a running guest (setvcpus --live): QMP query-hotpluggable-cpus, device_add of the CPU type, device_del and DEVICE_DELETED. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-hotplug.h"
#include "domain-persist.h"
#include "log.h"

#define PERIPHERAL "/machine/peripheral/"

/* One slot of query-hotpluggable-cpus, placed by its topology ids. */
typedef struct Slot {
        json_object *entry;     /* borrowed */
        long long key;          /* socket, die, core, thread: the guest's vCPU order */
        bool plugged;
} Slot;

typedef struct VcpuChange {
        QemuDomain *qd;
        unsigned want;
        json_object *slots;     /* the query's answer (owned) */
        Slot *order;
        size_t n;
        size_t next;            /* the next slot to plug */
} VcpuChange;

static long long prop(json_object *props, const char *name) {
        json_object *v;
        return props && json_object_object_get_ex(props, name, &v) ? json_object_get_int64(v) : 0;
}

static int slot_cmp(const void *a, const void *b) {
        long long x = ((const Slot *) a)->key, y = ((const Slot *) b)->key;
        return x < y ? -1 : x > y;
}

static void change_free(VcpuChange *c) {
        json_object_put(c->slots);
        free(c->order);
        free(c);
}

static unsigned live_current(const DomainDef *live) {
        return live->current_vcpus ? live->current_vcpus : live->vcpus;
}

static void commit(QemuDomain *qd, unsigned n) {
        Domain *d = qd->domain;
        VbError e = { 0 };
        if (!d->live)
                return;
        d->live->current_vcpus = n;
        if (domain_save_status(d, &e) < 0)
                log_warning("domain %s: status not saved: %s", d->obj.name, e.message);
        log_info("domain %s: %u vCPUs", d->obj.name, n);
}

static void on_plug(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

/* device_add of the next free slot: id vcpuN (N its place in the guest's vCPU order). */
static int plug_next(VcpuChange *c, Qmp *q) {
        while (c->next < c->n && c->order[c->next].plugged)
                c->next++;
        if (c->next >= c->n)
                return -ENOSPC;
        json_object *e = c->order[c->next].entry, *type, *props;
        json_object *args = json_object_new_object();
        if (!args || !json_object_object_get_ex(e, "type", &type) || !json_object_object_get_ex(e, "props", &props)) {
                json_object_put(args);
                return -EINVAL;
        }
        char id[32];
        snprintf(id, sizeof id, "vcpu%zu", c->next);
        json_object_object_add(args, "driver", json_object_new_string(json_object_get_string(type)));
        json_object_object_add(args, "id", json_object_new_string(id));
        json_object_object_foreach(props, k, v) {
                if (strcmp(k, "node-id") != 0)
                        json_object_object_add(args, k, json_object_get(v));
        }
        c->order[c->next].plugged = true;
        return qmp_send(q, "device_add", args, on_plug, c);
}

static void on_plug(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        VcpuChange *c = userdata;
        QemuDomain *qd = c->qd;
        if (q != qd->qmp || !qd->job) {
                change_free(c);
                return;
        }
        Domain *d = qd->domain;
        VbError e = { 0 };
        unsigned cur = live_current(d->live);
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot hotplug vCPU %u: %s", cur + 1,
                             desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
                change_free(c);
                return;
        }
        commit(qd, cur + 1);
        int r = cur + 1 < c->want ? plug_next(c, q) : 1;
        if (r == 0)
                return;
        if (r < 0)
                vb_error_errno(&e, r, "vCPU hotplug");
        qemu_domain_finish(qd, r < 0 ? -1 : 0, r < 0 ? &e : NULL);
        change_free(c);
}

static void vcpu_removed(QemuDomain *qd, const char *alias, const char *target) {
        if (qd->domain->live)
                commit(qd, live_current(qd->domain->live) - 1);
}

/* Unplug the highest hotplugged vCPU (vcpuN under /machine/peripheral). */
static int unplug_last(VcpuChange *c, VbError *e) {
        QemuDomain *qd = c->qd;
        for (size_t i = c->n; i-- > 0;) {
                json_object *path;
                if (!c->order[i].plugged || !json_object_object_get_ex(c->order[i].entry, "qom-path", &path))
                        continue;
                const char *p = json_object_get_string(path);
                if (strncmp(p, PERIPHERAL, strlen(PERIPHERAL)) != 0)
                        return vb_error_set(e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                            "vCPU %zu was not hotplugged and cannot be unplugged", i);
                /* the job passes from this reply to the unplug's wait */
                Call *call = qd->call;
                qd->call = NULL;
                qd->job = false;
                int r = qemu_unplug_begin(qd, p + strlen(PERIPHERAL), "vCPU", p + strlen(PERIPHERAL), vcpu_removed,
                                          call, e);
                if (r < 0) {
                        qd->job = true;
                        qd->call = call;
                } else {
                        call_unref(call);
                }
                return r < 0 ? -1 : 0;
        }
        return vb_error_set(e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "no vCPU can be unplugged");
}

static void on_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        VcpuChange *c = userdata;
        QemuDomain *qd = c->qd;
        if (q != qd->qmp || !qd->job) {
                change_free(c);
                return;
        }
        VbError e = { 0 };
        int r = -1;
        size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        c->slots = json_object_get(ret);
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU, "vCPU hotplug is not supported: %s",
                             desc ? desc : cls);
        } else if (!(c->order = calloc(n ? n : 1, sizeof *c->order))) {
                vb_error_errno(&e, -ENOMEM, "vCPU hotplug");
        } else {
                for (size_t i = 0; i < n; i++) {
                        json_object *entry = json_object_array_get_idx(ret, i), *props, *path;
                        json_object_object_get_ex(entry, "props", &props);
                        c->order[i] = (Slot) {
                                .entry = entry,
                                .key = ((prop(props, "socket-id") * 256 + prop(props, "die-id")) * 256 +
                                        prop(props, "core-id")) * 256 + prop(props, "thread-id"),
                                .plugged = json_object_object_get_ex(entry, "qom-path", &path),
                        };
                }
                c->n = n;
                qsort(c->order, n, sizeof *c->order, slot_cmp);
                unsigned cur = live_current(qd->domain->live);
                if (c->want > cur) {
                        int s = plug_next(c, q);
                        if (s == 0)
                                return;
                        vb_error_errno(&e, s, "vCPU hotplug");
                } else if (unplug_last(c, &e) == 0) {
                        change_free(c);
                        return;
                }
        }
        qemu_domain_finish(qd, r, &e);
        change_free(c);
}

int qemu_domain_set_vcpus(Domain *d, unsigned n, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        unsigned cur = live_current(d->live);
        if (n == cur)
                return 0;
        if (n + 1 < cur)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "a running domain's vCPUs are unplugged one at a time (%u now, %u asked)", cur, n);
        VcpuChange *c = calloc(1, sizeof *c);
        if (!c)
                return vb_error_errno(err, -ENOMEM, "vCPU hotplug");
        c->qd = qd;
        c->want = n;
        int r = qmp_send(qd->qmp, "query-hotpluggable-cpus", NULL, on_query, c);
        if (r < 0) {
                free(c);
                return vb_error_errno(err, r, "query-hotpluggable-cpus");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}
