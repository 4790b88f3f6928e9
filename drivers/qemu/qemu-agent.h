/* qemu-agent.h: a running domain's guest agent (qemu-agent.c) and the DomainAgentOps built on it (qemu-agent-ops.c). */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

#include "agent-client.h"
#include "domain-agent.h"
#include "qemu-priv.h"

/* Called by qemu-domain.c: the QEMU runs (connect to the channel's socket, ask whether the
 * guest has the port open), a QMP event (VSERPORT_CHANGE), QEMU is gone or let go. */
void qemu_agent_running(QemuDomain *qd);
void qemu_agent_qmp_event(QemuDomain *qd, const char *event, json_object *data);
void qemu_agent_release(QemuDomain *qd);

/* libvirt's checks before an agent call: 0, or -1 with its text ("QEMU guest agent is not
 * configured" / "is not connected"). */
int qemu_agent_available(QemuDomain *qd, VbError *err);
bool qemu_agent_connected(const QemuDomain *qd);
int qemu_agent_timeout(const QemuDomain *qd);
int qemu_agent_set_timeout(QemuDomain *qd, int timeout);

/* Send cmd (taken) with timeout in libvirt's seconds (DEFAULT: the domain's). 0 (fn is called
 * later), or -1 with err. */
int qemu_agent_send(QemuDomain *qd, json_object *cmd, int timeout, unsigned flags, AgentReplyFn fn, void *userdata,
                    VbError *err);
/* The command in flight will never be answered (the guest went to sleep on it): it and those
 * queued behind fail with "Disconnected" now rather than at their timeouts. */
void qemu_agent_abandon(QemuDomain *qd);
/* An agent answer's failure (class/desc from AgentReplyFn) as libvirt reports it. */
void qemu_agent_error(VbError *err, const char *what, const char *cls, const char *desc);

/* The agent's share of the shutdown/reboot ops: the guest powers off or reboots itself. */
int qemu_agent_shutdown(Domain *d, bool reboot, Call *call, VbError *err);

/* qemu-agent-info.c: DomainAgentOps.guest_info. */
int qemu_agent_guest_info(Domain *d, unsigned types, Call *call, VbError *err);

/* qemu-agent-vcpus.c: the guest's vCPUs and a guest user's authorized SSH keys. */
int qemu_agent_get_guest_vcpus(Domain *d, Call *call, VbError *err);
int qemu_agent_set_guest_vcpus(Domain *d, const uint8_t *map, size_t maplen, bool online, Call *call, VbError *err);
int qemu_agent_ssh_keys_get(Domain *d, const char *user, Call *call, VbError *err);
int qemu_agent_ssh_keys_set(Domain *d, const char *user, const char *const *keys, size_t n, unsigned flags,
                            Call *call, VbError *err);

extern const DomainAgentOps qemu_agent_ops;
