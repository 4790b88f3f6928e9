/* qemu-dac-names.c: the user and group names of a guest's DAC <label>s (a disk's <seclabel model='dac'><label>USER:GROUP</label>) looked up in a thread before its start or a disk's hotplug labels the files, so that NSS (sssd, LDAP) never blocks the event loop; the verb waits meanwhile (VERB_PENDING) and goes on with the answers. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdlib.h>

#include "log.h"
#include "qemu-priv.h"
#include "thread-call.h"

typedef struct Lookup {
        Domain *d;              /* a reference: the domain may be undefined meanwhile */
        QemuDomain *qd;
        SecurityDacNames names;
        QemuNamesNext next;
        void (*drop)(void *arg);
        void *arg;
} Lookup;

static void lookup_free(Lookup *l) {
        if (l->drop && l->arg)
                l->drop(l->arg);
        security_dac_names_free(&l->names);
        domain_unref(l->d);
        free(l);
}

static void lookup_work(void *p) {
        Lookup *l = p;
        security_dac_names_lookup(&l->names);
}

static void lookup_done(void *p) {
        Lookup *l = p;
        Domain *d = l->d;
        QemuDomain *qd = d->driver_data;
        if (qd != l->qd || !qd->dac_names_busy) {       /* forgotten meanwhile: its call went with it */
                lookup_free(l);
                return;
        }
        qd->dac_names_busy = false;
        void *arg = l->arg;
        l->arg = NULL;          /* next owns it now (and frees it when it fails) */
        qemu_verb_continue(qd, l->next, &l->names, arg);
        lookup_free(l);
}

int qemu_dac_names_begin(QemuDomain *qd, const DomainDef *def, QemuNamesNext next, void (*drop)(void *arg), void *arg,
                         Call *call, VbError *err) {
        if (!qd->qc || !qd->qc->sec_ready)
                return 0;
        Lookup *l = calloc(1, sizeof *l);
        if (!l || security_dac_names_of(def, &l->names) < 0) {
                free(l);
                return vb_error_errno(err, -ENOMEM, "DAC label names");
        }
        if (l->names.n == 0) {  /* numbers only, or no DAC label: nothing to look up */
                free(l);
                return 0;
        }
        l->d = domain_ref(qd->domain);
        l->qd = qd;
        l->next = next;
        l->drop = drop;
        int r = thread_call(qd->qc->event, lookup_work, lookup_done, l);
        if (r < 0) {
                lookup_free(l);         /* arg stays the caller's */
                return vb_error_errno(err, r, "DAC label name lookup");
        }
        l->arg = arg;
        log_debug("domain %s: looking up %zu DAC label name(s)", qd->domain->obj.name, l->names.n);
        qd->dac_names_busy = true;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

void qemu_domain_names_drop(QemuDomain *qd) {
        if (qd->dac_names)
                security_dac_names_free(qd->dac_names);
        free(qd->dac_names);
        qd->dac_names = NULL;
}
