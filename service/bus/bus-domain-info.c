/* bus-domain-info.c: org.libvirt.Domain's per-request information: MemoryStats, GetSchedulerParameters (the core's domain-info.c). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-info.h"
#include "domain-iothread.h"
#include "domain-model.h"
#include "domain.h"
#include "node.h"

static Domain *domain_of_call(sd_bus_message *m, void *userdata, unsigned *flags, VbError *err) {
        BusSubtree *t = userdata;
        if (sd_bus_message_read(m, "u", flags) < 0)
                return NULL;
        return bus_message_domain(m, t, err);
}

static int reply_memory_stats(sd_bus_message *m, const void *result) {
        const DomainMemStats *ms = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{it}");
        for (int i = 0; r >= 0 && i < ms->n; i++)
                r = sd_bus_message_append(reply, "{it}", (int32_t) ms->s[i].tag, ms->s[i].val);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

int bus_method_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = domain_of_call(m, userdata, &flags, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_memory_stats, false);
        if (!call)
                return -ENOMEM;
        DomainMemStats ms = { 0 };
        int r = domain_memory_stats_call(d, DOMAIN_MEMSTAT_NR, flags, call, &ms, &err);
        return bus_call_finish_reply(call, r, &err, &ms, ret_error);
}

/* GetJobInfo() (no flags in 1.4.1) → (ittttttttttt) */
int bus_method_get_job_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        DomainJobInfo ji;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d || domain_job_info(d, &ji, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(ittttttttttt)", (int32_t) ji.type, ji.v[0], ji.v[1], ji.v[2], ji.v[3],
                                          ji.v[4], ji.v[5], ji.v[6], ji.v[7], ji.v[8], ji.v[9], ji.v[10]);
}

/* GetHostname and GetTime: bus-domain-agent.c (the guest agent may answer later). */

/* Typed parameters as libvirt-dbus sends them: a{sv}, each value a variant in a variant. The
 * core's domain_get_sched_params() answers, as for the remote door (Test: libvirt's fair
 * weight; QEMU: the guest's <cputune>). */
int bus_method_get_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        DomainTuneParam params[DOMAIN_SCHED_NPARAMS_MAX];
        Domain *d = domain_of_call(m, userdata, &flags, &err);
        int n = d ? domain_get_sched_params(d, flags, params, &err) : -1;
        if (n < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (int i = 0; r >= 0 && i < n; i++) {
                DomainStatParam p = { .type = params[i].type, .u = (uint32_t) params[i].ull, .i = (int32_t) params[i].ull,
                                      .ull = params[i].ull };
                snprintf(p.key, sizeof p.key, "%.47s", params[i].name);
                r = bus_append_stat_param(reply, &p);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 1;
}

/* libvirt-dbus sizes CPU maps by the host's CPUs (virNodeGetCPUMap) and sends booleans. */
static int host_cpus(Domain *d, VbError *err) {
        uint8_t scratch[DOMAIN_CPUMAP_MAX / 8];
        unsigned online = 0;
        int n = node_cpu_map(d->obj.conn, scratch, sizeof scratch, &online, 0, err);
        return n > (int) sizeof scratch * 8 ? (int) sizeof scratch * 8 : n;
}

static int append_map(sd_bus_message *reply, const uint8_t *map, int ncpus) {
        int r = sd_bus_message_open_container(reply, 'a', "b");
        for (int i = 0; r >= 0 && i < ncpus; i++)
                r = sd_bus_message_append(reply, "b", (map[i / 8] >> (i % 8)) & 1);
        return r >= 0 ? sd_bus_message_close_container(reply) : r;
}

int bus_method_get_vcpu_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = domain_of_call(m, userdata, &flags, &err);
        int ncpus = d ? host_cpus(d, &err) : -1;
        const DomainDef *def = d ? domain_current_def(d) : NULL;
        int nvcpus = def ? (int) def->vcpus : 0, maplen = ncpus > 0 ? (ncpus + 7) / 8 : 0;
        if (ncpus < 0)
                return bus_error(ret_error, &err);
        uint8_t *maps = calloc((size_t) nvcpus * (size_t) maplen + 1, 1);
        if (!maps)
                return -ENOMEM;
        int n = domain_vcpu_pin_info(d, flags, maps, nvcpus, maplen, &err);
        if (n < 0) {
                free(maps);
                return bus_error(ret_error, &err);
        }
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "ab");
        for (int i = 0; r >= 0 && i < n; i++)
                r = append_map(reply, maps + (size_t) i * (size_t) maplen, ncpus);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        free(maps);
        return r;
}

int bus_method_get_emulator_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        uint8_t map[DOMAIN_CPUMAP_MAX / 8] = { 0 };
        Domain *d = domain_of_call(m, userdata, &flags, &err);
        int ncpus = d ? host_cpus(d, &err) : -1;
        if (ncpus < 0 || domain_emulator_pin_info(d, flags, map, (ncpus + 7) / 8, &err) < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_map(reply, map, ncpus);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

int bus_method_get_iothread_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        enum { MAPLEN = DOMAIN_CPUMAP_MAX / 8 };
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = domain_of_call(m, userdata, &flags, &err);
        int ncpus = d ? host_cpus(d, &err) : -1;
        unsigned *ids = calloc(DOMAIN_IOTHREADS_MAX, sizeof *ids);
        uint8_t *maps = calloc(DOMAIN_IOTHREADS_MAX, MAPLEN);
        int n = ncpus < 0 ? -1
                : !ids || !maps ? vb_error_errno(&err, -ENOMEM, "iothreads")
                : domain_iothread_info(d, flags, ids, maps, DOMAIN_IOTHREADS_MAX, MAPLEN, &err);
        sd_bus_message *reply = NULL;
        int r = n < 0 ? bus_error(ret_error, &err) : sd_bus_message_new_method_return(m, &reply);
        if (n >= 0 && r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(uab)");
        for (int i = 0; n >= 0 && r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, 'r', "uab");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "u", ids[i]);
                if (r >= 0)
                        r = append_map(reply, maps + (size_t) i * MAPLEN, ncpus);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (n >= 0 && r >= 0)
                r = sd_bus_message_close_container(reply);
        if (n >= 0 && r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        free(ids);
        free(maps);
        return r;
}
