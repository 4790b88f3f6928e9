/* client-fds.c: a remote client's CALL_WITH_FDS: the count after the header checked, the call held until the bytes that carry its descriptors are read, then handed over with them. */
#define LOG_MODULE "remote"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-internal.h"
#include "log.h"

static uint32_t get_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static void client_deliver(Client *c, const uint8_t *p, size_t len) {
        c->proto->packet(&c->pub, p, len);
}

/* The call and its descriptors go to the protocol side, which owns the descriptors from now. */
static void client_deliver_fds(Client *c, const uint8_t *p, size_t len, int *fds, size_t n) {
        if (c->proto->packet_fds) {
                c->proto->packet_fds(&c->pub, p, len, fds, n);
                return;
        }
        for (size_t i = 0; i < n; i++)
                close(fds[i]);
        client_deliver(c, p, len);
}

/* libvirt's server reads the count (a u32 after the header) and closes the connection when it
 * cannot (too short, too many, not a unix socket): the same here, with its words where it
 * has them. The count is checked before the call is copied. */
int client_packet_in(Client *c, uint8_t *p, size_t len, bool owned) {
        c->rx_off += len;
        /* Descriptors sent with the call's own bytes are not the call's: gone, as a plain read
         * would have lost them. */
        remote_transport_drop_fds(c->t, c->rx_off);
        if (get_be32(p + 16) != MSG_CALL_WITH_FDS) {
                client_deliver(c, p, len);
                if (owned)
                        free(p);
                return 1;
        }
        const char *why = NULL;
        uint32_t n = 0;
        if (!remote_transport_can_pass_fds(c->t))
                why = "Receiving file descriptors is not supported on this socket";
        else if (len < PACKET_LEN_MIN + 4)
                why = "Unable to decode number of FDs";
        else if ((n = get_be32(p + PACKET_LEN_MIN)) > PACKET_FDS_MAX)
                why = "Received too many FDs";
        if (why) {
                if (owned)
                        free(p);
                if (n > PACKET_FDS_MAX)
                        remote_client_drop(&c->pub, LOG_LEVEL_WARNING, "%s %u, expected %u maximum", why, n,
                                           PACKET_FDS_MAX);
                else
                        remote_client_drop(&c->pub, LOG_LEVEL_WARNING, "%s", why);
                return -1;
        }
        if (!owned) {
                uint8_t *copy = malloc(len);
                if (!copy) {
                        remote_client_drop(&c->pub, LOG_LEVEL_ERROR, "out of memory for a call with descriptors");
                        return -1;
                }
                memcpy(copy, p, len);
                p = copy;
        }
        c->fd_pkt = p;
        c->fd_pkt_len = len;
        c->fd_want = n;
        c->fd_got = 0;
        return 1;
}

/* libvirt's client sends each descriptor with one byte of its own (sendfd): those bytes follow
 * the call, and each must have brought one. */
int client_fds_collect(Client *c) {
        while (c->fd_got < c->fd_want) {
                if (c->rx_used == 0)
                        return 0;
                int fd = remote_transport_take_fd(c->t, c->rx_off);
                if (fd < 0) {
                        remote_client_drop(&c->pub, LOG_LEVEL_WARNING,
                                           "descriptor %u of %u of a call did not come with its byte", c->fd_got + 1,
                                           c->fd_want);
                        return -1;
                }
                c->fds[c->fd_got++] = fd;
                memmove(c->rx, c->rx + 1, --c->rx_used);
                c->rx_off++;
        }
        uint8_t *p = c->fd_pkt;
        size_t len = c->fd_pkt_len;
        int fds[PACKET_FDS_MAX];
        size_t n = c->fd_got;
        memcpy(fds, c->fds, n * sizeof fds[0]);
        c->fd_pkt = NULL;
        c->fd_pkt_len = 0;
        c->fd_want = c->fd_got = 0;
        client_deliver_fds(c, p, len, fds, n);
        free(p);
        return 1;
}
