/* node-wait.c: capabilities requests that wait for the host facts a driver is still learning (QEMU's probe) instead of failing, without blocking the loop. */
#include "node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "manager.h"

typedef enum NodeWaitKind {
        NODE_WAIT_CAPABILITIES,
        NODE_WAIT_DOMAIN_CAPABILITIES,
} NodeWaitKind;

typedef struct NodeWait {
        Call *outer;
        Connection *conn;
        NodeWaitKind kind;
        char *arg[4];           /* emulator, arch, machine, virttype */
        unsigned flags;
} NodeWait;

static NodeWait *node_wait_free(NodeWait *w) {
        if (!w)
                return NULL;
        call_unref(w->outer);
        for (size_t i = 0; i < 4; i++)
                free(w->arg[i]);
        free(w);
        return NULL;
}

static char *node_wait_answer(NodeWait *w, VbError *err) {
        if (w->kind == NODE_WAIT_CAPABILITIES)
                return node_capabilities(w->conn, err);
        return node_domain_capabilities(w->conn, w->arg[0], w->arg[1], w->arg[2], w->arg[3], w->flags, err);
}

/* The driver is ready (or never will be): answer the request as if it had just arrived. */
static void node_wait_done(Call *inner, int r, const VbError *err, void *result) {
        NodeWait *w = inner->userdata;
        if (r < 0) {
                /* The connection may be going away (the daemon stops): it is not touched. */
                call_complete(w->outer, -1, err, NULL);
        } else {
                VbError e = { 0 };
                char *xml = node_wait_answer(w, &e);
                call_complete(w->outer, xml ? 0 : -1, &e, xml);
                free(xml);
        }
        node_wait_free(w);
}

/* Ready now: 0 with *out or -1; otherwise VERB_PENDING with w handed to the driver. */
static int node_wait_start(NodeWait *w, Call *call, char **out, VbError *err) {
        const HostOps *ops = w->conn->driver->host;
        if (ops && ops->when_ready) {
                Call *inner = call_new(CALL_DOOR_INTERNAL, &call->who, node_wait_done, w);
                if (!inner) {
                        node_wait_free(w);
                        return vb_error_errno(err, -ENOMEM, "capabilities request");
                }
                w->outer = call_ref(call);
                int r = ops->when_ready(w->conn, inner, err);
                call_unref(inner);
                if (r == VERB_PENDING)
                        return VERB_PENDING;
                if (r < 0) {
                        node_wait_free(w);
                        return -1;
                }
        }
        *out = node_wait_answer(w, err);
        node_wait_free(w);
        return *out ? 0 : -1;
}

int node_capabilities_call(Connection *c, Call *call, char **out, VbError *err) {
        NodeWait *w = calloc(1, sizeof *w);
        if (!w)
                return vb_error_errno(err, -ENOMEM, "capabilities request");
        *w = (NodeWait) { .conn = c, .kind = NODE_WAIT_CAPABILITIES };
        return node_wait_start(w, call, out, err);
}

int node_domain_capabilities_call(Connection *c, const char *emulator, const char *arch, const char *machine,
                                  const char *virttype, unsigned flags, Call *call, char **out, VbError *err) {
        /* Bad flags are refused before any wait. */
        if (api_check_flags(api_row(API_CONNECT_GET_DOMAIN_CAPABILITIES), flags, err) < 0)
                return -1;
        NodeWait *w = calloc(1, sizeof *w);
        if (!w)
                return vb_error_errno(err, -ENOMEM, "domain capabilities request");
        *w = (NodeWait) { .conn = c, .kind = NODE_WAIT_DOMAIN_CAPABILITIES, .flags = flags };
        const char *arg[4] = { emulator, arch, machine, virttype };
        for (size_t i = 0; i < 4; i++)
                if (arg[i] && !(w->arg[i] = strdup(arg[i]))) {
                        node_wait_free(w);
                        return vb_error_errno(err, -ENOMEM, "domain capabilities request");
                }
        return node_wait_start(w, call, out, err);
}
