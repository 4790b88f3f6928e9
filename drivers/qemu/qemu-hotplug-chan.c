/* qemu-hotplug-chan.c: virtio channels (<channel type='unix'><target type='virtio' name=…/>) attached to and detached from a running guest: a virtio-serial controller when the guest has none, QMP chardev-add of QEMU's listening socket (bound by the daemon and passed with getfd for a QEMU running as another user) and device_add of a virtserialport; device_del, DEVICE_DELETED, chardev-remove and the socket removed. The guest agent's channel connects the agent. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-device.h"
#include "domain-hotplug.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "log.h"
#include "qemu-agent.h"
#include "qemu-command.h"
#include "qemu-command-priv.h"

#define AGENT_CHANNEL "org.qemu.guest_agent.0"

void qemu_chan_id(const DomainDef *def, size_t i, char *buf, size_t len) {
        qemu_device_id(def->priv->devices.channels[i].alias, QEMU_ID_CHANNEL, i, buf, len);
}

int qemu_chan_prepare(const DomainDef *def, DomainDevices *dev, VbError *err) {
        const DomainChr *c = &dev->channels[0];
        if (!qemu_str_eq(c->target_type, "virtio"))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "channel target type '%s' is not supported (only virtio is)",
                                    c->target_type ? c->target_type : "");
        if (!c->target_name || !c->target_name[0] || strchr(c->target_name, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_QEMU,
                                    "a virtio channel needs a target name without '/'");
        const DomainDevices *d = &def->priv->devices;
        for (size_t i = 0; i < d->n_channels; i++)
                if (qemu_str_eq(d->channels[i].target_name, c->target_name))
                        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                            "a channel with target name '%s' exists already", c->target_name);
        return 0;
}

/* Where QEMU listens (or connects): <source path>, else the daemon's per-domain name. */
static char *socket_path(Domain *d, const DomainChr *c) {
        return c->source_path ? strdup(c->source_path)
                              : qemu_channel_default_path(d->obj.conn->state_dir, d->obj.name, c->target_name);
}

/* STEP_GETFD only for a QEMU running as another user: the daemon's socket passed to it. */
typedef enum { STEP_QUERY_PCI, STEP_CONTROLLER, STEP_GETFD, STEP_CHARDEV, STEP_PORT } ChanStep;

typedef struct ChanAttach {
        QemuDomain *qd;
        DomainDevices *dev;
        ChanStep step;
        char id[QEMU_ID_MAX], chardev[QEMU_ID_MAX + 4], bus[32];
        char *path;
        int fd;                 /* the socket the daemon bound at path, until getfd passed it */
        bool bound;             /* the daemon bound path: removed again when the attach fails */
        char fdname[QEMU_ID_MAX + 8];   /* QEMU's name of it after getfd; "" without */
} ChanAttach;

static void attach_free(ChanAttach *a) {
        domain_device_free(a->dev);
        if (a->fd >= 0)
                close(a->fd);
        free(a->path);
        free(a);
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata);

