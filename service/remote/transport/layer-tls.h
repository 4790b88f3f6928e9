/* layer-tls.h: the TLS layer pushed on the clients of a TLS listener. */
#pragma once

#include "tls-context.h"
#include "transport.h"

/* A server-side TLS layer with ctx's credentials (it takes a reference). Its handshake runs
 * gnutls's, checks the client's certificate (tls_context_check_peer) and sends libvirt's
 * confirmation byte; a refused client fails the handshake with -EACCES, logged with its address. */
int remote_layer_tls_new(TlsContext *ctx, RemoteLayer **out);
