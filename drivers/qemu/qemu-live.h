/* qemu-live.h: what the running definition learns from the start (apart from domain.h: conf's DomainInput device type clashes with the state machine's). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "domain-conf.h"

/* Automatic VNC and SPICE displays get the ports the command line gave them (-1: none). */
/* The automatic VNC, SPICE and websocket ports chosen (0: none) into the running definition. */
void qemu_live_set_display_ports(DomainDef *live, const int ports[3]);
/* Serials and consoles on a pty get the paths QEMU chose (query-chardev: label → "/dev/pts/N"). */
void qemu_live_set_ptys(DomainDef *live, const char *const *labels, const char *const *paths, size_t n);
bool qemu_live_has_pty(const DomainDef *def);
/* Does the definition have a memory balloon (the default virtio one unless model='none')? */
bool qemu_live_has_balloon(const DomainDef *def);
