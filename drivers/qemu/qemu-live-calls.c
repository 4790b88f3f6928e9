/* qemu-live-calls.c: small calls on a running guest's monitor: virDomainInjectNMI through QMP inject-nmi. */
#define LOG_MODULE "qemu"
#include <json-c/json.h>

#include "qemu-priv.h"

static void on_nmi(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        VbError e = { 0 };
        if (cls)
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "inject-nmi failed: %s", desc ? desc : cls);
        qemu_domain_finish(qd, cls ? -1 : 0, cls ? &e : NULL);
}

int qemu_domain_inject_nmi(Domain *d, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        int r = qmp_send(qd->qmp, "inject-nmi", NULL, on_nmi, qd);
        if (r < 0)
                return vb_error_errno(err, r, "inject-nmi");
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}
