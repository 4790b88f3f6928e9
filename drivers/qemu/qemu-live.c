/* qemu-live.c: the running definition's live values (automatic display ports). */
#include "qemu-live.h"

#include <string.h>

#include "domain-priv.h"

void qemu_live_set_display_ports(DomainDef *live, int vnc_port, int spice_port) {
        if (!live || !live->priv)
                return;
        DomainDevices *dev = &live->priv->devices;
        for (size_t i = 0; i < dev->n_graphics; i++) {
                DomainGraphics *g = &dev->graphics[i];
                /* "automatic" as qemu-command-devices.c decides it */
                bool autoport = (g->autoport && strcmp(g->autoport, "yes") == 0) || !g->port.set || g->port.v == -1;
                int port = !g->type ? -1 : strcmp(g->type, "vnc") == 0 ? vnc_port
                                         : strcmp(g->type, "spice") == 0 ? spice_port : -1;
                if (autoport && port > 0)
                        g->port = (ConfInt) { .set = true, .v = port };
        }
}
