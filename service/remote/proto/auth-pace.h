/* auth-pace.h: failed authentications answered after a pause (auth-pace.c). */
#pragma once

#include <stdint.h>

#include "dispatch.h"

/* libvirtd answers a failed SASL step at once and keeps the connection for another try;
 * virtbusd answers it delay_usec later, from a timer (the loop keeps serving), then closes the
 * connection. rc->err holds the error to send. Returns what the handler returns
 * (REMOTE_REPLY_LATER; -1 with the error answered at once if no timer can be had). */
#define REMOTE_AUTH_FAIL_DELAY_USEC (1000ull * 1000ull)
int remote_auth_fail_paced(RemoteCall *rc, uint64_t delay_usec);
