/* bus-domain-tune-stats.c: org.libvirt.Domain's GetControlInfo, GetDiskErrors, SetMemoryStatsPeriod, BlockResize, GetJobStats and AbortJob: the same core verbs as the remote door's (domain-tune-stats.h). */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"

#include "bus-path.h"
#include "domain-tune-stats.h"
#include "domain.h"

/* GetControlInfo(u flags) → (uut) */
int bus_method_get_control_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags, state, details;
        uint64_t t;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_control_info(d, flags, &state, &details, &t, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(uut)", state, details, t);
}

static int reply_disk_errors(sd_bus_message *m, const void *result) {
        const DomainDiskErrors *de = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(si)");
        for (int i = 0; r >= 0 && i < de->n; i++)
                r = sd_bus_message_append(reply, "(si)", de->e[i].disk, (int32_t) de->e[i].error);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* GetDiskErrors(u flags) → a(si): every disk's */
int bus_method_get_disk_errors(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        DomainDiskErrors *de = malloc(sizeof *de);
        Call *call = de ? bus_call_new_reply(m, reply_disk_errors, false) : NULL;
        if (!call) {
                free(de);
                return -ENOMEM;
        }
        r = domain_disk_errors(d, DOMAIN_DISK_ERRORS_MAX, flags, call, de, &err);
        r = bus_call_finish_reply(call, r, &err, de, ret_error);
        free(de);
        return r;
}

/* SetMemoryStatsPeriod(i period, u flags): QEMU answers later (qom-set). */
int bus_method_set_memory_stats_period(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int32_t period;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "iu", &period, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
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
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_block_resize(d, disk, size, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* GetJobStats(u flags) → (ia{sv}): the type, then typed parameters double-wrapped as libvirt-dbus */
int bus_method_get_job_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        DomainJobStats js;
        if (!d || domain_job_stats(d, flags, &js, &err) < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'r', "ia{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "i", (int32_t) js.type);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (int i = 0; r >= 0 && i < js.n; i++) {
                DomainStatParam p = { .type = js.p[i].is_int ? DOMAIN_STAT_INT : DOMAIN_STAT_ULLONG,
                                      .i = (int32_t) js.p[i].v, .ull = js.p[i].v };
                snprintf(p.key, sizeof p.key, "%s", js.p[i].name);
                r = bus_append_stat_param(reply, &p);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 1;
}

/* AbortJob() */
int bus_method_abort_job(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        VbError err = { 0 };
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_abort_job(d, API_DOMAIN_ABORT_JOB, 0, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "");
}
