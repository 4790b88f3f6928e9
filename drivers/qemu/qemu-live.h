/* qemu-live.h: what the running definition learns from the start (apart from domain.h: conf's DomainInput device type clashes with the state machine's). */
#pragma once

#include "domain-conf.h"

/* Automatic VNC and SPICE displays get the ports the command line gave them (-1: none). */
void qemu_live_set_display_ports(DomainDef *live, int vnc_port, int spice_port);
