/* client.h: one remote-protocol client as the protocol code sees it; the connection itself is the transport's (client-*.c, server-*.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "call.h"
#include "manager.h"

typedef struct RemoteServer RemoteServer;
typedef struct RemoteEventSubs RemoteEventSubs;   /* the client's event callbacks: events.c's */
typedef struct RemoteStream RemoteStream;         /* an open stream: streams.c's */

/* libvirt's remote_auth_type */
typedef enum RemoteAuthType {
        REMOTE_AUTH_NONE = 0,
        REMOTE_AUTH_SASL = 1,
        REMOTE_AUTH_POLKIT = 2,
} RemoteAuthType;

typedef struct RemoteClient RemoteClient;

/* The fields the protocol code reads and writes. The transport allocates the client (with private
 * fields after these: client-internal.h) and frees it when the last reference goes. */
struct RemoteClient {
        unsigned n_ref;
        RemoteServer *server;
        Manager *manager;
        Connection *conn;               /* set by connect_open; NULL before */
        Identity who;                   /* SO_PEERCRED for unix sockets; uid -1 for TCP */
        bool readonly;                  /* the read-only socket, or connect_open with VIR_CONNECT_RO */
        bool authenticated;             /* true from the start when the listener's auth is none */
        RemoteAuthType auth_type;       /* what auth_list answers */
        bool keepalive_requested;       /* feature 10 was asked: the server may ping now */
        bool close_callback;            /* connect_register_close_callback */
        bool closing;                   /* no more dispatch; output is flushed, then the socket closed */
        RemoteEventSubs *subs;          /* NULL until the first event registration */
        RemoteStream *streams;          /* open streams (streams.c), freed before the client */
        unsigned pending;               /* calls in flight (max_client_requests) */
        /* Authorization (auth_unix_rw/ro = "polkit"), set by server.c right after accept(). */
        struct Authz *authz;            /* NULL: polkit checks are refused */
        uint64_t start_time;            /* of who.pid (/proc/PID/stat), for a race-free polkit subject */
        bool auth_in_progress;          /* an auth_polkit check is pending */
        bool authz_api;                 /* access_drivers = [ "polkit" ]: org.libvirt.api.* checks (dispatch.c) */
        /* SASL (auth_tcp / auth_tls = "sasl"): the session while it negotiates (sasl-auth.h). */
        struct RemoteSasl *sasl;
        bool sasl_busy;                 /* a start or step runs in a worker thread (it holds the session) */
        char *sasl_username;            /* once authenticated by SASL */
        char *x509_dname;               /* a TLS client's certificate DN, once its handshake is done */
};

/* --- provided by the transport (client-*.c, server-*.c) --- */

RemoteClient *remote_client_ref(RemoteClient *c);
RemoteClient *remote_client_unref(RemoteClient *c);
/* Queue a complete packet (length word included) for sending, in order. Takes packet (malloc'ed)
 * in every case. A client whose queue would pass its limit is dropped: -ENOBUFS. */
int remote_client_send(RemoteClient *c, uint8_t *packet, size_t len);
/* The same with descriptors sent after the packet (a REPLY_WITH_FDS), taken in every case:
 * -ENOTSUP (closed, nothing queued) when the client's transport cannot carry them. */
int remote_client_send_fds(RemoteClient *c, uint8_t *packet, size_t len, const int *fds, size_t n_fds);
/* A packet in two parts, sent as one: head (malloc'ed: the length word, the header) and body
 * (a stream's buffer, which goes out as it is; body_free() frees it once sent). Both are taken in
 * every case; errors as remote_client_send(). */
int remote_client_send_body(RemoteClient *c, uint8_t *head, size_t len, void *body, size_t body_len,
                            void (*body_free)(void *));
/* Whether this client's connection carries descriptors (a unix socket without TLS or SASL). */
bool remote_client_can_pass_fds(RemoteClient *c);
/* Stop reading; close once the queued output is out (after a fatal protocol error). */
void remote_client_close(RemoteClient *c);
/* Feature 10 was asked: start the keepalive timer (PING after keepalive_interval idle). */
void remote_client_keepalive_start(RemoteClient *c);
/* A PONG (or any packet) arrived: the peer is alive. */
void remote_client_keepalive_seen(RemoteClient *c);
/* Streams: stop reading the client's packets while an upload's sink is full, and go on. Pauses
 * nest: input resumes when every pause is resumed. */
void remote_client_pause_input(RemoteClient *c);
void remote_client_resume_input(RemoteClient *c);
/* Bytes queued for the client and not yet written: a download waits while it is large. */
size_t remote_client_output_bytes(RemoteClient *c);
/* max_client_streams: streams the client may have open at once (0: no limit). */
unsigned remote_client_max_streams(RemoteClient *c);
/* SASL: a session for c's connection (its addresses, and its TLS layer's strength); the layer
 * l goes on top of c's layers once the reply sent next (the last in plaintext) is out. */
