/* sasl-auth.h: a client's SASL authentication (cyrus-sasl, application "libvirt") and, when it negotiated one, its security layer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "transport.h"

typedef struct RemoteSasl RemoteSasl;

/* The outcome of a start or a step. */
typedef enum RemoteSaslResult {
        REMOTE_SASL_CONTINUE,           /* send out back and wait for the next step */
        REMOTE_SASL_DONE,               /* authenticated by SASL (the caller checks SSF and user) */
        REMOTE_SASL_FAILED,             /* why says what */
} RemoteSaslResult;

/* Load the plugins and /etc/sasl2/libvirt.conf (or $SASL_CONF_PATH/libvirt.conf) once. */
int remote_sasl_global_init(char *errbuf, size_t errlen);

/* A SASL server session for the peer at remote over the socket at local ("ip;port" each, as
 * cyrus-sasl wants them). external_ssf: the TLS layer's strength, 0 on plain TCP, where a
 * security layer of at least 56 bits is required (as libvirt does). unix: a unix socket, secure
 * as it is (as libvirt deems it): no security layer is asked for nor negotiated. */
int remote_sasl_new(const char *local, const char *remote, unsigned external_ssf, bool unix_socket, RemoteSasl **out,
                    char *errbuf, size_t errlen);
RemoteSasl *remote_sasl_free(RemoteSasl *s);

/* The mechanisms on offer, comma-separated. */
int remote_sasl_mechlist(RemoteSasl *s, char **out, char *why, size_t whylen);
RemoteSaslResult remote_sasl_start(RemoteSasl *s, const char *mech, const void *in, size_t inlen, bool nil,
                                   const void **out, size_t *outlen, char *why, size_t whylen);
RemoteSaslResult remote_sasl_step(RemoteSasl *s, const void *in, size_t inlen, bool nil, const void **out,
                                  size_t *outlen, char *why, size_t whylen);
/* After DONE: the negotiated security layer's strength (0: none) and the user's name. */
unsigned remote_sasl_ssf(RemoteSasl *s);
const char *remote_sasl_username(RemoteSasl *s);

/* The security layer over the layer below: every byte encoded and decoded by s, which the layer
 * takes over (it frees s). Only for a session whose ssf > 0. */
int remote_layer_sasl_new(RemoteSasl *s, RemoteLayer **out);

/* libvirt's wildcard match ('*', '?') of sasl_allowed_username_list; NULL list: anyone. */
bool remote_sasl_user_allowed(char *const *list, const char *user);
