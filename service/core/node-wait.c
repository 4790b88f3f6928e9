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
        NODE_WAIT_COMPARE_CPU,
        NODE_WAIT_BASELINE_CPU,
        NODE_WAIT_COMPARE_HYPERVISOR_CPU,       /* xmls[0]: the CPU; arg: the hypervisor */
        NODE_WAIT_BASELINE_HYPERVISOR_CPU,
} NodeWaitKind;

typedef struct NodeWait {
        Call *outer;
        Connection *conn;
        NodeWaitKind kind;
        char *arg[4];           /* emulator, arch, machine, virttype; compare: the CPU */
        char **xmls;            /* baseline: the CPUs */
        size_t n_xmls;
        unsigned flags;
} NodeWait;

static NodeWait *node_wait_free(NodeWait *w) {
        if (!w)
                return NULL;
        call_unref(w->outer);
        for (size_t i = 0; i < 4; i++)
                free(w->arg[i]);
        for (size_t i = 0; i < w->n_xmls; i++)
                free(w->xmls[i]);
        free(w->xmls);
        free(w);
        return NULL;
}

/* The answer: XML in *xml, or compare's result in *value; 0 or -1. */
static int node_wait_answer(NodeWait *w, char **xml, int *value, VbError *err) {
        switch (w->kind) {
        case NODE_WAIT_CAPABILITIES:
                *xml = node_capabilities(w->conn, err);
                break;
        case NODE_WAIT_DOMAIN_CAPABILITIES:
                *xml = node_domain_capabilities(w->conn, w->arg[0], w->arg[1], w->arg[2], w->arg[3], w->flags, err);
                break;
        case NODE_WAIT_COMPARE_CPU:
                *value = node_compare_cpu(w->conn, w->arg[0], w->flags, err);
                return *value < 0 ? -1 : 0;
        case NODE_WAIT_BASELINE_CPU:
                *xml = node_baseline_cpu(w->conn, (const char *const *) w->xmls, w->n_xmls, w->flags, err);
                break;
        case NODE_WAIT_COMPARE_HYPERVISOR_CPU:
        case NODE_WAIT_BASELINE_HYPERVISOR_CPU: {
                HypervisorCpu hv = { w->arg[0], w->arg[1], w->arg[2], w->arg[3] };
                if (w->kind == NODE_WAIT_BASELINE_HYPERVISOR_CPU) {
                        *xml = node_baseline_hypervisor_cpu(w->conn, &hv, (const char *const *) w->xmls, w->n_xmls,
                                                            w->flags, err);
                        break;
                }
                *value = node_compare_hypervisor_cpu(w->conn, &hv, w->xmls[0], w->flags, err);
                return *value < 0 ? -1 : 0;
        }
        }
        return *xml ? 0 : -1;
}

/* The driver is ready (or never will be): answer the request as if it had just arrived. */
static void node_wait_done(Call *inner, int r, const VbError *err, void *result) {
        NodeWait *w = inner->userdata;
        if (r < 0) {
                /* The connection may be going away (the daemon stops): it is not touched. */
                call_complete(w->outer, -1, err, NULL);
        } else {
                VbError e = { 0 };
                char *xml = NULL;
                int value = 0;
                int q = node_wait_answer(w, &xml, &value, &e);
                bool compare = w->kind == NODE_WAIT_COMPARE_CPU || w->kind == NODE_WAIT_COMPARE_HYPERVISOR_CPU;
                call_complete(w->outer, q, &e, compare ? (void *) &value : xml);
                free(xml);
        }
        node_wait_free(w);
}

/* Ready now: 0 with *out (or *value) or -1; otherwise VERB_PENDING with w handed to the driver. */
static int node_wait_start(NodeWait *w, Call *call, char **out, int *value, VbError *err) {
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
        char *xml = NULL;
        int v = 0;
        int r = node_wait_answer(w, &xml, &v, err);
        node_wait_free(w);
        if (out)
                *out = xml;
        else
                free(xml);
        if (value)
                *value = v;
        return r;
}

static NodeWait *node_wait_new(Connection *c, NodeWaitKind kind, unsigned flags, VbError *err) {
        NodeWait *w = calloc(1, sizeof *w);
        if (!w) {
                vb_error_errno(err, -ENOMEM, "host request");
                return NULL;
        }
        *w = (NodeWait) { .conn = c, .kind = kind, .flags = flags };
        return w;
}

