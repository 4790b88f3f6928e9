/* protocol.c: the protocol side as one ops table for the transport. */
#include "protocol.h"

#include "domain-fdgroup.h"

static void protocol_client_freed(RemoteClient *c) {
        remote_streams_free(c);
        domain_fd_groups_release(c);
        if (c->subs) {
                remote_event_subs_free(c->subs);
                c->subs = NULL;
        }
}

const RemoteProtocol remote_protocol = {
        .packet = remote_dispatch,
        .packet_fds = remote_dispatch_fds,
        .payload_buf = remote_payload_buf,
        .packet_payload = remote_dispatch_payload,
        .payload_free = remote_payload_free,
        .notice = remote_events_deliver,
        .output_drained = remote_streams_output_drained,
        .dropped = remote_streams_free,
        .freed = protocol_client_freed,
        .keepalive = remote_packet_keepalive,
};
