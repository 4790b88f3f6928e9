/* crypto-module.c: virtbusd's side of the TLS/SASL module: the functions of tls-context.h,
 * layer-tls.h and sasl-auth.h that the rest of the daemon calls, forwarded to
 * virtbus-remote-crypto.so, which is loaded the first time one is needed (crypto-module.h). */
#define LOG_MODULE "remote"
#include "crypto-module.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"

static const RemoteCryptoOps *ops;

/* Beside the running binary first (a build tree), then the installed module directory. */
static void *module_open(char *why, size_t whylen) {
        char exe[PATH_MAX], path[PATH_MAX + 64];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(path, sizeof path, "%s/%s", exe, REMOTE_CRYPTO_MODULE_NAME);
                        if (access(path, R_OK) != 0)
                                snprintf(path, sizeof path, "%s/%s", MODULE_DIR, REMOTE_CRYPTO_MODULE_NAME);
                }
        } else
                snprintf(path, sizeof path, "%s/%s", MODULE_DIR, REMOTE_CRYPTO_MODULE_NAME);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                snprintf(why, whylen, "cannot load the TLS/SASL module: %s", dlerror());
        return h;
}

/* The table, loading the module on the first call; NULL with why filled when it cannot. */
static const RemoteCryptoOps *crypto(char *why, size_t whylen) {
        if (ops)
                return ops;
        void *h = module_open(why, whylen);
        if (!h)
                return NULL;
        const RemoteCryptoOps *t = dlsym(h, REMOTE_CRYPTO_TABLE);
        if (!t || t->abi != REMOTE_CRYPTO_ABI) {
                snprintf(why, whylen, "%s is not this virtbusd's TLS/SASL module%s", REMOTE_CRYPTO_MODULE_NAME,
                         t ? " (another version)" : "");
                dlclose(h);
                return NULL;
        }
        log_debug("TLS/SASL module loaded");
        ops = t;
        return ops;
}

/* For the calls that have no error text of their own: the reason goes to the log. */
static const RemoteCryptoOps *crypto_logged(void) {
        char why[PATH_MAX + 128] = "";
        const RemoteCryptoOps *t = crypto(why, sizeof why);
        if (!t)
                log_error("%s", why);
        return t;
}

int tls_context_load(const Config *cfg, bool system, TlsContext **out, char *errbuf, size_t errlen) {
        const RemoteCryptoOps *t = crypto(errbuf, errlen);
        return t ? t->tls_context_load(cfg, system, out, errbuf, errlen) : -ELIBACC;
}

/* Only a context the module made exists: no context, no module to load. */
TlsContext *tls_context_unref(TlsContext *c) {
        return c && ops ? ops->tls_context_unref(c) : NULL;
}

int remote_layer_tls_new(TlsContext *ctx, RemoteLayer **out) {
        const RemoteCryptoOps *t = crypto_logged();
        return t ? t->layer_tls_new(ctx, out) : -ELIBACC;
}

int remote_sasl_global_init(char *errbuf, size_t errlen) {
        const RemoteCryptoOps *t = crypto(errbuf, errlen);
        return t ? t->sasl_global_init(errbuf, errlen) : -ELIBACC;
}

int remote_sasl_new(const char *local, const char *remote, unsigned external_ssf, bool unix_socket, RemoteSasl **out,
                    char *errbuf, size_t errlen) {
        const RemoteCryptoOps *t = crypto(errbuf, errlen);
        return t ? t->sasl_new(local, remote, external_ssf, unix_socket, out, errbuf, errlen) : -ELIBACC;
}

RemoteSasl *remote_sasl_free(RemoteSasl *s) {
        return s && ops ? ops->sasl_free(s) : NULL;
}

/* The rest take a session, which only the loaded module can have made. */
int remote_sasl_mechlist(RemoteSasl *s, char **out, char *why, size_t whylen) {
        return ops->sasl_mechlist(s, out, why, whylen);
}

RemoteSaslResult remote_sasl_start(RemoteSasl *s, const char *mech, const void *in, size_t inlen, bool nil,
                                   const void **out, size_t *outlen, char *why, size_t whylen) {
        return ops->sasl_start(s, mech, in, inlen, nil, out, outlen, why, whylen);
}

RemoteSaslResult remote_sasl_step(RemoteSasl *s, const void *in, size_t inlen, bool nil, const void **out,
                                  size_t *outlen, char *why, size_t whylen) {
        return ops->sasl_step(s, in, inlen, nil, out, outlen, why, whylen);
}

unsigned remote_sasl_ssf(RemoteSasl *s) {
        return ops->sasl_ssf(s);
}

const char *remote_sasl_username(RemoteSasl *s) {
        return ops->sasl_username(s);
}

int remote_layer_sasl_new(RemoteSasl *s, RemoteLayer **out) {
        return ops->layer_sasl_new(s, out);
}

bool remote_sasl_user_allowed(char *const *list, const char *user) {
        if (!list)
                return true;
        const RemoteCryptoOps *t = crypto_logged();
        return t ? t->sasl_user_allowed(list, user) : false;
}
