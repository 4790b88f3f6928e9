/* qemu-hotplug-mem.c: DIMMs (<memory model='dimm'>) attached to and detached from a running guest within its <maxMemory>: a slot, QMP object-add of a RAM backend and device_add of a pc-dimm; device_del, DEVICE_DELETED and object-del. The domain's memory follows. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command-priv.h"

#define DIMM_ALIGN_KIB 2048ULL         /* QEMU's x86 DIMM alignment (2 MiB) */

int qemu_mem_prepare(const DomainDef *def, DomainDevices *dev, VbError *err) {
        DomainMemoryDev *m = &dev->memories[0];
        const DomainDefPrivate *p = def->priv;
        if (!p->max_memory_kib)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "cannot use/hotplug a memory device when domain 'maxMemory' is not defined");
        if (m->target_size_kib == 0 || m->target_size_kib % DIMM_ALIGN_KIB)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "memory device size %llu KiB is not a multiple of %llu KiB",
                                    (unsigned long long) m->target_size_kib, DIMM_ALIGN_KIB);
        if (m->target_node.set && m->target_node.v != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "can't add memory backend for guest node '%lld' as the guest has only '1' NUMA "
                                    "nodes configured", m->target_node.v);
        if (def->memory_kib + m->target_size_kib > p->max_memory_kib)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "Attaching memory device with size '%llu' would exceed domain's maxMemory config "
                                    "size '%llu'", (unsigned long long) m->target_size_kib,
                                    (unsigned long long) p->max_memory_kib);
        if (m->address.type && strcmp(m->address.type, "dimm") != 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU, "a DIMM needs a dimm address, not '%s'",
                                    m->address.type);
        const DomainDevices *d = &def->priv->devices;
        bool used[256] = { false };
        for (size_t i = 0; i < d->n_memories; i++) {
                long s = qemu_dimm_slot(&d->memories[i], i);
                if (s >= 0 && s < 256)
                        used[s] = true;
        }
        long slot = -1;
        if (m->address.slot) {
                slot = qemu_dimm_slot(m, 0);
                if (slot < 0 || slot >= (long) p->max_memory_slots)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "memory device slot '%s' is out of range (0 to %u)", m->address.slot,
                                            p->max_memory_slots ? p->max_memory_slots - 1 : 0);
                if (used[slot])
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                            "memory device slot '%ld' is already being used by another memory device",
                                            slot);
        }
        for (long s = 0; slot < 0 && s < (long) p->max_memory_slots; s++)
                if (!used[s])
                        slot = s;
        if (slot < 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "no free memory device slot available");
        char v[16];
        snprintf(v, sizeof v, "%ld", slot);
        char *t = strdup("dimm"), *sl = strdup(v);
        if (!t || !sl) {
                free(t);
                free(sl);
                return vb_error_errno(err, -ENOMEM, "memory device");
        }
        free(m->address.type);
        free(m->address.slot);
        m->address.type = t;
        m->address.slot = sl;
        return 0;
}

typedef struct MemAttach {
        QemuDomain *qd;
        DomainDevices *dev;
        bool device;                    /* the backend is there: device_add was sent */
        char id[32], memdev[40];
} MemAttach;

static void on_undo(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        (void) q, (void) ret, (void) userdata;
        if (cls)
                log_warning("QMP object-del: %s", desc ? desc : cls);
}

static void object_del(Qmp *q, const char *id) {
        json_object *o = json_object_new_object();
        if (!o)
                return;
        json_object_object_add(o, "id", json_object_new_string(id));
        qmp_send(q, "object-del", o, on_undo, NULL);
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

static int send_device(MemAttach *a, Qmp *q) {
        const DomainMemoryDev *m = &a->dev->memories[0];
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "driver", json_object_new_string("pc-dimm"));
        json_object_object_add(o, "node", json_object_new_int(0));
        json_object_object_add(o, "memdev", json_object_new_string(a->memdev));
        json_object_object_add(o, "id", json_object_new_string(a->id));
        json_object_object_add(o, "slot", json_object_new_int((int) qemu_dimm_slot(m, 0)));
        a->device = true;
        return qmp_send(q, "device_add", o, on_attach, a);
}

