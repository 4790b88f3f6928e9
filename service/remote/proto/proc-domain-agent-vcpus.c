/* proc-domain-agent-vcpus.c: the remote procedures of the guest agent's vCPUs (371, 372) and a guest user's authorized SSH keys (424, 425): decode → core domain-agent.c → encode when the agent has answered. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-agent.h"
#include "domain.h"

/* {dom; u32 flags} → {remote_typed_param params<64>} */
REMOTE_HANDLER(proc_domain_get_guest_vcpus) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        Call *call = d ? remote_call_new(rc, remote_encode_agent_params, d) : NULL;
        return call ? remote_call_finish(rc, call, domain_get_guest_vcpus(d, flags, call, &rc->err)) : -1;
}

/* {dom; remote_nonnull_string cpumap; int state; u32 flags} → void */
REMOTE_HANDLER(proc_domain_set_guest_vcpus) {
        RemoteRef ref = { 0 };
        char *cpumap = NULL;
        size_t len = 0;
        int32_t state = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &cpumap, &len);
        xdr_get_i32(&rc->args, &state);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_set_guest_vcpus(d, cpumap, state, flags, call, &rc->err))
                     : -1;
        free(cpumap);
        return r;
}

/* {remote_nonnull_string keys<2048>} */
static int encode_keys(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const DomainAgentStrings *l = result;
        size_t n = l ? l->n : 0;
        xdr_put_u32(w, (uint32_t) n);
        for (size_t i = 0; i < n; i++)
                xdr_put_string(w, l->v[i]);
        return 0;
}

/* {dom; remote_nonnull_string user; u32 flags} → the above */
REMOTE_HANDLER(proc_domain_authorized_ssh_keys_get) {
        char *user = NULL;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &user, &flags);
        Call *call = d ? remote_call_new(rc, encode_keys, d) : NULL;
        int r = call ? remote_call_finish(rc, call, domain_authorized_ssh_keys_get(d, user, flags, call, &rc->err))
                     : -1;
        free(user);
        return r;
}

/* {dom; remote_nonnull_string user; remote_nonnull_string keys<2048>; u32 flags} → void */
REMOTE_HANDLER(proc_domain_authorized_ssh_keys_set) {
        RemoteRef ref = { 0 };
        char *user = NULL, **keys = NULL;
        size_t len = 0;
        uint32_t n = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &user, &len);
        if (xdr_get_array_len(&rc->args, DOMAIN_SSH_KEYS_MAX, 4, &n) == 0 && n)
                keys = calloc(n, sizeof *keys);
        for (uint32_t i = 0; keys && i < n; i++)
                xdr_get_string(&rc->args, REMOTE_STRING_MAX, &keys[i], &len);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = (n && !keys) || remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = -1;
        if (call) {
                r = domain_authorized_ssh_keys_set(d, user, (const char *const *) keys, n, flags, call, &rc->err);
                r = remote_call_finish(rc, call, r);
        }
        for (uint32_t i = 0; keys && i < n; i++)
                free(keys[i]);
        free(keys);
        free(user);
        return r;
}
