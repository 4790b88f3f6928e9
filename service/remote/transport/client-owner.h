/* client-owner.h: a remote client as the server that accepted it sees it: made, given layers, dropped, told of new limits. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "client.h"
#include "listen.h"
#include "remote-limits.h"
#include "transport.h"

/* What the server gives each client it accepts. The client reads limits and calls gone and
 * freed only while its pub.server is set: the server clears that when it lets go of it, and
 * from then on the client lives by fallback limits and tells no one. */
typedef struct ClientOwner {
        RemoteServer *server;
        Manager *manager;
        sd_event *event;
        const RemoteProtocol *proto;    /* where its packets go (an admin client: remote_client_set_admin) */
        const RemoteLimits *limits;     /* the server's own, changed live by SIGHUP and virt-admin */
        /* c was dropped (its socket is closed); the server still holds its reference. */
        void (*gone)(RemoteServer *s, RemoteClient *c);
        /* c is being freed after the server let go of it (a pending call held it). */
        void (*freed)(RemoteServer *s, RemoteClient *c);
} ClientOwner;

/* Layers above the socket for a client just accepted on l (the server's remote_server_set_layers()):
 * pushed with remote_client_push_layer(); a negative return refuses the connection. */
typedef int (*RemoteLayersFn)(RemoteClient *c, const ListenSocket *l, void *userdata);

/* A new client on an accepted socket (which it owns from now, even on failure), holding one
 * reference: the owner's. owner must outlive the time its server is the client's. */
int remote_client_new(const ClientOwner *owner, int fd, const ListenSocket *l, RemoteAuthType auth, unsigned id,
                      RemoteClient **out);
/* Close the socket at once, without flushing; log why at level. The client stays allocated while
 * referenced; sending to it discards the packet. */
void remote_client_drop(RemoteClient *c, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool remote_client_is_dropped(const RemoteClient *c);
/* l goes on top of c's layers (the client owns it from now, and closes it at once if c was
 * dropped). Reading waits until its handshake, if it has one, is done. */
void remote_client_push_layer(RemoteClient *c, RemoteLayer *l);
/* c came on the admin socket: its packets go to proto, and it gets no events. */
void remote_client_set_admin(RemoteClient *c, const RemoteProtocol *proto);
/* The limits changed: re-arm the timers, resume reading if the request limit allows.
 * keepalive_restarted: keepalive was off and is on now, so silence is counted from now. */
void remote_client_limits_changed(RemoteClient *c, bool keepalive_restarted);
