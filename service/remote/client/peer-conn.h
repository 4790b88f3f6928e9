/* peer-conn.h: one outgoing remote-protocol connection of the daemon's own (a client of another daemon): non-blocking on the event loop, one call in flight at a time. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

typedef struct PeerConn PeerConn;

/* The reply to the call in flight: status 0 (OK: body its result) or 1 (ERROR: body a
 * remote_error); or negative errno: the connection failed (no body). The callback may free c. */
typedef void (*PeerReplyFn)(PeerConn *c, int status, const uint8_t *body, size_t len, void *userdata);

/* Take fd (a non-blocking stream socket, connected or connecting). NULL: out of memory (fd closed). */
PeerConn *peer_conn_new(sd_event *event, int fd, PeerReplyFn fn, void *userdata);
/* Send REMOTE_PROGRAM's procedure proc with args; the reply comes to fn. -EBUSY while one is in flight. */
int peer_conn_call(PeerConn *c, uint32_t proc, const uint8_t *args, size_t len);
PeerConn *peer_conn_free(PeerConn *c);
