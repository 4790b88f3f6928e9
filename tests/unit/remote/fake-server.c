/* fake-server.c: the transport side of client.h for tests: packets are kept, not written to a socket. */
#include "fake-server.h"
#include "transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

RemoteClient *remote_client_ref(RemoteClient *c) {
        if (c)
                c->n_ref++;
        return c;
}

static void client_free(FakeClient *fc) {
        RemoteServer *s = fc->c.server;
        for (size_t i = 0; i < s->n_clients; i++)
                if (s->clients[i] == fc) {
                        memmove(&s->clients[i], &s->clients[i + 1], (s->n_clients - i - 1) * sizeof s->clients[0]);
                        s->n_clients--;
                        break;
                }
        remote_streams_free(&fc->c);
        remote_event_subs_free(fc->c.subs);
        fake_client_clear(fc);
        free(fc->out);
        free(fc);
}

RemoteClient *remote_client_unref(RemoteClient *c) {
        if (c && --c->n_ref == 0)
                client_free((FakeClient *) c);
        return NULL;
}

int remote_client_send(RemoteClient *c, uint8_t *packet, size_t len) {
        FakeClient *fc = (FakeClient *) c;
        if (fc->c.server->send_limit && fc->n_out >= fc->c.server->send_limit) {
                free(packet);
                return -ENOBUFS;
        }
        if (fc->n_out == fc->cap_out) {
                size_t cap = fc->cap_out ? fc->cap_out * 2 : 16;
                FakePacket *out = realloc(fc->out, cap * sizeof *out);
                if (!out) {
                        free(packet);
                        return -ENOMEM;
                }
                fc->out = out;
                fc->cap_out = cap;
        }
        fc->out[fc->n_out++] = (FakePacket) { packet, len };
        fc->output_bytes += len;
        return 0;
}

/* The packet the transport would send as two parts, recorded as one. */
int remote_client_send_body(RemoteClient *c, uint8_t *head, size_t len, void *body, size_t body_len,
                            void (*body_free)(void *)) {
        uint8_t *p = realloc(head, len + body_len);
        if (!p) {
                free(head);
                body_free(body);
                return -ENOMEM;
        }
        memcpy(p + len, body, body_len);
        body_free(body);
        return remote_client_send(c, p, len + body_len);
}

/* The fake clients have no socket: no descriptors travel (libvirt's answer for TCP). */
bool remote_client_can_pass_fds(RemoteClient *c) {
        (void) c;
        return false;
}

int remote_client_send_fds(RemoteClient *c, uint8_t *packet, size_t len, const int *fds, size_t n_fds) {
        if (n_fds) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                free(packet);
                return -ENOTSUP;
        }
        return remote_client_send(c, packet, len);
}

void remote_client_pause_input(RemoteClient *c) {
        ((FakeClient *) c)->input_paused++;
}

void remote_client_resume_input(RemoteClient *c) {
        ((FakeClient *) c)->input_paused--;
}

size_t remote_client_output_bytes(RemoteClient *c) {
        return ((FakeClient *) c)->output_bytes;
}

unsigned remote_client_max_streams(RemoteClient *c) {
        return 0;       /* no limit: the daemon's tests check max_client_streams */
}

void remote_client_close(RemoteClient *c) {
        ((FakeClient *) c)->close_requested = true;
        c->closing = true;
}

void remote_client_keepalive_start(RemoteClient *c) {
        ((FakeClient *) c)->keepalive_starts++;
}

void remote_client_keepalive_seen(RemoteClient *c) {
        ((FakeClient *) c)->keepalive_seen++;
}

void remote_server_foreach_client(RemoteServer *s, void (*fn)(RemoteClient *c, void *userdata), void *userdata) {
        /* a callback may drop a client: walk a copy */
        size_t n = s->n_clients;
        FakeClient **copy = calloc(n ? n : 1, sizeof *copy);
        if (!copy)
                return;
        memcpy(copy, s->clients, n * sizeof *copy);
        for (size_t i = 0; i < n; i++)
                remote_client_ref(&copy[i]->c);
        for (size_t i = 0; i < n; i++) {
                fn(&copy[i]->c, userdata);
                remote_client_unref(&copy[i]->c);
        }
        free(copy);
}

int remote_server_next_callback_id(RemoteServer *s) {
        return s->next_callback_id++;
}

