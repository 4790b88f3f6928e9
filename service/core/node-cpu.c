/* node-cpu.c: virConnectCompareCPU and virConnectBaselineCPU (and their hypervisor variants): libvirt's flag checks, then the driver's host ops ("not supported" without them, as libvirt's test driver for CompareCPU). */
#include "node.h"

#include "api.h"
#include "manager.h"

#define COMPARE_CPU_FAIL_INCOMPATIBLE 1u
#define COMPARE_CPU_VALIDATE_XML 2u
#define BASELINE_CPU_EXPAND_FEATURES 1u
#define BASELINE_CPU_MIGRATABLE 2u

static const HostOps *host_ops(const Connection *c) {
        static const HostOps none;
        return c->driver->host ? c->driver->host : &none;
}

static int unsupported(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", row ? row->name : "virConnect");
}

int node_compare_cpu_check(Connection *c, const char *xml, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, COMPARE_CPU_FAIL_INCOMPATIBLE | COMPARE_CPU_VALIDATE_XML, "virConnectCompareCPU",
                           err) < 0)
                return -1;
        if (!host_ops(c)->compare_cpu)
                return unsupported(API_CONNECT_COMPARE_CPU, err);
        if (!xml || !*xml)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "%s", "missing CPU definition");
        return 0;
}

int node_compare_cpu(Connection *c, const char *xml, unsigned flags, VbError *err) {
        if (node_compare_cpu_check(c, xml, flags, err) < 0)
                return -1;
        int r = host_ops(c)->compare_cpu(c, xml, flags, err);
        if (r == 0 && (flags & COMPARE_CPU_FAIL_INCOMPATIBLE))
                return vb_error_set(err, VB_ERR_CPU_INCOMPATIBLE, VB_FROM_CPU, NULL);
        return r;
}

int node_baseline_cpu_check(Connection *c, size_t n, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, BASELINE_CPU_EXPAND_FEATURES, "virConnectBaselineCPU", err) < 0)
                return -1;
        if (!host_ops(c)->baseline_cpu)
                return unsupported(API_CONNECT_BASELINE_CPU, err);
        if (n == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "%s", "nothing to baseline");
        return 0;
}

char *node_baseline_cpu(Connection *c, const char *const *xmls, size_t n, unsigned flags, VbError *err) {
        if (node_baseline_cpu_check(c, n, flags, err) < 0)
                return NULL;
        return host_ops(c)->baseline_cpu(c, xmls, n, flags, err);
}

int node_compare_hypervisor_cpu_check(Connection *c, const char *xml, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, COMPARE_CPU_FAIL_INCOMPATIBLE | COMPARE_CPU_VALIDATE_XML,
                           "virConnectCompareHypervisorCPU", err) < 0)
                return -1;
        if (!host_ops(c)->compare_hypervisor_cpu)
                return unsupported(API_CONNECT_COMPARE_HYPERVISOR_CPU, err);
        if (!xml || !*xml)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "%s", "missing CPU definition");
        return 0;
}

int node_compare_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags, VbError *err) {
        if (node_compare_hypervisor_cpu_check(c, xml, flags, err) < 0)
                return -1;
        int r = host_ops(c)->compare_hypervisor_cpu(c, hv, xml, flags, err);
        if (r == 0 && (flags & COMPARE_CPU_FAIL_INCOMPATIBLE))
                return vb_error_set(err, VB_ERR_CPU_INCOMPATIBLE, VB_FROM_CPU, NULL);
        return r;
}

int node_baseline_hypervisor_cpu_check(Connection *c, size_t n, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, BASELINE_CPU_EXPAND_FEATURES | BASELINE_CPU_MIGRATABLE,
                           "virConnectBaselineHypervisorCPU", err) < 0)
                return -1;
        if (!host_ops(c)->baseline_hypervisor_cpu)
                return unsupported(API_CONNECT_BASELINE_HYPERVISOR_CPU, err);
        if (n == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "%s", "nothing to baseline");
        return 0;
}

char *node_baseline_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                   unsigned flags, VbError *err) {
        if (node_baseline_hypervisor_cpu_check(c, n, flags, err) < 0)
                return NULL;
        return host_ops(c)->baseline_hypervisor_cpu(c, hv, xmls, n, flags, err);
}
