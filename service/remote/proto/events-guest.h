/* events-guest.h: the guest's own domain events on the remote door (events-guest.c), for events.c. */
#pragma once

#include <stdbool.h>

#include "dispatch.h"
#include "manager.h"

/* The procedure a domain subscription (event id, legacy or callback) gets for a guest event
 * notice; 0 when none. */
int remote_guest_event_proc(int event_id, bool legacy, const Notice *n);
/* The message after its header: {int callbackID;} the domain and the event's fields (power
 * management callbacks: {int callbackID; int reason; dom}). false when it cannot be built. */
bool remote_put_guest_event(XdrWriter *w, int callback_id, bool legacy, const Notice *n, int proc);
