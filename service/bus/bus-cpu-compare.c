/* bus-cpu-compare.c: Connect.CompareCPU and Connect.BaselineCPU over the core (node-cpu.c), answered when QEMU's capabilities probe has finished (node-wait.c). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "node.h"

#define BUS_CPU_BASELINE_MAX 256

static void cpu_done(Call *call, int r, const VbError *err, void *result) {
        sd_bus_message *m = call->userdata;
        if (!m)
                return;
        call->userdata = NULL;
        int q;
        if (r < 0 || !result) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                bus_error(&e, err);
                q = sd_bus_reply_method_error(m, &e);
                sd_bus_error_free(&e);
        } else if (strcmp(sd_bus_message_get_member(m), "CompareCPU") == 0) {
                q = sd_bus_reply_method_return(m, "i", (int32_t) *(const int *) result);
        } else {
                q = sd_bus_reply_method_return(m, "s", (const char *) result);
        }
        if (q < 0)
                log_warning("cannot send the reply of %s: %s", sd_bus_message_get_member(m), strerror(-q));
        sd_bus_message_unref(m);
}

static Call *cpu_call_new(sd_bus_message *m) {
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, cpu_done, sd_bus_message_ref(m));
        if (!call)
                sd_bus_message_unref(m);
        return call;
}

/* The verb answered now (r 0 or -1): the pending reply is dropped and ret_error or the reply sent. */
static int cpu_call_now(Call *call, int r) {
        if (r != VERB_PENDING) {
                sd_bus_message_unref(call->userdata);
                call->userdata = NULL;
        }
        call_unref(call);
        return r;
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
        Call *call = cpu_call_new(m);
        if (!call)
                return -ENOMEM;
        int result = 0;
        r = cpu_call_now(call, node_compare_cpu_call(t->conn, xml, flags, call, &result, &err));
        if (r == VERB_PENDING)
                return 1;
        return r < 0 ? bus_error(ret_error, &err) : sd_bus_reply_method_return(m, "i", (int32_t) result);
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
        Call *call = r >= 0 ? cpu_call_new(m) : NULL;
        if (r >= 0 && !call)
                r = -ENOMEM;
        char *cpu = NULL;
        if (call)
                r = cpu_call_now(call, node_baseline_cpu_call(t->conn, (const char *const *) xmls, n, flags, call,
                                                              &cpu, &err));
        for (size_t i = 0; xmls && xmls[i]; i++)
                free(xmls[i]);
        free(xmls);
        if (!call || r == VERB_PENDING)
                return r < 0 ? r : 1;
        if (r < 0)
                return bus_error(ret_error, &err);
        r = sd_bus_reply_method_return(m, "s", cpu);
        free(cpu);
        return r;
}