int remote_client_sasl_new(RemoteClient *c, struct RemoteSasl **out, char *errbuf, size_t errlen);
typedef struct RemoteLayer RemoteLayer;
void remote_client_push_layer_after_reply(RemoteClient *c, RemoteLayer *l);
/* c's connection has a TLS layer whose handshake is done. */
bool remote_client_has_tls(RemoteClient *c);
/* c came through a unix socket (read-write or read-only): secure as it is, as libvirt deems it. */
bool remote_client_is_unix(RemoteClient *c);
/* The peer as log messages name it ("127.0.0.1:41330", "pid 12, uid 0"). */
const char *remote_client_peer_name(RemoteClient *c);
/* sasl_allowed_username_list (NULL: anyone), and a failed authentication counted server-wide:
 * returns the count so far. */
char *const *remote_server_sasl_allowed(RemoteServer *s);
unsigned remote_server_auth_failed(RemoteServer *s);

/* Every client of the server, for event delivery (the callback may send). */
void remote_server_foreach_client(RemoteServer *s, void (*fn)(RemoteClient *c, void *userdata), void *userdata);
/* A server-wide counter for event callback ids (libvirt's are shared across connections). */
int remote_server_next_callback_id(RemoteServer *s);

/* The admin interface's view of a client (libvirt's virAdmClient and virAdmClientGetInfo). */
typedef enum RemoteClientTransport {      /* libvirt's virClientTransport */
        REMOTE_CLIENT_TRANS_UNIX = 0,
        REMOTE_CLIENT_TRANS_TCP = 1,
        REMOTE_CLIENT_TRANS_TLS = 2,
} RemoteClientTransport;

typedef struct RemoteClientInfo {
        unsigned id;
        int64_t connected_at;           /* seconds since the epoch */
        RemoteClientTransport transport;
        bool admin;                     /* a client of the admin socket (server "admin") */
        bool readonly;
        char address[80];               /* TCP/TLS: "host:port"; "" for unix sockets */
        bool has_cred;                  /* unix sockets: uid, gid and pid are the peer's */
        uid_t uid;
        gid_t gid;
        pid_t pid;
        const char *sasl_username;      /* NULL unless authenticated by SASL; owned by the client */
        const char *x509_dname;         /* NULL without a TLS client certificate; owned by the client */
} RemoteClientInfo;

unsigned remote_client_id(const RemoteClient *c);
bool remote_client_is_admin(const RemoteClient *c);
/* -ENOTCONN once dropped. */
int remote_client_info(RemoteClient *c, RemoteClientInfo *out);
/* The live client with that id (admin clients included), or NULL. */
RemoteClient *remote_server_find_client(RemoteServer *s, unsigned id);
/* The server's i-th client in the order they came (dropped ones included until reaped), NULL
 * past the end. */
RemoteClient *remote_server_client_at(RemoteServer *s, size_t i);
/* Counts for the admin interface's client limits. */
size_t remote_server_n_unauthenticated(RemoteServer *s);
/* Reload the TLS credentials from their files now (admin: server-update-tls): 0, or a negative
 * errno with a message in errbuf while the previous credentials stay in service. */
int remote_server_update_tls(RemoteServer *s, char *errbuf, size_t errlen);

/* --- what the transport calls on the protocol side --- */

/* The protocol side as the transport sees it: an ops table given to the server when it is made
 * (proto/'s remote_protocol in the daemon, a double in the transport's unit tests), so the
 * transport links nothing of the protocol. */
typedef struct RemoteProtocol {
        /* One complete incoming packet: len includes the length word, 28 <= len <= the maximum
         * (the transport checks the length word before it allocates). Replies go out through
         * remote_client_send(); a pending call keeps a reference to c. */
        void (*packet)(RemoteClient *c, const uint8_t *packet, size_t len);
        /* Optional. A CALL_WITH_FDS (type 4) with the n_fds descriptors (CLOEXEC, at most
         * PACKET_FDS_MAX) that came after it on a unix socket, in order. It owns them from now
         * and closes each it does not keep. Without it they are closed and packet() gets the
         * call. */
        void (*packet_fds)(RemoteClient *c, const uint8_t *packet, size_t len, int *fds, size_t n_fds);
        /* Optional, all three or none: a packet's payload read straight into a buffer of the
         * protocol side's, so that bulk data (a stream's) is never copied out of the packet.
         * payload_buf() is asked once the header (the first PACKET_LEN_MIN bytes, its length word
         * checked) of a packet too long for the inline buffer has been read: a buffer of
         * payload_len bytes, or NULL to have the packet read whole and given to packet() as
         * usual. The transport fills the buffer, then hands it over with packet_payload() (which
         * owns it from then on), or gives it back to payload_free() when the client goes before
         * the packet is complete. */
        void *(*payload_buf)(RemoteClient *c, const uint8_t *header, size_t payload_len);
        void (*packet_payload)(RemoteClient *c, const uint8_t *header, void *payload, size_t payload_len);
        void (*payload_free)(void *payload);
        /* A core notice: send the MESSAGE packets c's event callbacks ask for. */
        void (*notice)(RemoteClient *c, const Notice *n);
        /* The output queue has been written out (from the socket's writability, never from
         * inside remote_client_send()): streams waiting for room go on. */
        void (*output_drained)(RemoteClient *c);
        /* c was dropped: abort its streams. */
        void (*dropped)(RemoteClient *c);
        /* c is being freed: abort its streams and free its event subscriptions. */
        void (*freed)(RemoteClient *c);
        /* A keepalive packet (proc 1 PING or 2 PONG), newly allocated. */
        int (*keepalive)(int proc, uint8_t **packet, size_t *len);
} RemoteProtocol;
