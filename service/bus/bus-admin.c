/* bus-admin.c: org.libvirt.virtbus.Admin at /org/libvirt/admin: virt-admin's operations on D-Bus, through the core's administration (administration.h), checked with polkit's org.libvirt.virtbus.admin. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "administration.h"
#include "log.h"

#define ADMIN_CLIENT_SIG "(txua{sv})"

static AdminServer *admin_server_arg(sd_bus_message *m, Admin *a, sd_bus_error *ret_error) {
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);
        if (r < 0) {
                bus_errno(ret_error, r);
                return NULL;
        }
        VbError err = { 0 };
        AdminServer *s = admin_server_lookup(a, name, &err);
        if (!s)
                bus_error(ret_error, &err);
        return s;
}

/* A typed parameter as an a{sv} entry: i for INT, u for UINT, b for BOOLEAN, s for STRING. */
typedef struct ParamOut {
        sd_bus_message *reply;
        int r;
} ParamOut;

static void admin_param(const char *field, int type, int64_t num, const char *str, void *ud) {
        ParamOut *p = ud;
        if (p->r < 0)
                return;
        switch (type) {
        case ADMIN_TP_STRING:
                p->r = sd_bus_message_append(p->reply, "{sv}", field, "s", str);
                break;
        case ADMIN_TP_BOOLEAN:
                p->r = sd_bus_message_append(p->reply, "{sv}", field, "b", (int) (num != 0));
                break;
        case ADMIN_TP_UINT:
                p->r = sd_bus_message_append(p->reply, "{sv}", field, "u", (uint32_t) num);
                break;
        default:
                p->r = sd_bus_message_append(p->reply, "{sv}", field, "i", (int32_t) num);
                break;
        }
}

static int admin_list_servers(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Admin *a = userdata;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < admin_n_servers(a); i++)
                r = sd_bus_message_append(reply, "s", admin_server_name_at(a, i));
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r < 0 ? bus_errno(ret_error, r) : 1;
}

static void admin_append_client(const AdminClientInfo *info, ParamOut *p) {
        const AdminClient *c = &info->client;
        if (p->r >= 0)
                p->r = sd_bus_message_open_container(p->reply, 'r', "txua{sv}");
        if (p->r >= 0)
                p->r = sd_bus_message_append(p->reply, "txu", (uint64_t) c->id, c->connected_at, (uint32_t) c->transport);
        if (p->r >= 0)
                p->r = sd_bus_message_open_container(p->reply, 'a', "{sv}");
        admin_client_info_foreach(info, admin_param, p);
        if (p->r >= 0)
                p->r = sd_bus_message_close_container(p->reply);
        if (p->r >= 0)
                p->r = sd_bus_message_close_container(p->reply);
}

/* The completion's clients (an AdminClientList) as a(txua{sv}). */
static int admin_reply_clients(sd_bus_message *m, const void *result) {
        const AdminClientList *l = result;
        ParamOut p = { 0 };
        p.r = sd_bus_message_new_method_return(m, &p.reply);
        if (p.r >= 0)
                p.r = sd_bus_message_open_container(p.reply, 'a', ADMIN_CLIENT_SIG);
        for (size_t i = 0; i < l->n; i++)
                admin_append_client(&l->v[i], &p);
        if (p.r >= 0)
                p.r = sd_bus_message_close_container(p.reply);
        if (p.r >= 0)
                p.r = sd_bus_send(NULL, p.reply, NULL);
        sd_bus_message_unref(p.reply);
        return p.r < 0 ? p.r : 1;
}

/* ListClients and ClientInfo answer later: the user and group names are looked up off the loop. */
static int admin_describe(sd_bus_message *m, Admin *a, bool all, BusReplyFn reply, sd_bus_error *ret_error) {
        AdminServer *s = admin_server_arg(m, a, ret_error);
        if (!s)
                return -EINVAL;
        uint64_t id = 0;
        int r = all ? 0 : sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return bus_errno(ret_error, r);
        Call *call = bus_call_new_reply(m, reply, false);
        if (!call)
                return bus_errno(ret_error, -ENOMEM);
        VbError err = { 0 };
        r = admin_clients_describe(s, all, id, call, &err);
        return bus_call_finish_reply(call, r, &err, NULL, ret_error);
}

static int admin_list_clients(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return admin_describe(m, userdata, true, admin_reply_clients, ret_error);
}

/* Reply a{sv} with what each(fn) produces. */
static int admin_reply_params(sd_bus_message *m, void (*each)(void *obj, AdminParamFn fn, void *ud), void *obj,
                              sd_bus_error *ret_error) {
        ParamOut p = { 0 };
        p.r = sd_bus_message_new_method_return(m, &p.reply);
        if (p.r >= 0)
                p.r = sd_bus_message_open_container(p.reply, 'a', "{sv}");
        if (p.r >= 0)
                each(obj, admin_param, &p);
        if (p.r >= 0)
                p.r = sd_bus_message_close_container(p.reply);
        if (p.r >= 0)
                p.r = sd_bus_send(NULL, p.reply, NULL);
        sd_bus_message_unref(p.reply);
        return p.r < 0 ? (ret_error ? bus_errno(ret_error, p.r) : p.r) : 1;
}

static void each_client_info(void *obj, AdminParamFn fn, void *ud) {
        admin_client_info_foreach(obj, fn, ud);
}

