/* proc-cpu-compare.c: the remote procedures virConnectCompareCPU (158) and virConnectBaselineCPU (162): decode → core node-cpu.c (waiting for QEMU's probe, node-wait.c) → encode. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "node.h"

#define REMOTE_CPU_BASELINE_MAX 256u

static int encode_compare(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                xdr_put_i32(w, *(const int *) result);
        return 0;
}

static int encode_baseline(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                xdr_put_string(w, result);
        return 0;
}

/* {remote_nonnull_string xml; u32 flags} → {int result} */
REMOTE_HANDLER(proc_connect_compare_cpu) {
        char *xml = NULL;
        uint32_t flags = 0;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, NULL);
        xdr_get_u32(&rc->args, &flags);
        Call *call = remote_args_end(rc) == 0 ? remote_call_plain(rc, encode_compare) : NULL;
        int result = 0;
        int r = call ? node_compare_cpu_call(rc->client->conn, xml, flags, call, &result, &rc->err) : -1;
        free(xml);
        if (!call)
                return -1;
        if (r == 0)
                xdr_put_i32(&rc->ret, result);
        return remote_call_finish(rc, call, r);
}

/* {remote_nonnull_string xmlCPUs<REMOTE_CPU_BASELINE_MAX>; u32 flags} → {remote_nonnull_string cpu} */
REMOTE_HANDLER(proc_connect_baseline_cpu) {
        uint32_t n = 0, flags = 0;
        if (xdr_get_array_len(&rc->args, REMOTE_CPU_BASELINE_MAX, 4, &n) < 0)
                n = 0;
        char **xmls = calloc(n ? n : 1, sizeof *xmls);
        if (!xmls)
                return vb_error_errno(&rc->err, -ENOMEM, "CPU baseline");
        for (uint32_t i = 0; i < n; i++)
                xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xmls[i], NULL);
        xdr_get_u32(&rc->args, &flags);
        Call *call = remote_args_end(rc) == 0 ? remote_call_plain(rc, encode_baseline) : NULL;
        char *cpu = NULL;
        int r = call ? node_baseline_cpu_call(rc->client->conn, (const char *const *) xmls, n, flags, call, &cpu,
                                              &rc->err) : -1;
        for (uint32_t i = 0; i < n; i++)
                free(xmls[i]);
        free(xmls);
        if (!call)
                return -1;
        if (r == 0)
                r = remote_reply_string(rc, cpu);
        return remote_call_finish(rc, call, r);
}
