/* bus-domain-agent.c: org.libvirt.Domain's calls the guest agent answers (GetHostname, GetTime, SetTime, FSFreeze, FSThaw, FSTrim, SetUserPassword, GetFSInfo, GetGuestVcpus, SetGuestVcpus): the core's domain-agent.c, the reply sent when the agent has answered. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-agent.h"
#include "domain.h"

/* After reading the arguments (r: the read's result): the domain of the object path and a Call
 * replying with reply (optional: its value may be NULL). 0, or what the handler returns (a
 * failure, already answered). */
static int agent_begin(sd_bus_message *m, void *userdata, int r, BusReplyFn reply, bool optional, Domain **d,
                       Call **call, VbError *err, sd_bus_error *ret_error) {
        if (r < 0)
                return r;
        *d = bus_message_domain(m, userdata, err);
        if (!*d)
                return bus_error(ret_error, err);
        *call = bus_call_new_reply(m, reply, optional);
        return *call ? 0 : -ENOMEM;
}

static int reply_void(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, NULL);
}

static int reply_hostname(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, "s", result ? (const char *) result : "");
}

static int reply_time(sd_bus_message *m, const void *result) {
        const DomainTime *t = result;
        return sd_bus_reply_method_return(m, "(tu)", (uint64_t) t->seconds, (uint32_t) t->nseconds);
}

static int reply_count(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, "u", (uint32_t) *(const int *) result);
}

/* GetHostname(u flags) → s */
int bus_method_get_hostname(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        Domain *d = NULL;
        Call *call = NULL;
        r = agent_begin(m, userdata, r, reply_hostname, true, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        char *name = NULL;
        r = domain_hostname_call(d, flags, call, &name, &err);
        r = bus_call_finish_reply(call, r, &err, name, ret_error);
        free(name);
        return r;
}

/* GetTime(u flags) → (tu) */
int bus_method_get_time(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        Domain *d = NULL;
        Call *call = NULL;
        r = agent_begin(m, userdata, r, reply_time, false, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        DomainTime t = { 0 };
        r = domain_get_time_call(d, flags, call, &t, &err);
        return bus_call_finish_reply(call, r, &err, &t, ret_error);
}

/* SetTime(t seconds, u nseconds, u flags) */
int bus_method_set_time(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint64_t seconds = 0;
        unsigned nseconds = 0, flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "tuu", &seconds, &nseconds, &flags);
        Domain *d = NULL;
        Call *call = NULL;
        r = agent_begin(m, userdata, r, reply_void, true, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        r = domain_set_time(d, (int64_t) seconds, nseconds, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

/* FSFreeze / FSThaw(as mountpoints, u flags) → u */
static int fs_freeze(sd_bus_message *m, void *userdata, bool thaw, sd_bus_error *ret_error) {
        char **mounts = NULL;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read_strv(m, &mounts);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        Domain *d = r < 0 ? NULL : bus_message_domain(m, userdata, &err);
        size_t n = 0;
        while (mounts && mounts[n])
                n++;
        Call *call = d ? bus_call_new_reply(m, reply_count, false) : NULL;
        if (call) {
                int count = 0;
                r = domain_fs_freeze(d, (const char *const *) mounts, n, thaw, flags, call, &err);
                r = bus_call_finish_reply(call, r, &err, &count, ret_error);
        } else if (r >= 0) {
                r = d ? -ENOMEM : bus_error(ret_error, &err);
        }
        for (size_t i = 0; i < n; i++)
                free(mounts[i]);
        free(mounts);
        return r;
}

int bus_method_fs_freeze(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return fs_freeze(m, userdata, false, ret_error);
}

int bus_method_fs_thaw(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return fs_freeze(m, userdata, true, ret_error);
}

/* FSTrim(s mountpoint ("" for all), t minimum, u flags) */
int bus_method_fs_trim(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *mount = NULL;
        uint64_t minimum = 0;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "stu", &mount, &minimum, &flags);
        Domain *d = NULL;
        Call *call = NULL;
        r = agent_begin(m, userdata, r, reply_void, true, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        r = domain_fs_trim(d, mount && *mount ? mount : NULL, minimum, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

/* SetUserPassword(s user, s password, u flags) */
int bus_method_set_user_password(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *user = NULL, *password = NULL;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &user, &password, &flags);
        Domain *d = NULL;
        Call *call = NULL;
        r = agent_begin(m, userdata, r, reply_void, true, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        r = domain_set_user_password(d, user, password, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

/* a(sssas): mountpoint, name, type, the domain's disk targets it lies on */
static int reply_fsinfo(sd_bus_message *m, const void *result) {
        const DomainFSInfoList *l = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssas)");
        for (size_t i = 0; r >= 0 && i < l->n; i++) {
                const DomainFSInfo *f = &l->v[i];
                r = sd_bus_message_open_container(reply, 'r', "sssas");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "sss", f->mountpoint ? f->mountpoint : "",
                                                  f->name ? f->name : "", f->fstype ? f->fstype : "");
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "s");
                for (size_t j = 0; r >= 0 && j < f->n_aliases; j++)
                        r = sd_bus_message_append(reply, "s", f->aliases[j]);
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

/* GetFSInfo(u flags) → a(sssas): the agent answers later */
int bus_method_get_fs_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        Domain *d = NULL;
        Call *call = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        r = agent_begin(m, userdata, r, reply_fsinfo, false, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        return bus_call_finish_reply(call, domain_get_fsinfo(d, flags, call, &err), &err, NULL, ret_error);
}

/* a{sv}: the typed parameters, each value wrapped as libvirt-dbus does */
static int reply_params(sd_bus_message *m, const void *result) {
        const DomainAgentParams *p = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (size_t i = 0; r >= 0 && p && i < p->n; i++)
                r = bus_append_stat_param(reply, &p->v[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* GetGuestVcpus(u flags) → a{sv} vcpus, online, offlinable */
int bus_method_get_guest_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        Domain *d = NULL;
        Call *call = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        r = agent_begin(m, userdata, r, reply_params, false, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        return bus_call_finish_reply(call, domain_get_guest_vcpus(d, flags, call, &err), &err, NULL, ret_error);
}

/* SetGuestVcpus(ab vcpumap, i state, u flags): vCPU i is named when vcpumap[i] is true, as
 * libvirt-dbus turns the array into libvirt's list */
int bus_method_set_guest_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const void *bools = NULL;
        size_t size = 0;
        int32_t state = 0;
        unsigned flags = 0;
        Domain *d = NULL;
        Call *call = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read_array(m, 'b', &bools, &size);
        if (r >= 0)
                r = sd_bus_message_read(m, "iu", &state, &flags);
        size_t n = size / sizeof(int);
        if (r >= 0 && n > DOMAIN_GUEST_VCPU_MAX_ID)
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_INVALID_ARGS, "too many vCPUs in the map (%zu, at most %u)",
                                         n, DOMAIN_GUEST_VCPU_MAX_ID);
        r = agent_begin(m, userdata, r, reply_void, true, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        /* "N," per vCPU: at most 5 bytes each below DOMAIN_GUEST_VCPU_MAX_ID */
        char *list = malloc(n * 6 + 1), *p = list;
        if (!list) {
                call_unref(call);
                return -ENOMEM;
        }
        *p = '\0';
        for (size_t i = 0; i < n; i++)
                if (((const int *) bools)[i])
                        p += sprintf(p, "%s%zu", p == list ? "" : ",", i);
        r = domain_set_guest_vcpus(d, list, state, flags, call, &err);
        free(list);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}
