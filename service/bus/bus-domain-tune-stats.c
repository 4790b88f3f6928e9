/* bus-domain-tune-stats.c: org.libvirt.Domain's GetControlInfo, GetDiskErrors, SetMemoryStatsPeriod and BlockResize: the same core verbs as the remote door's (domain-tune-stats.h). */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>

#include "bus-path.h"
#include "domain-tune-stats.h"
#include "domain.h"

static Domain *domain_of_message(BusSubtree *t, sd_bus_message *m, VbError *err) {
        return bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), err);
}

/* GetControlInfo(u flags) → (uut) */
int bus_method_get_control_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags, state, details;
        uint64_t t;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        if (!d || domain_control_info(d, flags, &state, &details, &t, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(uut)", state, details, t);
}

/* GetDiskErrors(u flags) → a(si): every disk's, as libvirt-dbus asks for the count first */
int bus_method_get_disk_errors(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        int max = d ? domain_disk_errors(d, NULL, 0, flags, &err) : -1;
        if (max < 0)
                return bus_error(ret_error, &err);
        DomainDiskError *e = max ? calloc((size_t) max, sizeof *e) : NULL;
        if (max && !e)
                return -ENOMEM;
        int n = max ? domain_disk_errors(d, e, (unsigned) max, flags, &err) : 0;
        if (n < 0) {
                free(e);
                return bus_error(ret_error, &err);
        }
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(si)");
        for (int i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(si)", e[i].disk, (int32_t) e[i].error);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        domain_disk_errors_clear(e, n);
        free(e);
        return r < 0 ? r : 1;
}

/* SetMemoryStatsPeriod(i period, u flags): QEMU answers later (qom-set). */
int bus_method_set_memory_stats_period(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int32_t period;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "iu", &period, &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_set_memory_stats_period(d, period, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* BlockResize(s disk, t size, u flags) */
int bus_method_block_resize(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *disk;
        uint64_t size;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "stu", &disk, &size, &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_block_resize(d, disk, size, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
