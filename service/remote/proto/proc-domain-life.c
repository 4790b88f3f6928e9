/* proc-domain-life.c: domain lifecycle procedures, which a driver may finish later: the reply goes out from the call's completion. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "domain.h"

/* The reply {remote_nonnull_domain dom} of create_with_flags and create_xml, written when the
 * verb is done, so the id is the one the domain runs with. */
static int reply_domain(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        Domain *d = result ? (Domain *) result : dom;
        if (!d || d->removed)   /* a transient guest that stopped at once */
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, NULL);
        remote_put_domain(w, d);
        return 0;
}

/* {dom} or {dom; u32 flags}: the verb of the API row of this procedure. */
static int lifecycle(RemoteCall *rc, ApiId api, bool with_flags, RemoteReplyFn encode) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, with_flags ? &flags : NULL);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, encode, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_lifecycle(d, api, flags, call, &rc->err));
}

REMOTE_HANDLER(proc_domain_create) {
        return lifecycle(rc, API_DOMAIN_CREATE, false, NULL);
}

REMOTE_HANDLER(proc_domain_create_with_flags) {
        return lifecycle(rc, API_DOMAIN_CREATE_WITH_FLAGS, true, reply_domain);
}

/* {dom; u32 flags} → {dom}, with descriptors for the guest (CALL_WITH_FDS), which the
 * dispatcher closes after: no driver keeps them (domain-files.c). */
REMOTE_HANDLER(proc_domain_create_with_files) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, reply_domain, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_create_with_files(d, rc->n_fds, flags, call, &rc->err));
}

REMOTE_HANDLER(proc_domain_destroy) {
        return lifecycle(rc, API_DOMAIN_DESTROY, false, NULL);
}

REMOTE_HANDLER(proc_domain_destroy_flags) {
        return lifecycle(rc, API_DOMAIN_DESTROY_FLAGS, true, NULL);
}

REMOTE_HANDLER(proc_domain_shutdown) {
        return lifecycle(rc, API_DOMAIN_SHUTDOWN, false, NULL);
}

REMOTE_HANDLER(proc_domain_shutdown_flags) {
        return lifecycle(rc, API_DOMAIN_SHUTDOWN_FLAGS, true, NULL);
}

REMOTE_HANDLER(proc_domain_reboot) {
        return lifecycle(rc, API_DOMAIN_REBOOT, true, NULL);
}

REMOTE_HANDLER(proc_domain_reset) {
        return lifecycle(rc, API_DOMAIN_RESET, true, NULL);
}

REMOTE_HANDLER(proc_domain_suspend) {
        return lifecycle(rc, API_DOMAIN_SUSPEND, false, NULL);
}

REMOTE_HANDLER(proc_domain_resume) {
        return lifecycle(rc, API_DOMAIN_RESUME, false, NULL);
}

/* {string xml_desc; u32 flags} → {dom}: the domain exists once the verb returns, running or
 * on its way; a completion that comes later answers with it. */
/* create_xml and create_xml_with_files: {string xml; u32 flags} → {dom} */
static int create_xml(RemoteCall *rc, bool with_files) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags;
        Domain *d = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0) {
                free(xml);
                return -1;
        }
        Call *call = remote_call_new(rc, reply_domain, NULL);
        if (!call) {
                free(xml);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        int r = with_files ? domain_create_xml_with_files(rc->client->conn, xml, len, rc->n_fds, flags, call, &d,
                                                          &rc->err)
                           : domain_create_xml(rc->client->conn, xml, len, flags, call, &d, &rc->err);
        free(xml);
        if (r >= 0 && d)
                remote_call_set_domain(call, d);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_domain_create_xml) {
        return create_xml(rc, false);
}

REMOTE_HANDLER(proc_domain_create_xml_with_files) {
        return create_xml(rc, true);
}

/* {dom; uhyper memory (KiB)} and {dom; uhyper memory; u32 flags}: the QEMU balloon answers
 * later. virDomainSetMemory is SetMemoryFlags(AFFECT_LIVE) in libvirt's drivers. */
static int set_memory(RemoteCall *rc, bool with_flags) {
        RemoteRef ref = { 0 };
        uint64_t kib = 0;
        uint32_t flags = DOMAIN_AFFECT_LIVE;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u64(&rc->args, &kib);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) < 0)
                return -1;
        Domain *d = remote_find_domain(rc, &ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_set_memory(d, kib, flags, call, &rc->err));
}

REMOTE_HANDLER(proc_domain_set_memory) {
        return set_memory(rc, false);
}

REMOTE_HANDLER(proc_domain_set_memory_flags) {
        return set_memory(rc, true);
}
