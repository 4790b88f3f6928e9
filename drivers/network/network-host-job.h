/* network-host-job.h: network_host_up/down (netlink and libnftables calls) in a thread of their own, the result posted back to the event loop through an eventfd. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "network-plan.h"

/* On the event loop: up or down is done; r and err as network_host_up() answered (down: 0). */
typedef void (*NetworkHostDoneFn)(int r, const VbError *err, void *userdata);

/* Run network_host_up (up) or network_host_down (!up) on plan in a new thread; plan must stay
 * unchanged until done is called. 0, or -1 with err set (no thread: done is not called). */
int network_host_run(sd_event *e, const NetworkPlan *plan, bool up, NetworkHostDoneFn done, void *userdata,
                     VbError *err);