static int attach_send(ChanAttach *a, Qmp *q) {
        const DomainChr *c = &a->dev->channels[0];
        if (a->step == STEP_QUERY_PCI)
                return qmp_send(q, "query-pci", NULL, on_attach, a);
        json_object *args = json_object_new_object();
        if (!args)
                return -ENOMEM;
        if (a->step == STEP_CONTROLLER) {
                json_object_object_add(args, "driver", json_object_new_string("virtio-serial-pci"));
                json_object_object_add(args, "id", json_object_new_string("virtio-serial0"));
                if (a->bus[0]) {
                        json_object_object_add(args, "bus", json_object_new_string(a->bus));
                        json_object_object_add(args, "addr", json_object_new_string("0x0"));
                }
                return qmp_send(q, "device_add", args, on_attach, a);
        }
        if (a->step == STEP_GETFD) {
                json_object_object_add(args, "fdname", json_object_new_string(a->fdname));
                int fd = a->fd;
                a->fd = -1;
                return qmp_send_fd(q, "getfd", args, fd, on_attach, a);
        }
        if (a->step == STEP_CHARDEV) {
                json_object *addr = json_object_new_object(), *unix_ = json_object_new_object();
                json_object *data = json_object_new_object(), *backend = json_object_new_object();
                /* QEMU 7.2's SocketAddressLegacy: {"type": "fd", "data": {"str": NAME}} */
                json_object_object_add(unix_, a->fdname[0] ? "str" : "path",
                                       json_object_new_string(a->fdname[0] ? a->fdname : a->path));
                json_object_object_add(addr, "type", json_object_new_string(a->fdname[0] ? "fd" : "unix"));
                json_object_object_add(addr, "data", unix_);
                json_object_object_add(data, "addr", addr);
                bool server = !qemu_str_eq(c->source_mode, "connect");
                json_object_object_add(data, "server", json_object_new_boolean(server));
                if (server)
                        json_object_object_add(data, "wait", json_object_new_boolean(false));
                json_object_object_add(backend, "type", json_object_new_string("socket"));
                json_object_object_add(backend, "data", data);
                json_object_object_add(args, "id", json_object_new_string(a->chardev));
                json_object_object_add(args, "backend", backend);
                return qmp_send(q, "chardev-add", args, on_attach, a);
        }
        json_object_object_add(args, "driver", json_object_new_string("virtserialport"));
        json_object_object_add(args, "bus", json_object_new_string("virtio-serial0.0"));
        json_object_object_add(args, "chardev", json_object_new_string(a->chardev));
        json_object_object_add(args, "id", json_object_new_string(a->id));
        json_object_object_add(args, "name", json_object_new_string(c->target_name));
        return qmp_send(q, "device_add", args, on_attach, a);
}

static void on_undo(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        (void) q, (void) ret;
        if (cls)
                log_warning("QMP %s: %s", (const char *) userdata, desc ? desc : cls);
}

/* An undo whose answer is only logged: command {key: value}. */
static void undo(Qmp *q, const char *command, const char *key, const char *value) {
        json_object *o = json_object_new_object();
        if (!o)
                return;
        json_object_object_add(o, key, json_object_new_string(value));
        qmp_send(q, command, o, on_undo, (void *) command);
}

static void chardev_remove(Qmp *q, const char *chardev) {
        undo(q, "chardev-remove", "id", chardev);
}

/* The controller QEMU now has joins d->live, so that the next channel finds it. */
static int add_controller(Domain *d) {
        static const char xml[] = "<controller type='virtio-serial' index='0'/>";
        VbError e = { 0 };
        DomainDevices *dev = domain_device_parse(xml, sizeof xml - 1, NULL, &e);
        vb_error_clear(&e);
        int r = dev ? domain_devices_move(&d->live->priv->devices, dev, "controller", 0) : -ENOMEM;
        domain_device_free(dev);
        return r;
}

static int commit(Domain *d, ChanAttach *a, VbError *e) {
        DomainChr *c = &a->dev->channels[0];
        char *alias = strdup(a->id);
        if (!alias || domain_devices_move(&d->live->priv->devices, a->dev, "channel", 0) < 0) {
                free(alias);
                return vb_error_errno(e, -ENOMEM, "attach");
        }
        DomainDevices *live = &d->live->priv->devices;
        c = &live->channels[live->n_channels - 1];
        free(c->alias);
        c->alias = alias;
        log_info("domain %s: channel %s attached as %s", d->obj.name, c->target_name, a->id);
        qemu_hotplug_added(d, a->id);
        if (qemu_str_eq(c->target_name, AGENT_CHANNEL) && qemu_str_eq(c->type, "unix"))
                qemu_agent_running(a->qd);
        return 0;
}

static void on_attach(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ChanAttach *a = userdata;
        QemuDomain *qd = a->qd;
        if (q != qd->qmp || !qd->job) {
                if (a->bound)
                        unlink(a->path);
                attach_free(a);
                return;
        }
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        int r = -1;
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot attach channel %s: %s",
                             a->dev->channels[0].target_name, desc ? desc : cls);
                if (a->step == STEP_PORT)
                        chardev_remove(q, a->chardev);
                if (a->step == STEP_CHARDEV && a->fdname[0])
                        undo(q, "closefd", "fdname", a->fdname);     /* getfd's, no chardev took it */
        } else if (a->step == STEP_QUERY_PCI && !qemu_hotplug_free_root_port(ret, a->bus, sizeof a->bus)) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                             "cannot attach channel %s: no free pcie-root-port for its virtio-serial controller",
                             a->dev->channels[0].target_name);
        } else if (a->step == STEP_CONTROLLER && add_controller(d) < 0) {
                vb_error_errno(&e, -ENOMEM, "attach");
        } else if (a->step == STEP_PORT) {
                r = commit(d, a, &e);
        } else {
                a->step++;
                if (a->step == STEP_GETFD && a->fd < 0)
                        a->step++;
                int s = attach_send(a, q);
                if (s == 0) {
                        domain_unref(d);
                        return;
                }
                vb_error_errno(&e, s, "attach");
        }
        if (r < 0 && a->bound)
                unlink(a->path);
        qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
        attach_free(a);
        domain_unref(d);
}

