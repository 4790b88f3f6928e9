/* server-internal.h: the remote server's private state, shared by server*.c (listeners, accepting, the client list, reload). */
#pragma once

#include <stdarg.h>
#include <systemd/sd-event.h>

#include "client-owner.h"
#include "config.h"
#include "listen.h"
#include "manager.h"
#include "remote-limits.h"
#include "tls-context.h"

/* It includes neither server.h nor server-admin.h: server.c, which makes and frees the server,
 * stands on every server-*.c file, and none of them on it. */

typedef struct Authz Authz;
typedef struct Admin Admin;

/* One of the administration's two servers (server-admin.c): the remote door's clients or the
 * admin socket's. */
typedef struct ServerAdminView {
        RemoteServer *server;
        bool admin;                     /* the admin socket's clients */
} ServerAdminView;

typedef struct Listener {
        RemoteServer *server;
        ListenSocket sock;
        RemoteAuthType auth;
        bool from_systemd;
        const RemoteProtocol *admin_proto;      /* the admin socket: its clients' protocol; else NULL */
        sd_event_source *io;
} Listener;

/* Socket keys a reload cannot change (server-reload.c's table): kept as started, to tell the admin. */
#define SERVER_N_RESTART_KEYS 11

struct RemoteServer {
        Manager *manager;
        sd_event *event;
        RemoteLimits limits;
        Listener **listeners;
        size_t n_listeners;
        RemoteClient **clients;         /* the server holds a reference on each; dropped ones until the reap */
        size_t n_clients, cap_clients;
        size_t n_live;                  /* clients not dropped */
        RemoteClient **zombies;         /* reaped, still referenced by pending calls: told when the server goes */
        size_t n_zombies, cap_zombies;
        sd_event_source *reap;
        sd_event_source *accept_resume;
        int next_callback_id;
        unsigned next_client_id;
        bool observing;
        uint64_t refusal_logged_at;
        unsigned refusals_unlogged;
        char *started[SERVER_N_RESTART_KEYS];
        bool started_listen_tcp, started_listen_tls;
        bool system;                    /* for the TLS files' default paths on reload */
        const Config *cfg;              /* the daemon's, reloaded in place: server-update-tls reads it */
        TlsContext *tls;                /* the TLS listeners' credentials; NULL without one */
        char **sasl_allowed;            /* sasl_allowed_username_list; NULL = anyone */
        unsigned auth_failures;
        Authz *authz;                   /* not owned */
        bool authz_api;                 /* access_drivers = [ "polkit" ] */
        const RemoteProtocol *proto;    /* the protocol side, for every client */
        ClientOwner client_owner;       /* what each client is given (client-owner.h) */
        RemoteLayersFn layers;          /* layers above the socket, for each new client */
        void *layers_userdata;
        Admin *admin;                   /* server-admin.c: not owned; NULL until registered */
        ServerAdminView admin_views[2]; /* "libvirtd", "admin" */
};

/* server-config.c: the configuration into listeners, limits and lists */
int server_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool server_streq_null(const char *a, const char *b);
void server_strv_free(char **v);
/* sasl_allowed_username_list, copied; on failure the old list stays. */
int server_apply_sasl_allowed(RemoteServer *s, const Config *cfg);
void server_apply_limits(RemoteServer *s, const Config *cfg);
/* What the protocol side cannot serve is refused here, naming the key. */
int server_check_auth(const Config *cfg, bool tcp, bool tcp_from_systemd, bool tls, char *errbuf, size_t errlen);
/* Each listener takes its auth key. */
void server_apply_auth(RemoteServer *s, const Config *cfg);
/* Takes sock (its fd is -1 afterwards, even on failure). */
int server_add_listener(RemoteServer *s, ListenSocket *sock);
int server_open_unix(RemoteServer *s, const Config *cfg, bool system, const char *run_root, bool need_rw, bool need_ro,
                     char *errbuf, size_t errlen);
int server_open_tcp(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen);
int server_open_tls(RemoteServer *s, const Config *cfg, char *errbuf, size_t errlen);
int server_socket_dir(const Config *cfg, bool system, const char *run_root, char **out, char *errbuf, size_t errlen);

/* server-accept.c: accepting within the limits */
int server_on_accept_resume(sd_event_source *es, uint64_t usec, void *userdata);
int server_on_listener_io(sd_event_source *es, int fd, uint32_t revents, void *userdata);

/* server-clients.c: the client list */
int server_on_reap(sd_event_source *es, void *userdata);
/* ClientOwner's callbacks: c was dropped, c is being freed. */
void remote_server_client_gone(RemoteServer *s, RemoteClient *c);
void remote_server_client_freed(RemoteServer *s, RemoteClient *c);

/* server-reload.c: what SIGHUP can change */
int server_remember_config(RemoteServer *s, const Config *cfg);
/* server-clients.c */
size_t server_n_live_admin(RemoteServer *s);
