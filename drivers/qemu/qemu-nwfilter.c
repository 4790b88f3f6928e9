/* qemu-nwfilter.c: a guest NIC's <filterref> as a filter binding on its tap, made when the tap is and removed when it goes (libvirt's nwfilter bindings, listed by nwfilter-binding-list). */
#define LOG_MODULE "qemu"
#include "qemu-net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "qemu-priv.h"
#include "log.h"
#include "nwfilter.h"
#include "uuid.h"

static bool is(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

/* The binding a NIC's filterref stands for; NULL on ENOMEM. Parameters sorted by name (as a
 * binding keeps them), those of one name in the order written. */
static NWFilterBindingDef *binding_of(const DomainDef *live, const DomainInterface *nic) {
        NWFilterBindingDef *b = calloc(1, sizeof *b);
        if (!b)
                return NULL;
        memcpy(b->owner_uuid, live->uuid, 16);
        mac_format(nic->mac, b->mac);
        bool ok = (b->owner_name = strdup(live->name)) && (b->portdev = strdup(nic->target_dev)) &&
                  (b->filter = strdup(nic->filterref)) &&
                  (b->params = calloc(nic->n_filterref_params + 1, sizeof *b->params));
        for (size_t i = 0; ok && i < nic->n_filterref_params; i++) {
                const DomainFilterParam *p = &nic->filterref_params[i];
                size_t at = b->n_params;
                while (at > 0 && strcmp(b->params[at - 1].name, p->name) > 0)
                        at--;
                NWFilterParam np = { strdup(p->name), strdup(p->value) };
                ok = np.name && np.value;
                if (!ok) {
                        free(np.name);
                        free(np.value);
                        break;
                }
                memmove(&b->params[at + 1], &b->params[at], (b->n_params - at) * sizeof *b->params);
                b->params[at] = np;
                b->n_params++;
        }
        if (!ok)
                return nwfilter_binding_def_free(b);
        return b;
}

int qemu_nics_filter(Connection *c, const DomainDef *live, QemuNics *nics, VbError *err) {
        const DomainDevices *devs = &live->priv->devices;
        for (size_t i = 0; i < devs->n_interfaces; i++) {
                const DomainInterface *nic = &devs->interfaces[i];
                if (!nic->filterref)
                        continue;
                /* the rules hook the bridge (family bridge): a tap elsewhere would pass unfiltered */
                if (!is(nic->type, "network") && !is(nic->type, "bridge"))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                            "a network filter on an interface of type '%s' is not supported: "
                                            "filters apply to taps on a bridge (types network and bridge)",
                                            nic->type);
                if (!nic->target_dev)
                        continue;
                char **grown = realloc(nics->filtered, (nics->n_filtered + 1) * sizeof *grown);
                if (!grown)
                        return vb_error_errno(err, -ENOMEM, "interface");
                nics->filtered = grown;
                NWFilterBindingDef *b = binding_of(live, nic);
                char *port = b ? strdup(b->portdev) : NULL;
                if (!port) {
                        nwfilter_binding_def_free(b);
                        return vb_error_errno(err, -ENOMEM, "interface");
                }
                if (nwfilter_binding_add(c, b, err) < 0) {
                        free(port);
                        return -1;
                }
                nics->filter_conn = c;
                nics->filtered[nics->n_filtered++] = port;
        }
        return 0;
}

void qemu_nics_unfilter(QemuNics *nics) {
        for (size_t i = 0; i < nics->n_filtered; i++) {
                nwfilter_binding_remove(nics->filter_conn, nics->filtered[i]);
                free(nics->filtered[i]);
        }
        free(nics->filtered);
        nics->filtered = NULL;
        nics->n_filtered = 0;
}

void qemu_nics_release_filters(Connection *c, const DomainDef *live) {
        const DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const DomainInterface *nic = &dev->interfaces[i];
                if (!nic->filterref || !nic->target_dev)
                        continue;
                /* only this guest's: the name may have gone to another tap since */
                NWFilterBinding *b = c->nwfilters ? nwfilter_binding_lookup(c, nic->target_dev, &(VbError) { 0 }) : NULL;
                if (b && memcmp(b->def->owner_uuid, live->uuid, 16) == 0)
                        nwfilter_binding_remove(c, nic->target_dev);
        }
}

typedef struct FilterWait {
        QemuDomain *qd;
        Process *proc;          /* the QEMU that waits: a later one of the same domain is not it */
        Qmp *qmp;
} FilterWait;

static void on_filters_loaded(void *data, bool ok) {
        FilterWait *w = data;
        QemuDomain *qd = w->qd;
        Domain *d = qd->domain;
        bool same = qd->phase == QEMU_PHASE_STARTING && qd->proc == w->proc && qd->qmp == w->qmp;
        if (same && !ok) {      /* as libvirt: a guest whose filters are not in place does not run */
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER,
                             "the network filter rules of domain '%s' could not be loaded", d->obj.name);
                qemu_domain_start_fail(qd, &e);
        } else if (same) {
                qemu_start_next(qd, w->qmp);
        }
        free(w);
        domain_unref(d);
}

bool qemu_nics_filters_wait(QemuDomain *qd, Qmp *q, QemuStartNext next) {
        const DomainDef *live = qd->live;
        bool filtered = false;
        for (size_t i = 0; live && live->priv && i < live->priv->devices.n_interfaces; i++)
                filtered = filtered || live->priv->devices.interfaces[i].filterref;
        if (!filtered)
                return false;
        FilterWait *w = malloc(sizeof *w);
        if (!w)
                return false;
        *w = (FilterWait) { qd, qd->proc, q };
        domain_ref(qd->domain);
        qd->start_next = next;
        int r = nwfilter_when_applied(qd->domain->obj.conn, on_filters_loaded, w);
        if (r > 0) {
                log_debug("domain %s: waiting for its network filter rules before it runs", qd->domain->obj.name);
                return true;
        }
        domain_unref(qd->domain);
        free(w);
        if (r == 0)
                return false;
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_NWFILTER,
                     "the network filter rules of domain '%s' could not be loaded", qd->domain->obj.name);
        qemu_domain_start_fail(qd, &e);
        return true;            /* the start is given up: nothing continues it */
}