/* ------------------------------------------------------------------ the test's side */

RemoteServer *fake_server_new(Manager *m) {
        RemoteServer *s = calloc(1, sizeof *s);
        if (s)
                s->manager = m;
        return s;
}

static void deliver(RemoteClient *c, void *userdata) {
        remote_events_deliver(c, userdata);
}

static void on_notice(const Notice *n, void *userdata) {
        remote_server_foreach_client(userdata, deliver, (void *) n);
}

void fake_server_observe(RemoteServer *s) {
        if (!s->observing && manager_add_observer(s->manager, on_notice, s) == 0)
                s->observing = true;
}

void fake_server_free(RemoteServer *s) {
        if (!s)
                return;
        if (s->observing)
                manager_remove_observer(s->manager, on_notice, s);
        while (s->n_clients > 0)
                client_free(s->clients[0]);
        free(s->clients);
        free(s);
}

FakeClient *fake_client_new(RemoteServer *s, bool authenticated, RemoteAuthType auth) {
        FakeClient *fc = calloc(1, sizeof *fc);
        FakeClient **list = realloc(s->clients, (s->n_clients + 1) * sizeof *list);
        if (!fc || !list) {
                free(fc);
                return NULL;
        }
        s->clients = list;
        s->clients[s->n_clients++] = fc;
        fc->c.n_ref = 1;
        fc->c.server = s;
        fc->c.manager = s->manager;
        fc->c.who = (Identity) { .uid = (uid_t) -1, .gid = (gid_t) -1 };
        fc->c.authenticated = authenticated;
        fc->c.auth_type = auth;
        return fc;
}

void fake_client_drop(FakeClient *fc) {
        remote_client_unref(&fc->c);
}

void fake_client_clear(FakeClient *fc) {
        for (size_t i = 0; i < fc->n_out; i++)
                free(fc->out[i].data);
        fc->n_out = 0;
        fc->output_bytes = 0;
}

static void put32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

uint32_t fake_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

size_t fake_packet(uint8_t *buf, size_t cap, uint32_t prog, uint32_t vers, int32_t proc, uint32_t type,
                   uint32_t serial, uint32_t status, const void *payload, size_t payload_len) {
        size_t len = 28 + payload_len;
        if (len > cap)
                abort();
        put32(buf, (uint32_t) len);
        put32(buf + 4, prog);
        put32(buf + 8, vers);
        put32(buf + 12, (uint32_t) proc);
        put32(buf + 16, type);
        put32(buf + 20, serial);
        put32(buf + 24, status);
        if (payload_len)
                memcpy(buf + 28, payload, payload_len);
        return len;
}

void fake_call(FakeClient *fc, int32_t proc, uint32_t serial, const void *payload, size_t len) {
        uint8_t *buf = malloc(28 + len);
        if (!buf)
                abort();
        size_t n = fake_packet(buf, 28 + len, 0x20008086u, 1, proc, 0, serial, 0, payload, len);
        remote_dispatch(&fc->c, buf, n);
        free(buf);
}

const FakePacket *fake_out(FakeClient *fc, size_t i) {
        return i < fc->n_out ? &fc->out[i] : NULL;
}

/* SASL (client.h): the fake transport has no socket, so no SASL session can start; a test of
 * procedures 67-69 sees them refused. sasl-auth.c itself is linked for the rest. */
int remote_client_sasl_new(RemoteClient *c, struct RemoteSasl **out, char *errbuf, size_t errlen) {
        snprintf(errbuf, errlen, "no socket in the fake transport");
        return -ENOTSUP;
}

void remote_client_push_layer_after_reply(RemoteClient *c, RemoteLayer *l) {
        l->ops->close(l);
}

const char *remote_client_peer_name(RemoteClient *c) {
        return "fake peer";
}

bool remote_client_has_tls(RemoteClient *c) {
        return false;
}

bool remote_client_is_unix(RemoteClient *c) {
        return false;
}

char *const *remote_server_sasl_allowed(RemoteServer *s) {
        return NULL;
}

unsigned remote_server_auth_failed(RemoteServer *s) {
        return 1;
}

/* auth-pace.c's timer: the double has no loop, so a failed authentication is answered at once. */
sd_event *remote_server_event(RemoteServer *s);     /* server.h's, which the double does not include */
sd_event *remote_server_event(RemoteServer *s) {
        return NULL;
}
