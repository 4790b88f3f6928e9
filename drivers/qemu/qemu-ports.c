/* qemu-ports.c: the TCP ports of automatic VNC, SPICE and websocket displays, reserved per guest. */
#include "qemu-ports.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static bool in_range(int port) {
        return port > 0 && port < 65536;
}

bool qemu_ports_reserved(const QemuPorts *p, int port) {
        return in_range(port) && (p->used[port / 64] >> (port % 64)) & 1u;
}

void qemu_ports_hold(QemuPorts *p, int port) {
        if (in_range(port))
                p->used[port / 64] |= UINT64_C(1) << (port % 64);
}

void qemu_ports_release(QemuPorts *p, int port) {
        if (in_range(port))
                p->used[port / 64] &= ~(UINT64_C(1) << (port % 64));
}

/* Free on the host: nobody (another program, a QEMU of another daemon) listens on it. QEMU
 * binds it itself later; the reservation covers the time between. */
static bool port_free(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                  .sin_addr.s_addr = htonl(INADDR_ANY) };
        int r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
        close(fd);
        return r == 0;
}

int qemu_ports_acquire(QemuPorts *p, int min, int max) {
        if (min < 1)
                min = 1;
        if (max > 65535)
                max = 65535;
        for (int port = min; port <= max; port++) {
                if (qemu_ports_reserved(p, port) || !port_free(port))
                        continue;
                qemu_ports_hold(p, port);
                return port;
        }
        return -1;
}
