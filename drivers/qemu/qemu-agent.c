/* qemu-agent.c: a running domain's guest agent: the org.qemu.guest_agent.0 channel's socket, whether the guest has the port open (VSERPORT_CHANGE, query-chardev), the lifecycle events, and one command at a time with libvirt's texts when the agent is not there. */
#define LOG_MODULE "qemu.agent"
#include "qemu-agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-agent.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"

#define QEMU_AGENT_CHANNEL "org.qemu.guest_agent.0"

struct QemuAgentState {
        Agent *agent;
        size_t channel;         /* the channel's index (its QEMU id: agent_port_id) */
        bool connected;         /* the guest has the port open */
        int timeout;            /* libvirt's seconds (DOMAIN_AGENT_TIMEOUT_*) */
};

/* The index of def's guest agent channel, or -1. */
static long agent_channel(const DomainDef *def) {
        const DomainDevices *dev = def && def->priv ? &def->priv->devices : NULL;
        for (size_t i = 0; dev && i < dev->n_channels; i++)
                if (dev->channels[i].target_name && strcmp(dev->channels[i].target_name, QEMU_AGENT_CHANNEL) == 0 &&
                    dev->channels[i].type && strcmp(dev->channels[i].type, "unix") == 0)
                        return (long) i;
        return -1;
}

/* Where QEMU listens for the channel: its <source path>, or what the argv builder gave it. */
static char *agent_socket_path(Domain *d, size_t i) {
        const DomainChr *chr = &domain_current_def(d)->priv->devices.channels[i];
        if (chr->source_path)
                return strdup(chr->source_path);
        return qemu_channel_default_path(d->obj.conn->state_dir, d->obj.name, chr->target_name);
}

/* QEMU's id of the agent's port (qemu-alias.c's); the chardev is "char" + that. */
static void agent_port_id(QemuDomain *qd, char *buf, size_t len) {
        const DomainDef *def = domain_current_def(qd->domain);
        size_t i = qd->agent->channel;
        const char *a = def && def->priv && i < def->priv->devices.n_channels ? def->priv->devices.channels[i].alias
                                                                             : NULL;
        qemu_device_id(a, QEMU_ID_CHANNEL, i, buf, len);
}

static void agent_set_connected(QemuDomain *qd, bool connected, int reason) {
        QemuAgentState *st = qd->agent;
        if (!st || st->connected == connected)
                return;
        st->connected = connected;
        log_info("domain %s: guest agent %s", qd->domain->obj.name, connected ? "connected" : "disconnected");
        if (!connected && st->agent)
                agent_reset(st->agent);         /* what was asked will not be answered */
        domain_notify_agent(qd->domain, connected ? DOMAIN_AGENT_STATE_CONNECTED : DOMAIN_AGENT_STATE_DISCONNECTED,
                            reason);
}

static void on_agent_closed(Agent *a, int reason, void *userdata) {
        QemuDomain *qd = userdata;
        QemuAgentState *st = qd->agent;
        if (!st || st->agent != a)
                return;
        log_debug("domain %s: guest agent socket closed (%s)", qd->domain->obj.name,
                  reason ? strerror(-reason) : "end of file");
        st->agent = agent_close(a);
        agent_set_connected(qd, false, DOMAIN_AGENT_REASON_CHANNEL);
}

static int agent_connect(QemuDomain *qd) {
        QemuAgentState *st = qd->agent;
        if (st->agent || !qd->qc)
                return 0;
        char *path = agent_socket_path(qd->domain, st->channel);
        if (!path)
                return -ENOMEM;
        int r = agent_open(qd->qc->event, path, on_agent_closed, qd, &st->agent);
        if (r < 0)
                log_warning("domain %s: cannot connect to the guest agent socket %s: %s", qd->domain->obj.name, path,
                            strerror(-r));
        free(path);
        return r;
}

/* query-chardev: is the guest's end of the channel open already (a daemon restart, a start
 * that raced the guest)? */
static void on_chardevs(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (cls || !qd->agent || q != qd->qmp || !json_object_is_type(ret, json_type_array))
                return;
        char id[QEMU_ID_MAX], label[QEMU_ID_MAX + 4];
        agent_port_id(qd, id, sizeof id);
        snprintf(label, sizeof label, "char%s", id);
        for (size_t i = 0; i < json_object_array_length(ret); i++) {
                json_object *c = json_object_array_get_idx(ret, i), *l, *open;
                if (json_object_object_get_ex(c, "label", &l) && strcmp(json_object_get_string(l), label) == 0 &&
                    json_object_object_get_ex(c, "frontend-open", &open) && json_object_get_boolean(open))
                        agent_set_connected(qd, true, DOMAIN_AGENT_REASON_CHANNEL);
        }
}

