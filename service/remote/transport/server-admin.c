/* server-admin.c: the remote server as the administration's two servers, "libvirtd" (the remote door's clients) and "admin" (the admin socket's). */
#include "server-admin.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "server-internal.h"

static int view_of(const ServerAdminView *v, RemoteClient *c, AdminClient *out) {
        if (remote_client_is_dropped(c) || remote_client_is_admin(c) != v->admin)
                return -ENOENT;
        RemoteClientInfo info;
        if (remote_client_info(c, &info) < 0)
                return -ENOENT;
        *out = (AdminClient) {
                .id = info.id,
                .connected_at = info.connected_at,
                .transport = (int) info.transport,
                .readonly = info.readonly,
                .has_cred = info.has_cred,
                .uid = info.uid,
                .gid = info.gid,
                .pid = info.pid,
                .sasl_username = info.sasl_username,
                .x509_dname = info.x509_dname,
        };
        memcpy(out->address, info.address, sizeof out->address);
        out->address[sizeof out->address - 1] = '\0';
        return 0;
}

static int sa_client_at(void *ud, size_t i, AdminClient *out) {
        ServerAdminView *v = ud;
        RemoteClient *c;
        size_t seen = 0;
        for (size_t k = 0; (c = remote_server_client_at(v->server, k)); k++)
                if (view_of(v, c, out) == 0 && seen++ == i)
                        return 0;
        return -ENOENT;
}

static int sa_client_find(void *ud, unsigned id, AdminClient *out) {
        ServerAdminView *v = ud;
        RemoteClient *c = remote_server_find_client(v->server, id);
        return c ? view_of(v, c, out) : -ENOENT;
}

static void sa_client_close(void *ud, unsigned id, const char *why) {
        ServerAdminView *v = ud;
        RemoteClient *c = remote_server_find_client(v->server, id);
        if (c)
                remote_client_drop(c, LOG_LEVEL_INFO, "%s", why);
}

static void sa_get_limits(void *ud, AdminLimits *out) {
        ServerAdminView *v = ud;
        const RemoteLimits *lim = &v->server->limits;
        AdminClient c;
        unsigned n = 0;
        while (sa_client_at(ud, n, &c) == 0)
                n++;
        *out = (AdminLimits) {
                .max_clients = lim->max_clients,
                .max_unauth = lim->max_anonymous_clients,
                .n_clients = n,
                .n_unauth = (unsigned) remote_server_n_unauthenticated(v->server),
        };
}

static void sa_set_limits(void *ud, const AdminLimits *lim) {
        ServerAdminView *v = ud;
        RemoteLimits *l = &v->server->limits;
        l->max_clients = lim->max_clients;
        l->max_anonymous_clients = lim->max_unauth;
}

static int sa_update_tls(void *ud, char *msg, size_t n) {
        ServerAdminView *v = ud;
        if (v->admin)
                return -EOPNOTSUPP;
        return remote_server_update_tls(v->server, msg, n);
}

static const AdminServerOps server_admin_ops = {
        .client_at = sa_client_at,
        .client_find = sa_client_find,
        .client_close = sa_client_close,
        .get_limits = sa_get_limits,
        .set_limits = sa_set_limits,
        .update_tls = sa_update_tls,
};

int remote_server_admin_register(RemoteServer *s, Admin *a) {
        s->admin_views[0] = (ServerAdminView) { .server = s, .admin = false };
        s->admin_views[1] = (ServerAdminView) { .server = s, .admin = true };
        int r = admin_add_server(a, REMOTE_ADMIN_SERVER_MAIN, &server_admin_ops, &s->admin_views[0]);
        if (r < 0)
                return r;
        r = admin_add_server(a, REMOTE_ADMIN_SERVER_ADMIN, &server_admin_ops, &s->admin_views[1]);
        if (r < 0) {
                admin_remove_server(a, REMOTE_ADMIN_SERVER_MAIN);
                return r;
        }
        s->admin = a;
        return 0;
}

void remote_server_admin_unregister(RemoteServer *s) {
        if (!s || !s->admin)
                return;
        admin_remove_server(s->admin, REMOTE_ADMIN_SERVER_MAIN);
        admin_remove_server(s->admin, REMOTE_ADMIN_SERVER_ADMIN);
        s->admin = NULL;
}

Admin *remote_server_admin(RemoteServer *s) {
        return s ? s->admin : NULL;
}