/* The completion's one client as a{sv}. */
static int admin_reply_client_info(sd_bus_message *m, const void *result) {
        const AdminClientList *l = result;
        if (l->n != 1)
                return -ENOENT;
        return admin_reply_params(m, each_client_info, (void *) &l->v[0], NULL);
}

static void each_limit(void *obj, AdminParamFn fn, void *ud) {
        admin_limits_foreach(obj, fn, ud);
}

static int admin_client_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return admin_describe(m, userdata, false, admin_reply_client_info, ret_error);
}

static int admin_disconnect_client(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        AdminServer *s = admin_server_arg(m, userdata, ret_error);
        if (!s)
                return -EINVAL;
        uint64_t id;
        int r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return bus_errno(ret_error, r);
        char by[128];
        snprintf(by, sizeof by, "D-Bus caller %s", sd_bus_message_get_sender(m) ? sd_bus_message_get_sender(m) : "?");
        VbError err = { 0 };
        if (admin_client_close(s, id, 0, by, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "");
}

static int admin_get_client_limits(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        AdminServer *s = admin_server_arg(m, userdata, ret_error);
        if (!s)
                return -EINVAL;
        return admin_reply_params(m, each_limit, s, ret_error);
}

/* a{sv}: nclients_max and nclients_unauth_max as u; all checked before anything changes. */
static int admin_set_client_limits(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        AdminServer *s = admin_server_arg(m, userdata, ret_error);
        if (!s)
                return -EINVAL;
        AdminLimits next;
        admin_limits_begin(s, &next);
        VbError err = { 0 };
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *field, *sig;
                uint32_t v = 0;
                if ((r = sd_bus_message_read(m, "s", &field)) < 0 ||
                    (r = sd_bus_message_peek_type(m, NULL, &sig)) < 0)
                        break;
                if (strcmp(sig, "u") != 0) {
                        vb_error_set(&err, VB_ERR_INVALID_ARG, VB_FROM_NONE,
                                     "client limit '%s' must be an unsigned 32-bit integer (u), not '%s'", field, sig);
                        return bus_error(ret_error, &err);
                }
                if ((r = sd_bus_message_read(m, "v", "u", &v)) < 0)
                        break;
                if (admin_limits_set_field(&next, field, ADMIN_TP_UINT, v, &err) < 0)
                        return bus_error(ret_error, &err);
                if ((r = sd_bus_message_exit_container(m)) < 0)
                        break;
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        if (r < 0)
                return bus_errno(ret_error, r);
        if (admin_limits_commit(s, &next, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "");
}

static int admin_get_log_filters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *v = admin_log_filters();
        return sd_bus_reply_method_return(m, "s", v ? v : "");
}

static int admin_get_log_outputs(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        char buf[32];
        return sd_bus_reply_method_return(m, "s", admin_log_outputs(buf, sizeof buf));
}

static int admin_set_log(sd_bus_message *m, bool filters, sd_bus_error *ret_error) {
        const char *v;
        int r = sd_bus_message_read(m, "s", &v);
        if (r < 0)
                return bus_errno(ret_error, r);
        VbError err = { 0 };
        r = filters ? admin_set_log_filters(bus_empty_to_null(v), &err)
                    : admin_set_log_outputs(bus_empty_to_null(v), &err);
        return r < 0 ? bus_error(ret_error, &err) : sd_bus_reply_method_return(m, "");
}

static int admin_set_log_filters_m(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return admin_set_log(m, true, ret_error);
}

static int admin_set_log_outputs_m(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return admin_set_log(m, false, ret_error);
}

static int admin_update_tls_m(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        AdminServer *s = admin_server_arg(m, userdata, ret_error);
        if (!s)
                return -EINVAL;
        VbError err = { 0 };
        if (admin_update_tls(s, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable admin_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("ListServers", "", , "as", SD_BUS_PARAM(servers), admin_list_servers,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListClients", "s", SD_BUS_PARAM(server), "a" ADMIN_CLIENT_SIG, SD_BUS_PARAM(clients),
                                 admin_list_clients, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ClientInfo", "st", SD_BUS_PARAM(server) SD_BUS_PARAM(id), "a{sv}",
                                 SD_BUS_PARAM(info), admin_client_info, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("DisconnectClient", "st", SD_BUS_PARAM(server) SD_BUS_PARAM(id), "", ,
                                 admin_disconnect_client, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetClientLimits", "s", SD_BUS_PARAM(server), "a{sv}", SD_BUS_PARAM(limits),
                                 admin_get_client_limits, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetClientLimits", "sa{sv}", SD_BUS_PARAM(server) SD_BUS_PARAM(limits), "", ,
                                 admin_set_client_limits, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetLogFilters", "", , "s", SD_BUS_PARAM(filters), admin_get_log_filters,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetLogFilters", "s", SD_BUS_PARAM(filters), "", , admin_set_log_filters_m,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetLogOutputs", "", , "s", SD_BUS_PARAM(outputs), admin_get_log_outputs,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetLogOutputs", "s", SD_BUS_PARAM(outputs), "", , admin_set_log_outputs_m,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("UpdateTLS", "s", SD_BUS_PARAM(server), "", , admin_update_tls_m,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_add_admin(Bus *b, Admin *a) {
        if (!b || !a)
                return -EINVAL;
        int r = sd_bus_add_object_vtable(b->bus, NULL, BUS_ADMIN_PATH, BUS_ADMIN_INTERFACE, admin_vtable, a);
        if (r < 0)
                return log_error_errno(r, "cannot register " BUS_ADMIN_PATH ": %s", strerror(-r));
        return 0;
}
