/* crypto-module.h: the TLS and SASL code (gnutls, cyrus-sasl) as a module loaded on first use.
 *
 * tls-context.c, layer-tls.c and sasl-auth.c are built into virtbus-remote-crypto.so beside
 * virtbusd; virtbusd itself links crypto-module.c, which defines the same functions as those
 * files' headers declare and forwards them to the module's table, loading the module the first
 * time one of them is called (a TLS listener or a SASL set-up at start, else never). A daemon
 * serving unix sockets only therefore maps neither gnutls (and p11-kit) nor cyrus-sasl.
 * The module is built with hidden visibility: only the table is exported, so its internal calls
 * bind to its own functions, never to virtbusd's forwarding ones of the same name. */
#pragma once

#include "layer-tls.h"
#include "sasl-auth.h"
#include "tls-context.h"

#define REMOTE_CRYPTO_MODULE_NAME "virtbus-remote-crypto.so"
#define REMOTE_CRYPTO_TABLE "remote_crypto_module"
#define REMOTE_CRYPTO_ABI 2             /* 2: sasl_new takes unix_socket */

typedef struct RemoteCryptoOps {
        unsigned abi;                   /* REMOTE_CRYPTO_ABI */
        int (*tls_context_load)(const Config *cfg, bool system, TlsContext **out, char *errbuf, size_t errlen);
        TlsContext *(*tls_context_unref)(TlsContext *c);
        int (*layer_tls_new)(TlsContext *ctx, RemoteLayer **out);
        int (*sasl_global_init)(char *errbuf, size_t errlen);
        int (*sasl_new)(const char *local, const char *remote, unsigned external_ssf, bool unix_socket,
                        RemoteSasl **out, char *errbuf, size_t errlen);
        RemoteSasl *(*sasl_free)(RemoteSasl *s);
        int (*sasl_mechlist)(RemoteSasl *s, char **out, char *why, size_t whylen);
        RemoteSaslResult (*sasl_start)(RemoteSasl *s, const char *mech, const void *in, size_t inlen, bool nil,
                                       const void **out, size_t *outlen, char *why, size_t whylen);
        RemoteSaslResult (*sasl_step)(RemoteSasl *s, const void *in, size_t inlen, bool nil, const void **out,
                                      size_t *outlen, char *why, size_t whylen);
        unsigned (*sasl_ssf)(RemoteSasl *s);
        const char *(*sasl_username)(RemoteSasl *s);
        int (*layer_sasl_new)(RemoteSasl *s, RemoteLayer **out);
        bool (*sasl_user_allowed)(char *const *list, const char *user);
} RemoteCryptoOps;
