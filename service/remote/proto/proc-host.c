/* proc-host.c: the remote procedures of host facts beyond nodeinfo (domain capabilities, ...): thin decode → core node_* → encode. */
#include "dispatch.h"

#include <stdlib.h>

#include "node.h"

#define CAPS_ARG_MAX 4096       /* an emulator path, an arch, a machine, a virt type */

/* {remote_string emulatorbin, arch, machine, virttype; unsigned flags} → {remote_nonnull_string} */
REMOTE_HANDLER(proc_connect_get_domain_capabilities) {
        char *emulator = NULL, *arch = NULL, *machine = NULL, *virttype = NULL;
        uint32_t flags = 0;
        xdr_get_opt_string(&rc->args, CAPS_ARG_MAX, &emulator);
        xdr_get_opt_string(&rc->args, CAPS_ARG_MAX, &arch);
        xdr_get_opt_string(&rc->args, CAPS_ARG_MAX, &machine);
        xdr_get_opt_string(&rc->args, CAPS_ARG_MAX, &virttype);
        xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = remote_reply_string(rc, node_domain_capabilities(rc->client->conn, emulator, arch, machine,
                                                                     virttype, flags, &rc->err));
        free(emulator);
        free(arch);
        free(machine);
        free(virttype);
        return r;
}
