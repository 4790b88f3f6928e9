/* server-admin.h: the remote server's clients, limits and TLS reload for the core's administration (admin.h). */
#pragma once

#include <stdbool.h>

#include "administration.h"
#include "client.h"

/* The names libvirtd gives them: the remote protocol's clients, and the admin socket's. */
#define REMOTE_ADMIN_SERVER_MAIN "libvirtd"
#define REMOTE_ADMIN_SERVER_ADMIN "admin"

/* Add s to a as the servers "libvirtd" and "admin" (remote_server_free unregisters them); the
 * admin program (proto/admin.c) finds a through remote_server_admin(). */
int remote_server_admin_register(RemoteServer *s, Admin *a);
void remote_server_admin_unregister(RemoteServer *s);
Admin *remote_server_admin(RemoteServer *s);
