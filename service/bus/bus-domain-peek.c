/* bus-domain-peek.c: org.libvirt.Domain's raw reads and guest power management: BlockPeek(s disk, t offset, t size, u flags) → ay, MemoryPeek(t offset, t size, u flags) → ay, PMWakeup(u flags); the core's domain-peek.c, answered when the read or QEMU is done. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>

#include "call.h"
#include "domain-peek.h"
#include "domain.h"

static int reply_buffer(sd_bus_message *m, const void *result) {
        const DomainPeekResult *res = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', res->buf, res->len);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* After the arguments are read (r: the read's result): the domain of the path, and a pending
 * Call answering with the bytes. libvirt-dbus asks through libvirt's remote client, which
 * refuses more than its protocol carries, in these words, before anything is sent. 0, or what
 * the handler returns (a failure, answered). */
static int peek_begin(sd_bus_message *m, void *userdata, int r, uint64_t size, const char *what, Domain **d,
                      Call **call, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        if (r < 0)
                return r;
        *d = bus_message_domain(m, t, &err);
        if (!*d)
                return bus_error(ret_error, &err);
        if (size > DOMAIN_PEEK_BUFFER_MAX) {
                vb_error_set_raw(&err, (VbErrorCode) 39 /* VIR_ERR_RPC */, VB_FROM_REMOTE,
                                 "%s peek request too large for remote protocol, %llu > %zu", what,
                                 (unsigned long long) size, DOMAIN_PEEK_BUFFER_MAX);
                return bus_error(ret_error, &err);
        }
        *call = bus_call_new_reply(m, reply_buffer, false);
        return *call ? 0 : -ENOMEM;
}

int bus_method_block_peek(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *disk;
        uint64_t offset, size;
        unsigned flags;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = sd_bus_message_read(m, "sttu", &disk, &offset, &size, &flags);
        r = peek_begin(m, userdata, r, size, "block", &d, &call, ret_error);
        if (r < 0)
                return r;
        r = domain_block_peek(d, disk, offset, (size_t) size, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

int bus_method_memory_peek(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint64_t offset, size;
        unsigned flags;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = sd_bus_message_read(m, "ttu", &offset, &size, &flags);
        r = peek_begin(m, userdata, r, size, "memory", &d, &call, ret_error);
        if (r < 0)
                return r;
        uint8_t *buf = malloc(size ? size : 1);
        if (!buf)
                r = vb_error_errno(&err, -ENOMEM, "memory peek");
        else
                r = domain_memory_peek(d, offset, (size_t) size, flags, buf, call, &err);
        DomainPeekResult now = { .buf = buf, .len = (size_t) size };
        r = bus_call_finish_reply(call, r, &err, r == 0 ? &now : NULL, ret_error);
        free(buf);
        return r;
}

int bus_method_pm_wakeup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        BusSubtree *t = userdata;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_pm_wakeup(d, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
