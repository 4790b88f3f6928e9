/* bus-cpu.c: Connect.GetCPUModelNames and NodeGetMemoryParameters over the core (cpu-models.c, node-memory.c). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include "cpu-models.h"
#include "node.h"

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

/* Connect.NodeGetMemoryParameters (u flags → a{sv}, each v holding a v, as libvirt-dbus's typed parameters). */
int bus_method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        NodeMemParam p[NODE_MEMORY_PARAMS_MAX];
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        int n = node_memory_parameters(t->conn, flags, p, &err);
        if (n < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (int i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", p[i].name);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'v', "v");
                if (r >= 0)
                        r = p[i].type == 2 ? sd_bus_message_append(reply, "v", "u", (uint32_t) p[i].value)
                                           : sd_bus_message_append(reply, "v", "t", p[i].value);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}
