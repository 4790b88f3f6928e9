/* proc-domain-channel.c: REMOTE_PROC_DOMAIN_OPEN_CHANNEL (296): a guest's <channel> both ways as one stream. */
#include <stdlib.h>

#include "dispatch.h"
#include "domain.h"

/* {dom; remote_string name; u32 flags} → void, then the channel both ways as one stream with
 * this call's serial. */
REMOTE_HANDLER(proc_domain_open_channel) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &name);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Stream *out = NULL, *in = NULL;
        int r = d && remote_stream_room(rc) == 0 ? domain_open_channel(d, name, flags, &out, &in, &rc->err) : -1;
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