int node_capabilities_call(Connection *c, Call *call, char **out, VbError *err) {
        NodeWait *w = node_wait_new(c, NODE_WAIT_CAPABILITIES, 0, err);
        return w ? node_wait_start(w, call, out, NULL, err) : -1;
}

int node_domain_capabilities_call(Connection *c, const char *emulator, const char *arch, const char *machine,
                                  const char *virttype, unsigned flags, Call *call, char **out, VbError *err) {
        /* Bad flags are refused before any wait. */
        if (api_check_flags(api_row(API_CONNECT_GET_DOMAIN_CAPABILITIES), flags, err) < 0)
                return -1;
        NodeWait *w = node_wait_new(c, NODE_WAIT_DOMAIN_CAPABILITIES, flags, err);
        if (!w)
                return -1;
        const char *arg[4] = { emulator, arch, machine, virttype };
        for (size_t i = 0; i < 4; i++)
                if (arg[i] && !(w->arg[i] = strdup(arg[i]))) {
                        node_wait_free(w);
                        return vb_error_errno(err, -ENOMEM, "domain capabilities request");
                }
        return node_wait_start(w, call, out, NULL, err);
}

int node_compare_cpu_call(Connection *c, const char *xml, unsigned flags, Call *call, int *out, VbError *err) {
        if (node_compare_cpu_check(c, xml, flags, err) < 0)
                return -1;
        NodeWait *w = node_wait_new(c, NODE_WAIT_COMPARE_CPU, flags, err);
        if (w && !(w->arg[0] = strdup(xml))) {
                node_wait_free(w);
                return vb_error_errno(err, -ENOMEM, "CPU comparison");
        }
        return w ? node_wait_start(w, call, NULL, out, err) : -1;
}

int node_baseline_cpu_call(Connection *c, const char *const *xmls, size_t n, unsigned flags, Call *call,
                           char **out, VbError *err) {
        if (node_baseline_cpu_check(c, n, flags, err) < 0)
                return -1;
        NodeWait *w = node_wait_new(c, NODE_WAIT_BASELINE_CPU, flags, err);
        if (!w)
                return -1;
        if (!(w->xmls = calloc(n, sizeof *w->xmls))) {
                node_wait_free(w);
                return vb_error_errno(err, -ENOMEM, "CPU baseline");
        }
        for (; w->n_xmls < n; w->n_xmls++)
                if (!(w->xmls[w->n_xmls] = strdup(xmls[w->n_xmls]))) {
                        node_wait_free(w);
                        return vb_error_errno(err, -ENOMEM, "CPU baseline");
                }
        return node_wait_start(w, call, out, NULL, err);
}

/* The hypervisor variants once the driver is ready: compare (value set, xmls[0] the CPU) when
 * out is NULL, else baseline. */
static int wait_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                               unsigned flags, Call *call, char **out, int *value, VbError *err) {
        NodeWait *w = node_wait_new(c, out ? NODE_WAIT_BASELINE_HYPERVISOR_CPU : NODE_WAIT_COMPARE_HYPERVISOR_CPU, flags,
                                    err);
        if (!w)
                return -1;
        const char *arg[4] = { hv->emulator, hv->arch, hv->machine, hv->virttype };
        bool failed = !(w->xmls = calloc(n, sizeof *w->xmls));
        for (size_t i = 0; i < 4 && !failed; i++)
                failed = arg[i] && !(w->arg[i] = strdup(arg[i]));
        for (; !failed && w->n_xmls < n; w->n_xmls++)
                failed = !(w->xmls[w->n_xmls] = strdup(xmls[w->n_xmls]));
        if (failed) {
                node_wait_free(w);
                return vb_error_errno(err, -ENOMEM, "hypervisor CPU request");
        }
        return node_wait_start(w, call, out, value, err);
}

int node_compare_hypervisor_cpu_call(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags,
                                     Call *call, int *out, VbError *err) {
        if (node_compare_hypervisor_cpu_check(c, xml, flags, err) < 0)
                return -1;
        return wait_hypervisor_cpu(c, hv, &xml, 1, flags, call, NULL, out, err);
}

int node_baseline_hypervisor_cpu_call(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                      unsigned flags, Call *call, char **out, VbError *err) {
        if (node_baseline_hypervisor_cpu_check(c, n, flags, err) < 0)
                return -1;
        return wait_hypervisor_cpu(c, hv, xmls, n, flags, call, out, NULL, err);
}
