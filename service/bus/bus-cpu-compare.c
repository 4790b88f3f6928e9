/* bus-cpu-compare.c: Connect.CompareCPU and Connect.BaselineCPU over the core (node-cpu.c), answered when QEMU's capabilities probe has finished (node-wait.c). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

#define BUS_CPU_BASELINE_MAX 256

static int reply_comparison(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, "i", (int32_t) *(const int *) result);
}

static int reply_cpu(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, "s", (const char *) result);
}

/* CompareCPU(s xmlDesc, u flags) → i */
int bus_method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new_reply(m, reply_comparison, false);
        if (!call)
                return -ENOMEM;
        int result = 0;
        r = node_compare_cpu_call(t->conn, xml, flags, call, &result, &err);
        return bus_call_finish_reply(call, r, &err, &result, ret_error);
}

/* BaselineCPU(as xmlCPUs, u flags) → s */
int bus_method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        char **xmls = NULL;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read_strv(m, &xmls);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        size_t n = 0;
        while (r >= 0 && xmls && xmls[n])
                n++;
        if (r >= 0 && n > BUS_CPU_BASELINE_MAX)
                r = sd_bus_error_setf(ret_error, SD_BUS_ERROR_INVALID_ARGS, "more than %d CPUs to baseline",
                                      BUS_CPU_BASELINE_MAX);
        Call *call = r >= 0 ? bus_call_new_reply(m, reply_cpu, false) : NULL;
        if (r >= 0 && !call)
                r = -ENOMEM;
        char *cpu = NULL;
        if (call) {
                r = node_baseline_cpu_call(t->conn, (const char *const *) xmls, n, flags, call, &cpu, &err);
                r = bus_call_finish_reply(call, r, &err, cpu, ret_error);
        }
        for (size_t i = 0; xmls && xmls[i]; i++)
                free(xmls[i]);
        free(xmls);
        free(cpu);
        return r;
}
