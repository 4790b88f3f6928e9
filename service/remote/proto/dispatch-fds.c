/* dispatch-fds.c: the descriptors a CALL_WITH_FDS brought, as its handler takes them; the rest are closed after it. */
#include "dispatch.h"

#include <unistd.h>

int remote_call_take_fd(RemoteCall *rc, size_t slot) {
        if (slot >= rc->n_fds || rc->fds[slot] < 0)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, (VbErrorFrom) REMOTE_FROM_RPC,
                                    "No FD available at slot %zu", slot);
        int fd = rc->fds[slot];
        rc->fds[slot] = -1;
        return fd;
}

void remote_call_close_fds(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (fds[i] >= 0)
                        close(fds[i]);
                fds[i] = -1;
        }
}
