/* qemu-keys.c: virDomainSendKey on QEMU: keycodes of libvirt's sets translated to QEMU's qnum, then QMP send-key. */
#define LOG_MODULE "qemu"
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "qemu-priv.h"
#include "qemu-keycodes.h"

static void on_send_key(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "send-key failed: %s", desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
        } else {
                qemu_domain_finish(qd, 0, NULL);
        }
}

int qemu_domain_send_key(Domain *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                         Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
                int qnum = qemu_key_to_qnum(codeset, keys[i]);
                if (qnum < 0) {
                        json_object_put(list);
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                                            "cannot translate keycode %u of %s codeset to qnum keycode", keys[i],
                                            qemu_keycode_set_name(codeset));
                }
                json_object *k = json_object_new_object();
                json_object_object_add(k, "type", json_object_new_string("number"));
                json_object_object_add(k, "data", json_object_new_int(qnum));
                json_object_array_add(list, k);
        }
        json_object *args = json_object_new_object();
        json_object_object_add(args, "keys", list);
        if (holdtime)
                json_object_object_add(args, "hold-time", json_object_new_int64(holdtime));
        int r = qmp_send(qd->qmp, "send-key", args, on_send_key, qd);
        if (r < 0)
                return vb_error_errno(err, r, "send-key");
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}
