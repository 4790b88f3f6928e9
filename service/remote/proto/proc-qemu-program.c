/* proc-qemu-program.c: libvirt's QEMU program (0x20008087, libvirt-qemu's virDomainQemuMonitorCommand and virDomainQemuAgentCommand) on the remote door: the same gates as the remote program, then core domain-agent.c. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-agent.h"
#include "domain.h"


/* qemu_protocol.x's procedures */
enum {
        QEMU_PROC_DOMAIN_MONITOR_COMMAND = 1,
        QEMU_PROC_DOMAIN_ATTACH = 2,
        QEMU_PROC_DOMAIN_AGENT_COMMAND = 3,
        QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER = 4,
        QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER = 5,
        QEMU_PROC_DOMAIN_MONITOR_EVENT = 6,
        QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES = 7,
};

static const char *const qemu_api[] = {
        [QEMU_PROC_DOMAIN_MONITOR_COMMAND] = "virDomainQemuMonitorCommand",
        [QEMU_PROC_DOMAIN_ATTACH] = "virDomainQemuAttach",
        [QEMU_PROC_DOMAIN_AGENT_COMMAND] = "virDomainQemuAgentCommand",
        [QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER] = "virConnectDomainQemuMonitorEventRegister",
        [QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER] = "virConnectDomainQemuMonitorEventDeregister",
        [QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES] = "virDomainQemuMonitorCommandWithFiles",
};

/* {remote_nonnull_string result} */
static int encode_result(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_string(w, result ? result : "") < 0 ? -1 : 0;
}

/* {remote_string result} */
static int encode_opt_result(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        return xdr_put_opt_string(w, result) < 0 ? -1 : 0;
}

/* 1: {dom; remote_nonnull_string cmd; int flags}; 7: {dom; cmd; u32 flags} (no descriptors
 * here: the call came without any) → {remote_nonnull_string result} */
static int monitor_command(RemoteCall *rc) {
        char *cmd = NULL;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &cmd, &flags);
        Call *call = d ? remote_call_new(rc, encode_result, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_monitor_command(d, cmd, flags, call, &rc->err)) : -1;
        free(cmd);
        return r;
}

/* 3: {dom; remote_nonnull_string cmd; int timeout; u32 flags} → {remote_string result} */
static int agent_command(RemoteCall *rc) {
        RemoteRef ref = { 0 };
        char *cmd = NULL;
        size_t len;
        int32_t timeout = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &cmd, &len);
        xdr_get_i32(&rc->args, &timeout);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, encode_opt_result, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_agent_command(d, cmd, timeout, flags, call, &rc->err)) : -1;
        free(cmd);
        return r;
}

int remote_dispatch_qemu(RemoteCall *rc) {
        RemoteClient *c = rc->client;
        const PacketHeader *h = &rc->hdr;
        int proc = (int) h->proc;
        const char *api = proc > 0 && proc < (int) (sizeof qemu_api / sizeof qemu_api[0]) ? qemu_api[proc] : NULL;
        if (!api)
                return remote_error_rpc(&rc->err, "unknown procedure: %d", proc);
        if (!c->authenticated)
                return remote_error_rpc(&rc->err, "authentication required");
        if (!c->conn)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "hypervisor connection not open");
        /* Every QEMU procedure can change the guest (libvirt's ACL: domain write). */
        if (c->readonly)
                return vb_error_set(&rc->err, VB_ERR_OPERATION_DENIED, VB_FROM_DOMAIN, "read only access prevents %s",
                                    api);
        switch (proc) {
        case QEMU_PROC_DOMAIN_MONITOR_COMMAND:
        case QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES:
                return monitor_command(rc);
        case QEMU_PROC_DOMAIN_AGENT_COMMAND:
                return agent_command(rc);
        default:
                return vb_error_set(&rc->err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
        }
}