/* libvirt's choice: one more than the highest channelN the guest has. */
static void new_id(const DomainDef *live, char *buf, size_t len) {
        unsigned long next = 0;
        for (size_t i = 0; i < live->priv->devices.n_channels; i++) {
                char id[QEMU_ID_MAX], *end;
                qemu_chan_id(live, i, id, sizeof id);
                unsigned long v = strncmp(id, "channel", 7) == 0 ? strtoul(id + 7, &end, 10) : 0;
                if (strncmp(id, "channel", 7) == 0 && !*end && v >= next)
                        next = v + 1;
        }
        snprintf(buf, len, "channel%lu", next);
}

int qemu_chan_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        const DomainChr *c = &dev->channels[0];
        ChanAttach *a = NULL;
        int r;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp)) {
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                 "the QEMU monitor of domain '%s' is not available", d->obj.name);
                goto fail;
        }
        if (!qemu_str_eq(c->type, "unix")) {
                r = vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                 "channel type '%s' cannot be hot plugged (only unix can)", c->type ? c->type : "");
                goto fail;
        }
        if (!(a = calloc(1, sizeof *a)) || !(a->path = socket_path(d, c))) {
                r = vb_error_errno(err, -ENOMEM, "attach");
                goto fail;
        }
        a->fd = -1;
        a->qd = qd;
        a->dev = dev;
        /* a user's ua- alias is QEMU's id, as at start (and libvirt's), so the live XML keeps
         * it and detach-device-alias finds it; else libvirt's next channelN */
        if (qemu_alias_is_user(c->alias) && qemu_alias_usable(c->alias, sizeof a->id))
                snprintf(a->id, sizeof a->id, "%s", c->alias);
        else
                new_id(d->live, a->id, sizeof a->id);
        snprintf(a->chardev, sizeof a->chardev, "char%s", a->id);
        /* A QEMU running as another user cannot create the socket in the daemon's state
         * directory: the daemon binds it and passes it (getfd), as at start. */
        if (!c->source_path && !qemu_str_eq(c->source_mode, "connect") && qemu_security_confined(qd->qc)) {
                if ((a->fd = qemu_channel_bind(a->path, err)) < 0) {
                        r = -1;
                        goto fail;
                }
                a->bound = true;
                snprintf(a->fdname, sizeof a->fdname, "fd-%s", a->chardev);
        }
        const char *machine = d->live->priv->os.machine;
        bool q35 = machine && (strcmp(machine, "q35") == 0 || strncmp(machine, "pc-q35-", 7) == 0);
        a->step = qemu_ctrl_index_used(d->live, "virtio-serial", 0) ? (a->fd >= 0 ? STEP_GETFD : STEP_CHARDEV)
                : q35 ? STEP_QUERY_PCI : STEP_CONTROLLER;
        if ((r = attach_send(a, qd->qmp)) < 0) {
                if (a->bound)
                        unlink(a->path);
                a->dev = NULL;
                attach_free(a);
                domain_device_free(dev);
                return vb_error_errno(err, r, "attach");
        }
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
fail:
        if (a)
                attach_free(a);
        else
                domain_device_free(dev);
        return r;
}

static bool peripheral_has(json_object *list, const char *id) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *e = json_object_array_get_idx(list, i), *name;
                if (json_object_object_get_ex(e, "name", &name) && qemu_str_eq(json_object_get_string(name), id))
                        return true;
        }
        return false;
}

static bool alias_taken(const DomainDevices *devs, const char *id) {
        for (size_t i = 0; i < devs->n_channels; i++)
                if (qemu_str_eq(devs->channels[i].alias, id))
                        return true;
        return false;
}

