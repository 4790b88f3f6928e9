/* qemu-graphics-fd.c: virDomainOpenGraphicsFD and virDomainOpenGraphics on QEMU: a socket handed to QEMU (QMP getfd, then add_client): one end of a socket pair whose other end goes to the caller, or the caller's own. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-priv.h"

#define GRAPHICS_FDNAME "graphicsfd"

typedef struct GraphicsFd {
        Domain *d;
        Call *call;
        int fd;                 /* the caller's end (OpenGraphicsFD), -1 when QEMU has the caller's socket */
} GraphicsFd;

static void graphics_fd_done(GraphicsFd *g, int r, const VbError *e) {
        call_complete(g->call, r, e, r < 0 || g->fd < 0 ? NULL : &g->fd);
        if (g->fd >= 0)
                close(g->fd);   /* the door has its own copy */
        call_unref(g->call);
        domain_unref(g->d);
        free(g);
}

/* getfd's answer: only a failure matters (add_client, queued behind it, reports anyway). */
static void on_getfd(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        const char *name = userdata;
        if (cls)
                log_warning("domain %s: getfd for a display failed: %s", name, desc ? desc : cls);
}

static void on_add_client(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        GraphicsFd *g = userdata;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot connect to the display: %s",
                             desc ? desc : cls);
                graphics_fd_done(g, -1, &e);
                return;
        }
        graphics_fd_done(g, 0, NULL);
}

/* The type of display idx when QEMU can take a client for it ("vnc", "spice"), or NULL with err set. */
static const char *graphics_client_type(Domain *d, unsigned idx, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU monitor of domain '%s' is not available",
                             d->obj.name);
                return NULL;
        }
        const DomainDevices *dev = &domain_current_def(d)->priv->devices;
        if (idx >= dev->n_graphics) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "No graphics backend with index %u", idx);
                return NULL;
        }
        const char *type = dev->graphics[idx].type;
        if (!type || (strcmp(type, "vnc") != 0 && strcmp(type, "spice") != 0)) {
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "Can't open graphics of type '%s'",
                             type ? type : "");
                return NULL;
        }
        return type;
}

/* QEMU gets qemu_fd (taken in every case) as a new client of display idx; the call completes
 * once QEMU took it, with caller_fd (taken; -1: none) as its result. */
static int graphics_add_client(Domain *d, unsigned idx, unsigned flags, int qemu_fd, int caller_fd, Call *call,
                               VbError *err) {
        QemuDomain *qd = d->driver_data;
        const char *type = graphics_client_type(d, idx, err);
        GraphicsFd *g = type ? calloc(1, sizeof *g) : NULL;
        if (!g) {
                close(qemu_fd);
                if (caller_fd >= 0)
                        close(caller_fd);
                return type ? vb_error_errno(err, -ENOMEM, "display socket") : -1;
        }
        json_object *args = json_object_new_object();
        json_object_object_add(args, "fdname", json_object_new_string(GRAPHICS_FDNAME));
        int r = qmp_send_fd(qd->qmp, "getfd", args, qemu_fd, on_getfd, (void *) d->obj.name);
        if (r < 0) {
                if (caller_fd >= 0)
                        close(caller_fd);
                free(g);
                return vb_error_errno(err, r, "getfd");
        }
        args = json_object_new_object();
        json_object_object_add(args, "protocol", json_object_new_string(type));
        json_object_object_add(args, "fdname", json_object_new_string(GRAPHICS_FDNAME));
        json_object_object_add(args, "skipauth", json_object_new_boolean(flags & DOMAIN_OPEN_GRAPHICS_SKIPAUTH));
        json_object_object_add(args, "tls", json_object_new_boolean(false));
        *g = (GraphicsFd) { .d = domain_ref(d), .call = call_ref(call), .fd = caller_fd };
        r = qmp_send(qd->qmp, "add_client", args, on_add_client, g);
        if (r < 0) {
                if (caller_fd >= 0)
                        close(caller_fd);
                call_unref(g->call);
                domain_unref(g->d);
                free(g);
                return vb_error_errno(err, r, "add_client");
        }
        return VERB_PENDING;
}

int qemu_domain_open_graphics_fd(Domain *d, unsigned idx, unsigned flags, Call *call, VbError *err) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return vb_error_errno(err, -errno, "socket pair for the display");
        return graphics_add_client(d, idx, flags, sv[1], sv[0], call, err);
}

int qemu_domain_open_graphics(Domain *d, unsigned idx, int fd, unsigned flags, Call *call, VbError *err) {
        return graphics_add_client(d, idx, flags, fd, -1, call, err);
}
