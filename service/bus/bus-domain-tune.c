/* bus-domain-tune.c: Domain.GetMemoryParameters / SetMemoryParameters / SetSchedulerParameters with libvirt-dbus's a{sv} typed parameters. */
#include "bus-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bus-path.h"
#include "bus-unsupported.h"
#include "domain.h"

/* libvirt-dbus answers typed parameters as a{sv} whose v holds a v (as GetStats), each of its
 * own type (u, i, t, x or s). */
int bus_reply_tune_params(sd_bus_message *m, const DomainTuneParam *p, int n) {
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        for (int i = 0; r >= 0 && i < n; i++) {
                r = sd_bus_message_open_container(reply, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", p[i].name);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'v', "v");
                if (r >= 0) {
                        switch (p[i].type) {
                        case DOMAIN_STAT_INT: r = sd_bus_message_append(reply, "v", "i", (int32_t) p[i].ull); break;
                        case DOMAIN_STAT_UINT: r = sd_bus_message_append(reply, "v", "u", (uint32_t) p[i].ull); break;
                        case DOMAIN_STAT_LLONG: r = sd_bus_message_append(reply, "v", "x", (int64_t) p[i].ull); break;
                        case DOMAIN_STAT_STRING: r = sd_bus_message_append(reply, "v", "s", p[i].str); break;
                        case DOMAIN_STAT_BOOLEAN: r = sd_bus_message_append(reply, "v", "b", (int) (p[i].ull != 0)); break;
                        default: r = sd_bus_message_append(reply, "v", "t", p[i].ull); break;
                        }
                }
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
        return r < 0 ? r : 1;
}

int bus_method_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        DomainTuneParam p[DOMAIN_MEMTUNE_NPARAMS];
        int n = d ? domain_get_memory_params(d, flags, p, &err) : -1;
        if (n < 0)
                return bus_error(ret_error, &err);
        return bus_reply_tune_params(m, p, n);
}

/* a{sv}: each value a variant of its type (u, i, t, x or s), as libvirt-dbus reads them; other
 * types are passed on for the core to name. */
int bus_read_tune_params(sd_bus_message *m, DomainTuneParam *p, size_t *np, VbError *err) {
        size_t n = 0;
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                if (n == BUS_TUNE_PARAMS_MAX)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many parameters (at most %d)",
                                            BUS_TUNE_PARAMS_MAX);
                const char *name, *contents;
                char type;
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                snprintf(p[n].name, sizeof p[n].name, "%s", name);
                p[n].ull = 0;
                uint32_t u32;
                int32_t i32;
                int64_t i64;
                if (strcmp(contents, "t") == 0) {
                        p[n].type = DOMAIN_STAT_ULLONG;
                        r = sd_bus_message_read(m, "v", "t", &p[n].ull);
                } else if (strcmp(contents, "u") == 0) {
                        p[n].type = DOMAIN_STAT_UINT;
                        r = sd_bus_message_read(m, "v", "u", &u32);
                        p[n].ull = u32;
                } else if (strcmp(contents, "i") == 0) {
                        p[n].type = DOMAIN_STAT_INT;
                        r = sd_bus_message_read(m, "v", "i", &i32);
                        p[n].ull = (uint64_t) (int64_t) i32;
                } else if (strcmp(contents, "x") == 0) {
                        p[n].type = DOMAIN_STAT_LLONG;
                        r = sd_bus_message_read(m, "v", "x", &i64);
                        p[n].ull = (uint64_t) i64;
                } else if (strcmp(contents, "s") == 0) {
                        const char *str = NULL;
                        p[n].type = DOMAIN_STAT_STRING;
                        r = sd_bus_message_read(m, "v", "s", &str);
                        snprintf(p[n].str, sizeof p[n].str, "%s", str ? str : "");
                } else if (strcmp(contents, "b") == 0) {
                        int b = 0;
                        p[n].type = DOMAIN_STAT_BOOLEAN;
                        r = sd_bus_message_read(m, "v", "b", &b);
                        p[n].ull = b != 0;
                } else {
                        p[n].type = DOMAIN_STAT_STRING;
                        p[n].str[0] = '\0';
                        r = sd_bus_message_skip(m, "v");
                }
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                n++;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        *np = n;
        return r < 0 ? r : 0;
}

static int tune_set(sd_bus_message *m, void *userdata, sd_bus_error *ret_error,
                    int (*set)(Domain *, const DomainTuneParam *, size_t, unsigned, VbError *)) {
        static DomainTuneParam p[BUS_TUNE_PARAMS_MAX];  /* not on the stack; one call at a time on the loop */
        size_t n = 0;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = bus_read_tune_params(m, p, &n, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r == -1 && err.code)
                return bus_error(ret_error, &err);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || set(d, p, n, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

int bus_tune_set(sd_bus_message *m, void *userdata, sd_bus_error *ret_error,
                 int (*set)(Domain *, const DomainTuneParam *, size_t, unsigned, VbError *)) {
        return tune_set(m, userdata, ret_error, set);
}

int bus_method_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_set(m, userdata, ret_error, domain_set_memory_params);
}

/* virDomainSetSchedulerParametersFlags, through the same core verb as the remote door. */
int bus_method_set_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_set(m, userdata, ret_error, domain_set_sched_params);
}

/* a{sv} of typed parameters of any type (u, i, t, x, s), each value a variant in a variant. */
static int tune_get(sd_bus_message *m, void *userdata, sd_bus_error *ret_error,
                    int (*get)(Domain *, unsigned, DomainTuneParam *, VbError *), size_t max) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        static DomainTuneParam p[8];
        Domain *d = bus_message_domain(m, userdata, &err);
        int n = d && max <= 8 ? get(d, flags, p, &err) : -1;
        if (n < 0)
                return bus_error(ret_error, &err);
        return bus_reply_tune_params(m, p, n);
}

int bus_method_get_blkio_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_get(m, userdata, ret_error, domain_get_blkio_params, DOMAIN_BLKIO_NPARAMS);
}

int bus_method_set_blkio_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_set(m, userdata, ret_error, domain_set_blkio_params);
}

int bus_method_get_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_get(m, userdata, ret_error, domain_get_numa_params, DOMAIN_NUMA_NPARAMS);
}

int bus_method_set_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return tune_set(m, userdata, ret_error, domain_set_numa_params);
}
