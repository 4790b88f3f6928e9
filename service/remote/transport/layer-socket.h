/* layer-socket.h: the bottom layer of a connection: the plain socket. */
#pragma once

#include "layer.h"

/* The plain socket layer over fd (non-blocking, owned by the layer from now, closed even on
 * failure). */
int remote_layer_socket_new(int fd, RemoteLayer **out);
