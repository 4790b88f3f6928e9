/* bus-cpu.c: Connect.GetCPUModelNames (s arch, u flags → as) over the core's CPU model list. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include "cpu-models.h"

int bus_method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *arch;
        unsigned flags;
        const char *const *models = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &arch, &flags);
        if (r < 0)
                return r;
        if (cpu_model_names(t->conn, arch, flags, &models, &err) < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, (char **) models);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}
