/* proc-domain-fdassoc.c: domain_fd_associate (443): the client's descriptors kept with a domain under a name, for disks' fdgroup. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-fdgroup.h"

/* {dom; string name; u32 flags} with the group's descriptors (CALL_WITH_FDS) → void. The
 * group is the client's: released when it closes its connection or goes. */
REMOTE_HANDLER(proc_domain_fd_associate) {
        RemoteRef ref = { 0 };
        char *name = NULL;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) < 0 ? NULL : remote_find_domain(rc, &ref);
        remote_ref_done(&ref);
        int fds[DOMAIN_FD_GROUP_FDS_MAX];
        size_t n = 0;
        int r = -1;
        if (!d)
                goto out;
        for (; n < rc->n_fds && n < DOMAIN_FD_GROUP_FDS_MAX; n++)
                fds[n] = remote_call_take_fd(rc, n);
        r = domain_fd_associate(d, rc->client, name, fds, n, flags, &rc->err);
out:
        free(name);
        return r;
}
