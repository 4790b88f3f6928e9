/* proc-cpu-compare.c: the remote procedures virConnectCompareCPU (158), virConnectBaselineCPU (162) and their hypervisor variants (393, 394): decode → core node-cpu.c (waiting for QEMU's probe, node-wait.c) → encode. */
#include "dispatch.h"

#include <errno.h>
#include <stdbool.h>
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

/* {[hypervisor:] remote_string emulator, arch, machine, virttype;} */
static void get_hypervisor(RemoteCall *rc, char *s[4]) {
        for (size_t i = 0; i < 4; i++)
                xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &s[i]);
}

/* {[hypervisor]; remote_nonnull_string xml; u32 flags} → {int result} */
static int compare_cpu(RemoteCall *rc, bool hypervisor) {
        char *hv[4] = { NULL }, *xml = NULL;
        uint32_t flags = 0;
        if (hypervisor)
                get_hypervisor(rc, hv);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, NULL);
        xdr_get_u32(&rc->args, &flags);
        Call *call = remote_args_end(rc) == 0 ? remote_call_plain(rc, encode_compare) : NULL;
        int result = 0, r = -1;
        HypervisorCpu h = { hv[0], hv[1], hv[2], hv[3] };
        if (call && hypervisor)
                r = node_compare_hypervisor_cpu_call(rc->client->conn, &h, xml, flags, call, &result, &rc->err);
        else if (call)
                r = node_compare_cpu_call(rc->client->conn, xml, flags, call, &result, &rc->err);
        free(xml);
        for (size_t i = 0; i < 4; i++)
                free(hv[i]);
        if (!call)
                return -1;
        if (r == 0)
                xdr_put_i32(&rc->ret, result);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_connect_compare_cpu) {
        return compare_cpu(rc, false);
}

REMOTE_HANDLER(proc_connect_compare_hypervisor_cpu) {
        return compare_cpu(rc, true);
}

/* {[hypervisor]; remote_nonnull_string xmlCPUs<REMOTE_CPU_BASELINE_MAX>; u32 flags} → {remote_nonnull_string cpu} */
static int baseline_cpu(RemoteCall *rc, bool hypervisor) {
        char *hv[4] = { NULL };
        uint32_t n = 0, flags = 0;
        if (hypervisor)
                get_hypervisor(rc, hv);
        if (xdr_get_array_len(&rc->args, REMOTE_CPU_BASELINE_MAX, 4, &n) < 0)
                n = 0;
        char **xmls = calloc(n ? n : 1, sizeof *xmls);
        bool no_memory = !xmls;
        for (uint32_t i = 0; xmls && i < n; i++)
                xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xmls[i], NULL);
        xdr_get_u32(&rc->args, &flags);
        Call *call = xmls && remote_args_end(rc) == 0 ? remote_call_plain(rc, encode_baseline) : NULL;
        char *cpu = NULL;
        int r = -1;
        HypervisorCpu h = { hv[0], hv[1], hv[2], hv[3] };
        if (call && hypervisor)
                r = node_baseline_hypervisor_cpu_call(rc->client->conn, &h, (const char *const *) xmls, n, flags, call,
                                                      &cpu, &rc->err);
        else if (call)
                r = node_baseline_cpu_call(rc->client->conn, (const char *const *) xmls, n, flags, call, &cpu,
                                           &rc->err);
        for (uint32_t i = 0; xmls && i < n; i++)
                free(xmls[i]);
        free(xmls);
        for (size_t i = 0; i < 4; i++)
                free(hv[i]);
        if (!call)
                return no_memory ? vb_error_errno(&rc->err, -ENOMEM, "CPU baseline") : -1;
        if (r == 0)
                r = remote_reply_string(rc, cpu);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_connect_baseline_cpu) {
        return baseline_cpu(rc, false);
}

REMOTE_HANDLER(proc_connect_baseline_hypervisor_cpu) {
        return baseline_cpu(rc, true);
}