/* [{"name": "channel0", "type": "child<virtserialport>"}, …]: the devices QEMU has by id. */
static void on_peripherals(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        Domain *d = qd->domain;
        if (q != qd->qmp || !d || !d->live)
                return;
        if (cls || !json_object_is_type(ret, json_type_array)) {
                log_warning("domain %s: qom-list of its devices failed: %s", d->obj.name, desc ? desc : cls ? cls : "");
                return;
        }
        DomainDevices *devs = &d->live->priv->devices;
        bool changed = false;
        for (size_t i = 0; i < devs->n_channels; i++) {
                DomainChr *c = &devs->channels[i];
                char id[QEMU_ID_MAX];
                snprintf(id, sizeof id, "channel%zu", i);
                if (!qemu_alias_is_user(c->alias) || peripheral_has(ret, c->alias) || !peripheral_has(ret, id) ||
                    alias_taken(devs, id))
                        continue;
                char *s = strdup(id);
                if (!s)
                        continue;
                log_warning("domain %s: channel %s is QEMU's %s (an older virtbusd started it), not %s", d->obj.name,
                            c->target_name ? c->target_name : "", id, c->alias);
                free(c->alias);
                c->alias = s;
                changed = true;
        }
        VbError e = { 0 };
        if (changed && domain_save_status(d, &e) < 0)
                log_warning("domain %s: status not saved: %s", d->obj.name, e.message);
        vb_error_clear(&e);
}

void qemu_chan_reconnected(QemuDomain *qd, Qmp *q) {
        const DomainDef *live = qd->domain ? qd->domain->live : NULL;
        bool user = false;
        for (size_t i = 0; live && live->priv && i < live->priv->devices.n_channels; i++)
                user = user || qemu_alias_is_user(live->priv->devices.channels[i].alias);
        json_object *args = user ? json_object_new_object() : NULL;
        if (!args)
                return;
        json_object_object_add(args, "path", json_object_new_string("/machine/peripheral"));
        if (qmp_send(q, "qom-list", args, on_peripherals, qd) < 0)
                log_warning("domain %s: cannot ask QEMU for its devices", qd->domain->obj.name);
}

/* The guest let the port go: its chardev, the socket the daemon named, its place in d->live. */
static void chan_removed(QemuDomain *qd, const char *alias, const char *target) {
        (void) target;
        Domain *d = qd->domain;
        if (!d->live)
                return;
        DomainDevices *devs = &d->live->priv->devices;
        for (size_t i = 0; i < devs->n_channels; i++) {
                const DomainChr *c = &devs->channels[i];
                if (!c->alias || strcmp(c->alias, alias) != 0)
                        continue;
                char chardev[QEMU_ID_MAX + 4];
                snprintf(chardev, sizeof chardev, "char%s", alias);
                if (qd->qmp)
                        chardev_remove(qd->qmp, chardev);
                if (qemu_str_eq(c->target_name, AGENT_CHANNEL))
                        qemu_agent_release(qd);
                if (qemu_str_eq(c->type, "unix") && !c->source_path) {
                        char *path = socket_path(d, c);
                        if (path && unlink(path) < 0 && errno != ENOENT)
                                log_warning("domain %s: cannot remove %s: %s", d->obj.name, path, strerror(errno));
                        free(path);
                }
                domain_devices_remove(devs, "channel", i);
                return;
        }
}

int qemu_chan_detach(Domain *d, size_t index, Call *call, VbError *err) {
        DomainDevices *devs = &d->live->priv->devices;
        if (!qemu_str_eq(devs->channels[index].target_type, "virtio"))
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                                    "only virtio channels can be hot unplugged");
        /* every channel keeps its QEMU id as its alias, so that indexes may shift (a user's ua-
         * alias is that id already) */
        for (size_t i = 0; i < devs->n_channels; i++) {
                char id[QEMU_ID_MAX];
                qemu_chan_id(d->live, i, id, sizeof id);
                if (!devs->channels[i].alias) {
                        char *c = strdup(id);
                        if (!c)
                                return vb_error_errno(err, -ENOMEM, "detach");
                        free(devs->channels[i].alias);
                        devs->channels[i].alias = c;
                }
        }
        char alias[64];
        snprintf(alias, sizeof alias, "%s", devs->channels[index].alias);
        return qemu_unplug_begin(d->driver_data, alias, "channel", devs->channels[index].target_name, chan_removed,
                                 call, err);
}
