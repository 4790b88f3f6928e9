/* proc-domain-fdassoc.c: domain_fd_associate (443): the client's descriptors kept with a domain under a name, for disks' fdgroup. */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-fdgroup.h"

/* {dom; string name; u32 flags} with the group's descriptors (CALL_WITH_FDS) → void. The
 * group is the client's: released when it closes its connection or goes. */
REMOTE_HANDLER(proc_domain_fd_associate) {
        char *name = NULL;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &name, &flags);
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
