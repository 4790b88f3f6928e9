/* proc-domain-gfx.c: the keyboard and the displays of a domain on the remote door: domain_send_key, open_graphics(_fd). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain.h"

/* {dom; u32 codeset; u32 holdtime; u32 keycodes<16>; u32 flags} → void, once QEMU took them. */
REMOTE_HANDLER(proc_domain_send_key) {
        RemoteRef ref = { 0 };
        uint32_t codeset = 0, holdtime = 0, flags = 0, n = 0;
        uint32_t keys[DOMAIN_SEND_KEY_MAX];
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &codeset);
        xdr_get_u32(&rc->args, &holdtime);
        xdr_get_array_len(&rc->args, DOMAIN_SEND_KEY_MAX, 4, &n);
        for (uint32_t i = 0; i < n && i < DOMAIN_SEND_KEY_MAX; i++)
                xdr_get_u32(&rc->args, &keys[i]);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_send_key(d, codeset, holdtime, keys, n, flags, call, &rc->err));
}

/* The arguments of open_graphics(_fd): {dom; u32 idx; u32 flags}: the domain, or NULL with the
 * error set. */
static Domain *read_graphics_args(RemoteCall *rc, uint32_t *idx, uint32_t *flags) {
        Domain *d = remote_read_domain_u32(rc, idx, flags);
        return d;
}

/* → a REPLY_WITH_FDS carrying a socket connected to the display (unix sockets only: elsewhere
 * libvirt's client does not ask, lacking FEATURE_FD_PASSING). */
REMOTE_HANDLER(proc_domain_open_graphics_fd) {
        uint32_t idx = 0, flags = 0;
        Domain *d = read_graphics_args(rc, &idx, &flags);
        if (!d)
                return -1;
        if (!remote_client_can_pass_fds(rc->client))
                return vb_error_set(&rc->err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "fd passing is not supported by this connection");
        Call *call = remote_call_new_fd(rc, d);
        if (!call)
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        return remote_call_finish(rc, call, domain_open_graphics_fd(d, idx, flags, call, &rc->err));
}

/* With the caller's socket in slot 0 of a CALL_WITH_FDS → void, once the hypervisor took the
 * socket. */
REMOTE_HANDLER(proc_domain_open_graphics) {
        uint32_t idx = 0, flags = 0;
        Domain *d = read_graphics_args(rc, &idx, &flags);
        if (!d)
                return -1;
        int fd = remote_call_take_fd(rc, 0);
        if (fd < 0)
                return -1;
        Call *call = remote_call_new(rc, NULL, d);
        if (!call) {
                close(fd);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        return remote_call_finish(rc, call, domain_open_graphics(d, idx, fd, flags, call, &rc->err));
}
