/* server.h: the remote door's server: listeners, client connections, limits, keepalive and event fan-out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "client-owner.h"
#include "client.h"
#include "config.h"
#include "listen.h"
#include "manager.h"
#include "packet.h"
#include "remote-limits.h"
#include "server-reload.h"
#include "transport.h"

/* Open the listeners: the read-write and read-only unix sockets (unix_sock_dir, or
 * run_root/libvirt, where run_root NULL means /run in system mode and $XDG_RUNTIME_DIR in
 * session mode; virtbusd passes Paths.libvirt_base) and, with listen_tcp = 1, TCP, or adopt
 * the sockets systemd passes (sd_listen_fds). Registers a manager observer that hands every
 * notice to every client and starts accepting on e. On failure returns a negative errno with a
 * message in errbuf and leaves nothing behind. */
int remote_server_new(Manager *m, sd_event *e, const Config *cfg, bool system, const char *run_root,
                      const RemoteProtocol *proto, RemoteServer **out, char *errbuf, size_t errlen);
/* The authorization module auth_polkit asks (not owned; it must outlive the server's clients'
 * checks: free it after the server). Without one, auth_polkit is refused. */
typedef struct Authz Authz;
void remote_server_set_authz(RemoteServer *s, Authz *authz);
/* Closes the listeners (removing the socket files it created), drops every client; clients
 * still referenced by pending calls are freed when their last reference goes. Returns NULL. */
RemoteServer *remote_server_free(RemoteServer *s);

/* The admin socket (libvirt-admin-sock in the socket directory, mode 0700: root only) whose
 * clients speak the admin program through admin_proto and get no events. Admin clients do not
 * count against max_clients, so that an administrator can always get in. */
int remote_server_add_admin(RemoteServer *s, const Config *cfg, bool system, const char *run_root,
                            const RemoteProtocol *admin_proto, char *errbuf, size_t errlen);

/* ---- internal: shared by server*.c, and used by the unit tests ---- */

/* Like remote_server_new(), with the sockets systemd would pass given explicitly (fds and
 * their names; names may be NULL). The fds are the server's in every case. */
int remote_server_new_with_fds(Manager *m, sd_event *e, const Config *cfg, bool system, const char *run_root,
                               const int *fds, char **names, size_t n_fds, const RemoteProtocol *proto,
                               RemoteServer **out, char *errbuf, size_t errlen);

RemoteLimits *remote_server_limits(RemoteServer *s);
sd_event *remote_server_event(RemoteServer *s);
/* Clients that are connected (not yet dropped). */
size_t remote_server_n_clients(RemoteServer *s);
/* The listeners, for tests and messages. */
size_t remote_server_n_listeners(RemoteServer *s);
const ListenSocket *remote_server_listener(RemoteServer *s, size_t i);
/* Every listener answers auth_list with auth from now on (tests: the configuration offers only
 * "none" so far). */
void remote_server_set_auth(RemoteServer *s, RemoteAuthType auth);

/* Layers above the socket for every client accepted from now: fn (client-owner.h's
 * RemoteLayersFn) pushes them with remote_client_push_layer(). A negative return refuses the
 * connection. */
void remote_server_set_layers(RemoteServer *s, RemoteLayersFn fn, void *userdata);

