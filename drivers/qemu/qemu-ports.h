/* qemu-ports.h: the TCP ports of automatic VNC, SPICE and websocket displays, reserved per guest. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* One bit per TCP port: reserved for a guest of this connection. A start reserves before QEMU
 * binds, so two guests starting together never get the same port; a restart reserves again
 * the ports the running guests' live definitions show. */
typedef struct QemuPorts {
        uint64_t used[65536 / 64];
} QemuPorts;

/* The lowest port of [min, max] not reserved here and free on the host (a bind test, as
 * libvirt's), now reserved; -1 when there is none. */
int qemu_ports_acquire(QemuPorts *p, int min, int max);
/* Reserve a port QEMU holds already (a guest found again after a restart). */
void qemu_ports_hold(QemuPorts *p, int port);
/* Give a port back (no effect on a port not reserved or out of range). */
void qemu_ports_release(QemuPorts *p, int port);
bool qemu_ports_reserved(const QemuPorts *p, int port);
