/* admin.h: libvirt's admin program (virt-admin) as a protocol side for the admin socket. */
#pragma once

#include "client.h"

/* For remote_server_add_admin(): servers "libvirtd" (the remote door's clients) and "admin". */
extern const RemoteProtocol remote_admin_protocol;