static int commit(Domain *d, MemAttach *a, VbError *e) {
        uint64_t size = a->dev->memories[0].target_size_kib;
        char *alias = strdup(a->id);
        if (!alias || domain_devices_move(&d->live->priv->devices, a->dev, "memory", 0) < 0) {
                free(alias);
                return vb_error_errno(e, -ENOMEM, "attach");
        }
        DomainDevices *live = &d->live->priv->devices;
        free(live->memories[live->n_memories - 1].alias);
        live->memories[live->n_memories - 1].alias = alias;
        d->live->memory_kib += size;
        d->live->current_memory_kib += size;
        log_info("domain %s: DIMM %s of %llu KiB attached", d->obj.name, a->id, (unsigned long long) size);
        qemu_hotplug_added(d, a->id);
        return 0;
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        MemAttach *a = userdata;
        QemuDomain *qd = a->qd;
        (void) ret;
        if (q != qd->qmp || !qd->job) {
                domain_device_free(a->dev);
                free(a);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach memory device %s: %s", a->id,
                             desc ? desc : cls);
                if (a->device)
                        object_del(q, a->memdev);
        } else if (!a->device) {
                int s = send_device(a, q);
                if (s == 0) {
                        domain_unref(d);
                        return;
                }
                vb_error_errno(&e, s, "device_add");
                object_del(q, a->memdev);
        } else {
                r = commit(d, a, &e);
        }
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        domain_device_free(a->dev);
        free(a);
        domain_unref(d);
}

/* libvirt's choice: one more than the highest dimmN the guest has. */
static void new_id(const DomainDef *live, char *buf, size_t len) {
        unsigned long next = 0;
        for (size_t i = 0; i < live->priv->devices.n_memories; i++) {
                char id[64], memdev[72], *end;
                qemu_dimm_ids(&live->priv->devices.memories[i], i, id, sizeof id, memdev, sizeof memdev);
                if (strncmp(id, "dimm", 4) != 0)
                        continue;
                unsigned long v = strtoul(id + 4, &end, 10);
                if (!*end && v >= next)
                        next = v + 1;
        }
        snprintf(buf, len, "dimm%lu", next);
}

int qemu_mem_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        MemAttach *a = NULL;
        json_object *o = NULL;
        int r;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                 "the QEMU monitor of domain '%s' is not available", d->obj.name);
                goto fail;
        }
        if (!(a = calloc(1, sizeof *a)) || !(o = json_object_new_object())) {
                r = vb_error_errno(err, -ENOMEM, "attach");
                goto fail;
        }
        new_id(d->live, a->id, sizeof a->id);
        snprintf(a->memdev, sizeof a->memdev, "mem%s", a->id);
        a->qd = qd;
        a->dev = dev;
        json_object_object_add(o, "qom-type", json_object_new_string("memory-backend-ram"));
        json_object_object_add(o, "id", json_object_new_string(a->memdev));
        json_object_object_add(o, "size", json_object_new_int64((int64_t) (dev->memories[0].target_size_kib * 1024)));
        r = qmp_send(qd->qmp, "object-add", o, on_attach, a);
        o = NULL;
        if (r < 0) {
                a->dev = NULL;
                r = vb_error_errno(err, r, "object-add");
                goto fail;
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
fail:
        json_object_put(o);
        free(a);
        domain_device_free(dev);
        return r;
}

/* The guest gave the DIMM back: its backend goes, and the memory it added. */
static void mem_removed(QemuDomain *qd, const char *alias, const char *target) {
        (void) target;
        Domain *d = qd->domain;
        DomainDevices *devs = d->live ? &d->live->priv->devices : NULL;
        for (size_t i = 0; devs && i < devs->n_memories; i++) {
                const DomainMemoryDev *m = &devs->memories[i];
                if (!m->alias || strcmp(m->alias, alias) != 0)
                        continue;
                char memdev[72];
                snprintf(memdev, sizeof memdev, "mem%s", alias);
                if (qd->qmp)
                        object_del(qd->qmp, memdev);
                uint64_t size = m->target_size_kib;
                d->live->memory_kib -= size < d->live->memory_kib ? size : 0;
                d->live->current_memory_kib -= size < d->live->current_memory_kib ? size : 0;
                if (d->live->current_memory_kib > d->live->memory_kib)
                        d->live->current_memory_kib = d->live->memory_kib;
                domain_devices_remove(devs, "memory", i);
                return;
        }
}

int qemu_mem_detach(Domain *d, size_t index, Call *call, VbError *err) {
        DomainDevices *devs = &d->live->priv->devices;
        for (size_t i = 0; i < devs->n_memories; i++) {       /* each keeps its QEMU id as its alias */
                char id[64], memdev[72];
                qemu_dimm_ids(&devs->memories[i], i, id, sizeof id, memdev, sizeof memdev);
                if (devs->memories[i].alias && strncmp(devs->memories[i].alias, "ua-", 3) != 0)
                        continue;
                char *c = strdup(id);
                if (!c)
                        return vb_error_errno(err, -ENOMEM, "detach");
                free(devs->memories[i].alias);
                devs->memories[i].alias = c;
        }
        char alias[64];
        snprintf(alias, sizeof alias, "%s", devs->memories[index].alias);
        return qemu_unplug_begin(d->driver_data, alias, "memory device", alias, mem_removed, call, err);
}
