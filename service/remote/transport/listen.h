/* listen.h: the remote door's listening sockets: unix sockets, TCP, and sockets passed by systemd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum ListenKind {
        LISTEN_UNIX_RW,
        LISTEN_UNIX_RO,
        LISTEN_TCP,
        LISTEN_TLS,             /* TCP with a TLS layer on every client (listen_tls) */
} ListenKind;
#define LISTEN_N_KINDS 4

typedef struct ListenSocket {
        int fd;                 /* listening, non-blocking, close-on-exec */
        ListenKind kind;
        char *name;             /* for messages: the path, or address:port */
        char *path;             /* a unix socket file this process created (unlinked on close), else NULL */
        dev_t dev;              /* of path when it was bound, so that another daemon's file is never removed */
        ino_t ino;
} ListenSocket;

/* mkdir -p: missing components are created with mode; existing ones are left as they are. */
int listen_mkdir_p(const char *dir, mode_t mode, char *errbuf, size_t errlen);

/* A listening unix socket at path with mode and, unless gid is (gid_t) -1, that group. A socket
 * file left by a dead process (connect() is refused) is removed and taken over; one a live
 * process listens on is refused with -EADDRINUSE ("... is in use by another process"), and
 * anything that is not a socket with -EEXIST. The socket file never has wider permissions than
 * mode, not even between bind() and chmod(). */
int listen_unix(const char *path, ListenKind kind, mode_t mode, gid_t gid, ListenSocket *out,
                char *errbuf, size_t errlen);

/* Listening TCP sockets for addr (NULL = every address) and port: one per address family the
 * name resolves to (IPv6 sockets are IPv6-only). *out is a new array of *n_out sockets.
 * Resolving a host name may block: call it at startup only. */
int listen_tcp(const char *addr, const char *port, ListenSocket **out, size_t *n_out, char *errbuf, size_t errlen);

/* Take a socket passed by systemd. name is its FileDescriptorName (virtbusd.socket,
 * virtbusd-ro.socket, virtbusd-tcp.socket, virtbusd-tls.socket, or libvirtd's unit names) or NULL/"unknown"; without
 * a known name, a unix socket whose path ends in "-ro" is the read-only one and other unix
 * sockets are read-write (except an admin socket), and an inet socket is TCP (a TLS socket must be named). Returns 0 and
 * fills *out (path NULL: systemd owns the file), or -EINVAL when fd is not a socket this door
 * can serve (the caller closes it). The fd is made non-blocking. */
int listen_adopt(int fd, const char *name, ListenSocket *out, char *errbuf, size_t errlen);

/* Close the socket; a socket file this process created is removed if it is still the same file. */
void listen_socket_close(ListenSocket *l);

/* "0700" → 0700; -EINVAL unless the string is octal digits giving at most 07777. */
int listen_parse_mode(const char *s, mode_t *out);

const char *listen_kind_name(ListenKind kind);