void qemu_agent_running(QemuDomain *qd) {
        long ch = agent_channel(domain_current_def(qd->domain));
        if (ch < 0)
                return;
        if (!qd->agent) {
                qd->agent = calloc(1, sizeof *qd->agent);
                if (!qd->agent) {
                        log_error("domain %s: out of memory: no guest agent", qd->domain->obj.name);
                        return;
                }
                qd->agent->timeout = DOMAIN_AGENT_TIMEOUT_DEFAULT;
        }
        qd->agent->channel = (size_t) ch;
        if (agent_connect(qd) == 0 && qd->qmp)
                qmp_send(qd->qmp, "query-chardev", NULL, on_chardevs, qd);
}

void qemu_agent_qmp_event(QemuDomain *qd, const char *event, json_object *data) {
        if (strcmp(event, "VSERPORT_CHANGE") != 0 || !qd->agent || !data)
                return;
        json_object *id, *open;
        char want[QEMU_ID_MAX];
        agent_port_id(qd, want, sizeof want);
        if (!json_object_object_get_ex(data, "id", &id) || strcmp(json_object_get_string(id), want) != 0 ||
            !json_object_object_get_ex(data, "open", &open))
                return;
        bool up = json_object_get_boolean(open);
        if (up && !qd->agent->agent)
                agent_connect(qd);
        agent_set_connected(qd, up, DOMAIN_AGENT_REASON_CHANNEL);
}

void qemu_agent_release(QemuDomain *qd) {
        QemuAgentState *st = qd->agent;
        if (!st)
                return;
        qd->agent = NULL;
        st->agent = agent_close(st->agent);
        free(st);
}

int qemu_agent_available(QemuDomain *qd, VbError *err) {
        /* a paused guest cannot answer: libvirt asks for a running one */
        if (!qd || qd->phase == QEMU_PHASE_NONE || qd->domain->state != DOMAIN_RUNNING)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
        if (agent_channel(domain_current_def(qd->domain)) < 0)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_QEMU,
                                    "QEMU guest agent is not configured");
        if (!qd->agent || !qd->agent->agent || !qd->agent->connected)
                return vb_error_set(err, VB_ERR_AGENT_UNRESPONSIVE, VB_FROM_QEMU, "QEMU guest agent is not connected");
        return 0;
}

bool qemu_agent_connected(const QemuDomain *qd) {
        return qd && qd->agent && qd->agent->agent && qd->agent->connected;
}

int qemu_agent_timeout(const QemuDomain *qd) {
        return qd && qd->agent ? qd->agent->timeout : DOMAIN_AGENT_TIMEOUT_DEFAULT;
}

int qemu_agent_set_timeout(QemuDomain *qd, int timeout) {
        if (!qd || !qd->agent)
                return -ENOENT;
        qd->agent->timeout = timeout;
        return 0;
}

int qemu_agent_send(QemuDomain *qd, json_object *cmd, int timeout, unsigned flags, AgentReplyFn fn, void *userdata,
                    VbError *err) {
        if (qemu_agent_available(qd, err) < 0) {
                json_object_put(cmd);
                return -1;
        }
        if (timeout == DOMAIN_AGENT_TIMEOUT_DEFAULT)
                timeout = qd->agent->timeout;
        if (timeout == DOMAIN_AGENT_TIMEOUT_DEFAULT)
                timeout = DOMAIN_AGENT_DEFAULT_SECONDS;
        /* NOWAIT: libvirt gives the agent no time at all; a moment is as close as a round trip gets */
        uint64_t usec = timeout == DOMAIN_AGENT_TIMEOUT_BLOCK ? 0
                        : timeout == 0 ? 1000 : (uint64_t) timeout * 1000000ULL;
        int r = agent_send(qd->agent->agent, cmd, usec, flags, fn, userdata);
        if (r == -EBUSY)
                return vb_error_set(err, VB_ERR_AGENT_UNRESPONSIVE, VB_FROM_QEMU,
                                    "too many commands wait for the guest agent");
        if (r < 0)
                return vb_error_set(err, VB_ERR_AGENT_UNRESPONSIVE, VB_FROM_QEMU, "QEMU guest agent is not connected");
        return 0;
}

void qemu_agent_abandon(QemuDomain *qd) {
        if (qd->agent && qd->agent->agent)
                agent_reset(qd->agent->agent);
}

void qemu_agent_error(VbError *err, const char *what, const char *cls, const char *desc) {
        if (strcmp(cls, "Timeout") == 0)
                vb_error_set(err, VB_ERR_AGENT_UNRESPONSIVE, VB_FROM_QEMU, "Guest agent not available for now");
        else if (strcmp(cls, "Disconnected") == 0)
                vb_error_set(err, VB_ERR_AGENT_UNRESPONSIVE, VB_FROM_QEMU,
                             "Guest agent disappeared while executing command");
        else
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "unable to execute QEMU agent command '%s': %s",
                             what, desc ? desc : cls);
}
