/* bus-domain-migrate.c: org.libvirt.Domain's migration members: MigrateSetMaxDowntime(t downtime, u flags), MigrateSetMaxSpeed(t bandwidth, u flags), MigrateGetMaxSpeed(u) → t, MigrateSetCompressionCache(t cacheSize, u flags), MigrateGetCompressionCache(u) → t, MigrateStartPostCopy(u flags), MigrateToURI3(s dconnuri, a{sv} params, u flags). */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-migrate.h"

static int reply_void(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, NULL);
}

static int reply_u64(sd_bus_message *m, const void *result) {
        return sd_bus_reply_method_return(m, "t", *(const uint64_t *) result);
}

/* The domain of the object path and a Call answering with reply. 0, or what the handler
 * returns (a failure, already answered). */
static int migrate_begin(sd_bus_message *m, void *userdata, BusReplyFn reply, Domain **d, Call **call,
                         VbError *err, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        *d = bus_message_domain(m, t, err);
        if (!*d)
                return bus_error(ret_error, err);
        *call = bus_call_new_reply(m, reply, reply == reply_void);
        return *call ? 0 : -ENOMEM;
}

static int set_param(sd_bus_message *m, void *userdata, DomainMigrateParam p, sd_bus_error *ret_error) {
        uint64_t value = 0;
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = sd_bus_message_read(m, "tu", &value, &flags);
        if (r < 0)
                return r;
        r = migrate_begin(m, userdata, reply_void, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        r = domain_migrate_set_param(d, p, value, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

/* The (u flags) members: the flags read, then as migrate_begin. */
static int flags_begin(sd_bus_message *m, void *userdata, BusReplyFn reply, unsigned *flags, Domain **d,
                       Call **call, VbError *err, sd_bus_error *ret_error) {
        int r = sd_bus_message_read(m, "u", flags);
        if (r < 0)
                return r;
        return migrate_begin(m, userdata, reply, d, call, err, ret_error);
}

static int get_param(sd_bus_message *m, void *userdata, DomainMigrateParam p, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = flags_begin(m, userdata, reply_u64, &flags, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        uint64_t value = 0;
        r = domain_migrate_get_param(d, p, flags, call, &value, &err);
        return bus_call_finish_reply(call, r, &err, &value, ret_error);
}

int bus_method_migrate_set_max_downtime(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return set_param(m, userdata, DOMAIN_MIGRATE_DOWNTIME, ret_error);
}

int bus_method_migrate_set_max_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return set_param(m, userdata, DOMAIN_MIGRATE_SPEED, ret_error);
}

int bus_method_migrate_get_max_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return get_param(m, userdata, DOMAIN_MIGRATE_SPEED, ret_error);
}

int bus_method_migrate_set_compression_cache(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return set_param(m, userdata, DOMAIN_MIGRATE_CACHE, ret_error);
}

int bus_method_migrate_get_compression_cache(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return get_param(m, userdata, DOMAIN_MIGRATE_CACHE, ret_error);
}

int bus_method_migrate_start_post_copy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = flags_begin(m, userdata, reply_void, &flags, &d, &call, &err, ret_error);
        if (r < 0)
                return r;
        r = domain_migrate_start_postcopy(d, flags, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

/* The typed parameters of MigrateToURI3 (a{sv}, libvirt-dbus's form of virTypedParameter):
 * migrate_uri and destination_name (s), bandwidth (t, kept by the guest's own cap as in
 * Perform3Params); any other name, or a known one of another type, refused by name. */
static int read_migrate_params(sd_bus_message *m, char **uri, char **dname, VbError *err) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *field = NULL, *contents = NULL, *s = NULL;
                char type = 0;
                if ((r = sd_bus_message_read(m, "s", &field)) < 0 ||
                    (r = sd_bus_message_peek_type(m, &type, &contents)) < 0)
                        return r;
                char **slot = strcmp(field, "migrate_uri") == 0 ? uri : strcmp(field, "destination_name") == 0 ? dname : NULL;
                bool string = contents && strcmp(contents, "s") == 0;
                if (!(slot && string) && !(strcmp(field, "bandwidth") == 0 && contents && strcmp(contents, "t") == 0)) {
                        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "parameter '%s' not supported", field);
                        return -EINVAL;
                }
                if (slot) {
                        if ((r = sd_bus_message_read(m, "v", "s", &s)) < 0)
                                return r;
                        free(*slot);
                        if (!(*slot = strdup(s)))
                                return -ENOMEM;
                } else if ((r = sd_bus_message_skip(m, "v")) < 0) {
                        return r;
                }
                if ((r = sd_bus_message_exit_container(m)) < 0)
                        return r;
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

/* MigrateToURI3(s dconnuri, a{sv} params, u flags): libvirt-dbus's virDomainMigrateToURI3, which
 * the daemon serves peer-to-peer (VIR_MIGRATE_PEER2PEER); answered once the guest runs there. */
int bus_method_migrate_to_uri3(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *dconnuri = NULL;
        char *uri = NULL, *dname = NULL;
        unsigned flags = 0;
        VbError err = { 0 };
        Domain *d = NULL;
        Call *call = NULL;
        int r = sd_bus_message_read(m, "s", &dconnuri);
        if (r >= 0)
                r = read_migrate_params(m, &uri, &dname, &err);
        if (r >= 0)
                r = flags_begin(m, userdata, reply_void, &flags, &d, &call, &err, ret_error);
        else if (r == -EINVAL && err.message[0])
                r = bus_error(ret_error, &err);
        if (r >= 0) {
                r = domain_migrate_to_uri(d, dconnuri, uri, dname, flags, call, &err);
                r = bus_call_finish_reply(call, r, &err, NULL, ret_error);
        }
        free(uri);
        free(dname);
        return r;
}
