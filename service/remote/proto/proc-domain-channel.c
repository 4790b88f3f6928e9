/* proc-domain-channel.c: REMOTE_PROC_DOMAIN_OPEN_CONSOLE (201) and REMOTE_PROC_DOMAIN_OPEN_CHANNEL (296): a guest's console or <channel> both ways as one stream. */
#include <stdlib.h>

#include "dispatch.h"
#include "domain.h"

typedef int (*OpenDuplexFn)(Domain *d, const char *name, unsigned flags, Stream **out, Stream **in, VbError *err);

/* {dom; remote_string name; u32 flags} → void, then the device both ways as one stream with
 * this call's serial. */
static int open_duplex(RemoteCall *rc, OpenDuplexFn open) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &name);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Stream *out = NULL, *in = NULL;
        int r = d && remote_stream_room(rc) == 0 ? open(d, name, flags, &out, &in, &rc->err) : -1;
        free(name);
        if (r < 0)
                return -1;
        r = remote_stream_open_duplex(rc, out, in);
        if (r < 0) {
                stream_abort(out, &rc->err);
                stream_abort(in, &rc->err);
        }
        stream_unref(out);
        stream_unref(in);
        return r;
}

/* remote_string dev_name: NULL, the first console */
REMOTE_HANDLER(proc_domain_open_console) {
        return open_duplex(rc, domain_open_console);
}

/* remote_string name: an alias or a virtio target name; NULL, the first channel */
REMOTE_HANDLER(proc_domain_open_channel) {
        return open_duplex(rc, domain_open_channel);
}
