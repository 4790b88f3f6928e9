/* qmp.h: a QMP (QEMU monitor) client on sd-event: connect, negotiate, commands matched to replies by id, events. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

/* A message bigger than this drops the monitor (closed with -EMSGSIZE). */
#define QMP_MESSAGE_MAX ((size_t) 10 * 1024 * 1024)

typedef struct Qmp Qmp;

/* The answer to one command: ret is the "return" value and error_class NULL, or ret is NULL
 * and error_class/error_desc say why ("GenericError", …; "Disconnected" when the monitor went
 * away first). Everything is borrowed for the duration of the call (json_object_get() to keep
 * ret). Called exactly once per accepted command, never from inside qmp_send(). */
typedef void (*QmpReplyFn)(Qmp *q, json_object *ret, const char *error_class, const char *error_desc,
                           void *userdata);
/* An asynchronous event ("STOP", "SHUTDOWN", …); data may be NULL; both borrowed. */
typedef void (*QmpEventFn)(Qmp *q, const char *event, json_object *data, void *userdata);
/* The monitor went away after it was ready: reason 0 at EOF (or -ECONNRESET when QEMU exited
 * with input unread: the same thing), -EMSGSIZE for a message over QMP_MESSAGE_MAX, -EPROTO for
 * bytes that are not QMP, another negative errno for a socket error. Pending replies have already been failed. The caller still owns q (qmp_close()). */
typedef void (*QmpClosedFn)(Qmp *q, int reason, void *userdata);
/* The handshake (connect, greeting, qmp_capabilities) ended: r == 0 ready for commands, or a
 * negative errno (-ETIMEDOUT when the deadline passed first). Called exactly once; after a
 * failure nothing else is called and the caller still owns q. */
typedef void (*QmpReadyFn)(Qmp *q, int r, void *userdata);

/* Connect to the unix socket at socket_path (QEMU's -chardev socket,server=on,wait=off),
 * retrying on a timer while the socket does not exist or does not listen yet, then read the
 * greeting and negotiate capabilities. connect_timeout_usec (0: none) bounds the whole
 * handshake. Never blocks; ready is called later, never from inside qmp_open(). Any callback
 * may be NULL and may call qmp_close(). Returns 0, or a negative errno when socket_path cannot
 * work at all (-ENAMETOOLONG). */
int qmp_open(sd_event *e, const char *socket_path, uint64_t connect_timeout_usec, QmpEventFn ev,
             QmpClosedFn closed, QmpReadyFn ready, void *userdata, Qmp **out);
/* The same over an already connected stream socket, which q takes (closed on failure too). */
int qmp_open_fd(sd_event *e, int fd, uint64_t timeout_usec, QmpEventFn ev, QmpClosedFn closed,
                QmpReadyFn ready, void *userdata, Qmp **out);

/* Send {"execute": command, "arguments": args, "id": N}. args (may be NULL) is taken in every
 * case. Commands sent before the handshake ends wait for it, then go out in order. Returns 0
 * (fn will be called once), or -ENOTCONN after a failure or close (fn is never called), or
 * -ENOMEM. */
int qmp_send(Qmp *q, const char *command, json_object *args, QmpReplyFn fn, void *userdata);
/* The same, with fd (taken in every case) passed to QEMU with the command (SCM_RIGHTS on its
 * first byte): for getfd and add-fd. */
int qmp_send_fd(Qmp *q, const char *command, json_object *args, int fd, QmpReplyFn fn, void *userdata);

/* Disconnect and free: pending replies get fn(q, NULL, "Disconnected", …) exactly once, from
 * inside this call; closed and ready are not called. Safe from any callback. Returns NULL. */
Qmp *qmp_close(Qmp *q);

/* The greeting's "QMP" member ({"version": …, "capabilities": …}), borrowed; NULL before it came. */
json_object *qmp_greeting(Qmp *q);
bool qmp_is_ready(const Qmp *q);
