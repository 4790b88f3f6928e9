/* qemu-graphics-password.c: a running display's password and its expiry, through QMP
 * set_password then expire_password (virsh update-device with a <graphics passwd=…
 * passwdValidTo=…>; DomainOps.set_graphics_password), and the expiry at start. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain-update.h"
#include "log.h"

typedef struct PasswordChange {
        QemuDomain *qd;
        size_t index;
        char *passwd, *valid_to;
        bool expiry_sent;
} PasswordChange;

static void change_free(PasswordChange *pc) {
        free(pc->passwd);
        free(pc->valid_to);
        free(pc);
}

/* expire_password's time: "never", or the absolute time in seconds since the epoch; NULL when
 * valid_to is not a time. */
json_object *qemu_expire_password_args(const char *protocol, const char *valid_to) {
        char when[32] = "never";
        time_t t;
        if (valid_to && domain_graphics_valid_to(valid_to, &t) < 0)
                return NULL;
        if (valid_to)
                snprintf(when, sizeof when, "%lld", (long long) t);
        json_object *args = json_object_new_object();
        if (args) {
                json_object_object_add(args, "protocol", json_object_new_string(protocol));
                json_object_object_add(args, "time", json_object_new_string(when));
        }
        return args;
}

static int set_dup(char **field, const char *v) {
        char *s = v ? strdup(v) : NULL;
        if (v && !s)
                return -1;
        free(*field);
        *field = s;
        return 0;
}

static void on_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        PasswordChange *pc = userdata;
        QemuDomain *qd = pc->qd;
        if (q != qd->qmp || !qd->job) {
                change_free(pc);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        DomainGraphics *g = d->live && pc->index < d->live->priv->devices.n_graphics
                                    ? &d->live->priv->devices.graphics[pc->index] : NULL;
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot %s the display password: %s",
                             pc->expiry_sent ? "set the expiry of" : "set", desc ? desc : cls);
        } else if (!g) {
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "graphics %zu went away", pc->index);
        } else if (!pc->expiry_sent) {
                json_object *args = qemu_expire_password_args(g->type, pc->valid_to);   /* checked by the core */
                pc->expiry_sent = true;
                if (args && qmp_send(q, "expire_password", args, on_reply, pc) >= 0) {
                        domain_unref(d);
                        return;            /* the expiry's reply finishes */
                }
                vb_error_errno(&e, -ENOMEM, "expire_password");
        } else if (set_dup(&g->passwd, pc->passwd) < 0 || set_dup(&g->passwd_valid_to, pc->valid_to) < 0) {
                vb_error_errno(&e, -ENOMEM, "graphics password");
        } else {
                r = domain_save_status(d, &e);
        }
        change_free(pc);
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        domain_unref(d);
}

int qemu_domain_set_graphics_password(Domain *d, size_t index, const char *passwd, const char *valid_to,
                                      Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp) || !d->live)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        const DomainGraphics *g = &d->live->priv->devices.graphics[index];
        if (!g->type || (strcmp(g->type, "vnc") != 0 && strcmp(g->type, "spice") != 0))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "graphics type '%s' has no password", g->type ? g->type : "");
        PasswordChange *pc = calloc(1, sizeof *pc);
        json_object *args = pc ? json_object_new_object() : NULL;
        if (!args || !(pc->passwd = strdup(passwd)) || (valid_to && !(pc->valid_to = strdup(valid_to)))) {
                json_object_put(args);
                if (pc)
                        change_free(pc);
                return vb_error_errno(err, -ENOMEM, "set_password");
        }
        pc->qd = qd;
        pc->index = index;
        json_object_object_add(args, "protocol", json_object_new_string(g->type));
        json_object_object_add(args, "password", json_object_new_string(passwd));
        int r = qmp_send(qd->qmp, "set_password", args, on_reply, pc);
        if (r < 0) {
                change_free(pc);
                return vb_error_errno(err, r, "set_password");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}
