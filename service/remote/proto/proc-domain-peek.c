/* proc-domain-peek.c: the remote procedures that read a domain's disks and memory raw (domain_block_peek, domain_memory_peek) and drive its guest's power management (domain_pm_wakeup, domain_pm_suspend_for_duration): decode → core domain-peek.c → encode. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-peek.h"

/* opaque buffer<REMOTE_DOMAIN_{BLOCK,MEMORY}_PEEK_BUFFER_MAX> */
static void put_buffer(XdrWriter *w, const uint8_t *buf, size_t len) {
        xdr_put_u32(w, (uint32_t) len);
        if (len)
                xdr_put_fixed(w, buf, len);
}

/* A completion's bytes; an answer given at once (result NULL) has been written by the handler. */
static int encode_peek(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        const DomainPeekResult *res = result;
        if (res)
                put_buffer(w, res->buf, res->len);
        return 0;
}

/* libvirt's daemon refuses a size its client would not have sent, before anything else. */
static int check_size(RemoteCall *rc, uint32_t size) {
        return size > DOMAIN_PEEK_BUFFER_MAX ? remote_error_rpc(&rc->err, "size > maximum buffer size") : 0;
}

/* {dom; remote_nonnull_string path; u64 offset; u32 size; u32 flags} → {opaque buffer<>} */
REMOTE_HANDLER(proc_domain_block_peek) {
        RemoteRef ref = { 0 };
        char *path = NULL;
        size_t len = 0;
        uint64_t offset = 0;
        uint32_t size = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &path, &len);
        xdr_get_u64(&rc->args, &offset);
        xdr_get_u32(&rc->args, &size);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 || check_size(rc, size) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, encode_peek, d) : NULL;
        if (!call) {
                free(path);
                return -1;
        }
        int r = domain_block_peek(d, path, offset, size, flags, call, &rc->err);
        free(path);
        return remote_call_finish(rc, call, r);
}

/* {dom; u64 offset; u32 size; u32 flags} → {opaque buffer<>} */
REMOTE_HANDLER(proc_domain_memory_peek) {
        RemoteRef ref = { 0 };
        uint64_t offset = 0;
        uint32_t size = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u64(&rc->args, &offset);
        xdr_get_u32(&rc->args, &size);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 || check_size(rc, size) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        if (!d)
                return -1;
        uint8_t *buf = malloc(size ? size : 1);
        Call *call = buf ? remote_call_new(rc, encode_peek, d) : NULL;
        if (!call) {
                free(buf);
                return buf ? -1 : vb_error_errno(&rc->err, -ENOMEM, "memory peek");
        }
        int r = domain_memory_peek(d, offset, size, flags, buf, call, &rc->err);
        if (r == 0)
                put_buffer(&rc->ret, buf, size);
        free(buf);
        return remote_call_finish(rc, call, r);
}

/* {dom; u32 flags} → void, once QEMU took the wake-up */
REMOTE_HANDLER(proc_domain_pm_wakeup) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_pm_wakeup(d, flags, call, &rc->err));
}

/* {dom; u32 target; u64 duration; u32 flags} → void, once the guest agent took the command */
REMOTE_HANDLER(proc_domain_pm_suspend_for_duration) {
        RemoteRef ref = { 0 };
        uint32_t target = 0, flags = 0;
        uint64_t duration = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &target);
        xdr_get_u64(&rc->args, &duration);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        if (!call)
                return -1;
        return remote_call_finish(rc, call, domain_pm_suspend(d, target, duration, flags, call, &rc->err));
}
