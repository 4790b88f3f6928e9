/* server-reload.h: what SIGHUP changes in the remote server. */
#pragma once

#include "client.h"
#include "config.h"

/* SIGHUP: apply the keys that can change live (max_clients, max_anonymous_clients,
 * max_client_requests, keepalive_interval, keepalive_count). Socket keys take effect at the
 * next start; a change to them is logged. */
int remote_server_reconfigure(RemoteServer *s, const Config *cfg);
