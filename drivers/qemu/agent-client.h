/* agent-client.h: a client of QEMU's guest agent (qemu-ga) on sd-event: line-delimited JSON over the channel's unix socket, each command preceded by guest-sync-delimited, one command in flight, a timeout per command. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

/* A line bigger than this drops the connection (closed with -EMSGSIZE). */
#define AGENT_MESSAGE_MAX ((size_t) 10 * 1024 * 1024)
#define AGENT_QUEUE_MAX 64              /* commands waiting behind the one in flight */

typedef struct Agent Agent;

/* The answer to one command: ret is the "return" value (NULL for a command that answers
 * nothing on success) and error_class NULL; or error_class is the agent's ("GenericError", …)
 * or one of ours: "Timeout" (no answer in time), "Disconnected" (the socket went away or the
 * client was closed first). Borrowed for the duration of the call. Called exactly once per
 * accepted command, never from inside agent_send(). */
typedef void (*AgentReplyFn)(Agent *a, json_object *ret, const char *error_class, const char *error_desc,
                             void *userdata);
/* The socket went away (reason 0 at EOF, else a negative errno); pending commands have
 * already been failed. The caller still owns a (agent_close()). */
typedef void (*AgentClosedFn)(Agent *a, int reason, void *userdata);

enum {
        /* The command answers nothing when it succeeds (guest-shutdown): success once it is
         * written and no error came back within the settle time, or the agent went away. */
        AGENT_SEND_NO_REPLY = 1u << 0,
};
#define AGENT_NO_REPLY_SETTLE_USEC (2 * 1000000ULL)

/* Connect to the agent socket at path (QEMU listens: -chardev socket,server=on). Never blocks.
 * Returns 0, or a negative errno (-ENAMETOOLONG, the connect's error). */
int agent_open(sd_event *e, const char *path, AgentClosedFn closed, void *userdata, Agent **out);

/* Queue cmd ({"execute": …, "arguments": …}; taken in every case). timeout_usec bounds the
 * synchronisation and the command together (0: none). Returns 0 (fn will be called once), or
 * -ENOTCONN after a close, -EBUSY when AGENT_QUEUE_MAX commands wait, -ENOMEM. */
int agent_send(Agent *a, json_object *cmd, uint64_t timeout_usec, unsigned flags, AgentReplyFn fn, void *userdata);

/* Disconnect and free: pending commands get fn(a, NULL, "Disconnected", …) from inside this
 * call; closed is not called. Safe from any callback. Returns NULL. */
Agent *agent_close(Agent *a);

/* Fail every queued command with "Disconnected" and forget any partial input (the guest side
 * closed its port: whatever was asked will not be answered). The socket stays. */
void agent_reset(Agent *a);
