/* protocol.h: the protocol side's entry points, and remote_protocol, the ops table the transport is given. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "client.h"

/* The table the daemon gives remote_server_new(): the functions below. */
extern const RemoteProtocol remote_protocol;

/* Handle one complete incoming packet (dispatch.c). */
void remote_dispatch(RemoteClient *c, const uint8_t *packet, size_t len);
/* The same for a CALL_WITH_FDS and the descriptors that came with it, which it takes. */
void remote_dispatch_fds(RemoteClient *c, const uint8_t *packet, size_t len, int *fds, size_t n_fds);
/* A long packet's header: a buffer for its payload when it is a stream's data, else NULL; the
 * payload once read (route.c). */
void *remote_payload_buf(RemoteClient *c, const uint8_t *header, size_t len);
void remote_dispatch_payload(RemoteClient *c, const uint8_t *header, void *payload, size_t len);
void remote_payload_free(void *payload);
/* A core notice: send the MESSAGE packets c's event callbacks ask for (events.c). */
void remote_events_deliver(RemoteClient *c, const Notice *n);
void remote_event_subs_free(RemoteEventSubs *subs);
/* The output queue has been written out: streams waiting for room go on (streams.c). */
void remote_streams_output_drained(RemoteClient *c);
/* The client is going: abort and forget its streams (streams.c). */
void remote_streams_free(RemoteClient *c);
/* A keepalive packet (proc 1 PING or 2 PONG), newly allocated (packet.c). */
int remote_packet_keepalive(int proc, uint8_t **packet, size_t *len);
