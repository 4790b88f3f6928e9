/* tls-context.c: the TLS listener's credentials: libvirt's default PKI paths, checks of the files at load, the client's certificate after a handshake. */
#define LOG_MODULE "remote"

#include "tls-context.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/x509.h>

#include "log.h"

#define TLS_DEFAULT_PRIORITY "NORMAL"
#define TLS_MAX_CA_CERTS 64             /* certificates in ca_file we look at when checking */
#define TLS_DN_MAX 1024

struct TlsContext {
        unsigned n_ref;
        gnutls_certificate_credentials_t creds;
        gnutls_priority_t priority;
        bool no_verify;
        char **allowed_dn;              /* copies; NULL = any */
};

static int tls_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int tls_fail(int r, char *errbuf, size_t errlen, const char *fmt, ...) {
        if (errbuf && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errbuf, errlen, fmt, ap);
                va_end(ap);
        }
        return r;
}

static char **strv_copy(char **v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        char **c = calloc(n + 1, sizeof *c);
        for (size_t i = 0; c && i < n; i++)
                if (!(c[i] = strdup(v[i]))) {
                        for (size_t j = 0; j < i; j++)
                                free(c[j]);
                        free(c);
                        return NULL;
                }
        return c;
}

static void strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

/* ---- settings ---- */

int tls_settings_from_config(TlsSettings *s, const Config *cfg, bool system, char *errbuf, size_t errlen) {
        *s = (TlsSettings) { 0 };
        char *dir = NULL;
        const char *ca_dir, *priv_dir;
        if (system) {
                ca_dir = "/etc/pki/CA";
                dir = strdup("/etc/pki/libvirt");
                priv_dir = "/etc/pki/libvirt/private";
        } else {
                const char *home = getenv("HOME");
                if (!home || home[0] != '/')
                        return tls_fail(-ENOENT, errbuf, errlen,
                                        "HOME is not an absolute path: cannot find ~/.pki/libvirt "
                                        "(set ca_file, cert_file and key_file in virtbusd.conf)");
                if (asprintf(&dir, "%s/.pki/libvirt", home) < 0)
                        dir = NULL;
                ca_dir = priv_dir = dir;
        }
        if (!dir)
                return tls_fail(-ENOMEM, errbuf, errlen, "out of memory");
        int r = 0;
        if (cfg->ca_file ? !(s->ca_file = strdup(cfg->ca_file)) : asprintf(&s->ca_file, "%s/cacert.pem", ca_dir) < 0)
                r = -ENOMEM;
        if (cfg->cert_file ? !(s->cert_file = strdup(cfg->cert_file))
                           : asprintf(&s->cert_file, "%s/servercert.pem", dir) < 0)
                r = -ENOMEM;
        if (cfg->key_file ? !(s->key_file = strdup(cfg->key_file))
                          : asprintf(&s->key_file, "%s/serverkey.pem", priv_dir) < 0)
                r = -ENOMEM;
        s->crl_explicit = cfg->crl_file != NULL;
        if (cfg->crl_file ? !(s->crl_file = strdup(cfg->crl_file)) : asprintf(&s->crl_file, "%s/cacrl.pem", ca_dir) < 0)
                r = -ENOMEM;
        if (r == 0 && !s->crl_explicit && access(s->crl_file, F_OK) < 0) {
                free(s->crl_file);     /* libvirt: the default CRL is used only when it exists */
                s->crl_file = NULL;
        }
        s->no_verify = cfg->tls_no_verify_certificate;
        s->no_sanity = cfg->tls_no_sanity_certificate;
        if (cfg->tls_allowed_dn_list && !(s->allowed_dn = strv_copy(cfg->tls_allowed_dn_list)))
                r = -ENOMEM;
        if (!(s->priority = strdup(cfg->tls_priority ? cfg->tls_priority : TLS_DEFAULT_PRIORITY)))
                r = -ENOMEM;
        free(dir);
        if (r < 0) {
                tls_settings_done(s);
                return tls_fail(r, errbuf, errlen, "out of memory");
        }
        return 0;
}

void tls_settings_done(TlsSettings *s) {
        free(s->ca_file);
        free(s->cert_file);
        free(s->key_file);
        free(s->crl_file);
        strv_free(s->allowed_dn);
        free(s->priority);
        *s = (TlsSettings) { 0 };
}

/* ---- checks of the files ---- */

static void tls_format_time(time_t t, char *buf, size_t len) {
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                snprintf(buf, len, "@%lld", (long long) t);
}

/* The file can be read: "missing", "unreadable: ...", "not a regular file". */
static int tls_check_readable(const char *key, const char *path, char *errbuf, size_t errlen) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return tls_fail(-errno, errbuf, errlen, "%s %s: %s", key, path,
                                errno == ENOENT ? "missing" : errno == EACCES ? "unreadable (permission denied)"
                                                                              : strerror(errno));
        struct stat st;
        int r = fstat(fd, &st) < 0 ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
        close(fd);
        if (r < 0)
                return tls_fail(r, errbuf, errlen, "%s %s: not a regular file", key, path);
        return 0;
}

static int tls_check_times(const char *key, const char *path, gnutls_x509_crt_t crt, char *errbuf, size_t errlen) {
        time_t now = time(NULL);
        time_t act = gnutls_x509_crt_get_activation_time(crt), exp = gnutls_x509_crt_get_expiration_time(crt);
        char when[64];
        if (exp != (time_t) -1 && exp < now) {
                tls_format_time(exp, when, sizeof when);
                return tls_fail(-EKEYEXPIRED, errbuf, errlen, "%s %s: the certificate expired on %s", key, path, when);
        }
        if (act != (time_t) -1 && act > now) {
                tls_format_time(act, when, sizeof when);
                return tls_fail(-EKEYREJECTED, errbuf, errlen, "%s %s: the certificate is not valid before %s", key,
                                path, when);
        }
        return 0;
}

/* The server's certificate must be usable for a TLS server: not a CA, key usage (when present)
 * allowing signatures and key encipherment, purpose (when present) including TLS server. */
static int tls_check_server_usage(const char *path, gnutls_x509_crt_t crt, char *errbuf, size_t errlen) {
        unsigned critical = 0;
        int r = gnutls_x509_crt_get_basic_constraints(crt, &critical, NULL, NULL);
        if (r > 0)
                return tls_fail(-EINVAL, errbuf, errlen, "cert_file %s: wrong key usage: it is a CA certificate, "
                                "not a server certificate", path);
        unsigned usage = 0;
        r = gnutls_x509_crt_get_key_usage(crt, &usage, &critical);
        if (r >= 0) {
                if (!(usage & GNUTLS_KEY_DIGITAL_SIGNATURE))
                        return tls_fail(-EINVAL, errbuf, errlen, "cert_file %s: wrong key usage: digital signature "
                                        "is not allowed (certtool: signing_key)", path);
                if (!(usage & GNUTLS_KEY_KEY_ENCIPHERMENT))
                        return tls_fail(-EINVAL, errbuf, errlen, "cert_file %s: wrong key usage: key encipherment "
                                        "is not allowed (certtool: encryption_key)", path);
        }
        bool has_purpose = false, server = false;
        for (unsigned i = 0;; i++) {
                char oid[128];
                size_t len = sizeof oid;
                r = gnutls_x509_crt_get_key_purpose_oid(crt, i, oid, &len, &critical);
                if (r < 0)
                        break;
                has_purpose = true;
                if (strcmp(oid, GNUTLS_KP_TLS_WWW_SERVER) == 0)
                        server = true;
        }
        if (has_purpose && !server)
                return tls_fail(-EINVAL, errbuf, errlen, "cert_file %s: wrong key usage: its purposes do not include "
                                "TLS server (certtool: tls_www_server)", path);
        return 0;
}

static int tls_import_certs(const char *key, const char *path, gnutls_x509_crt_t *certs, unsigned *n, char *errbuf,
                            size_t errlen) {
        gnutls_datum_t data = { 0 };
        int r = gnutls_load_file(path, &data);
        if (r < 0)
                return tls_fail(-EIO, errbuf, errlen, "%s %s: cannot read: %s", key, path, gnutls_strerror(r));
        r = gnutls_x509_crt_list_import(certs, n, &data, GNUTLS_X509_FMT_PEM, 0);
        gnutls_free(data.data);
        if (r < 0 || *n == 0)
                return tls_fail(-EINVAL, errbuf, errlen, "%s %s: not a PEM certificate%s%s", key, path,
                                r < 0 ? ": " : "", r < 0 ? gnutls_strerror(r) : "");
        return 0;
}

/* libvirt's sanity checks of its own certificates: valid now, a real CA, a server certificate
 * that CA issued. */
static int tls_sanity_check(const TlsSettings *s, char *errbuf, size_t errlen) {
        gnutls_x509_crt_t cas[TLS_MAX_CA_CERTS], crt[1];
        unsigned n_ca = TLS_MAX_CA_CERTS, n_crt = 1;
        int r = tls_import_certs("ca_file", s->ca_file, cas, &n_ca, errbuf, errlen);
        if (r < 0)
                return r;
        for (unsigned i = 0; r == 0 && i < n_ca; i++) {
                unsigned critical = 0;
                r = tls_check_times("ca_file", s->ca_file, cas[i], errbuf, errlen);
                if (r == 0 && gnutls_x509_crt_get_basic_constraints(cas[i], &critical, NULL, NULL) <= 0)
                        r = tls_fail(-EINVAL, errbuf, errlen, "ca_file %s: wrong key usage: certificate %u is not a CA "
                                     "(certtool: ca)", s->ca_file, i + 1);
        }
        /* The first certificate of cert_file is the server's; the rest may be intermediates. */
        bool have_crt = r == 0 && tls_import_certs("cert_file", s->cert_file, crt, &n_crt, errbuf, errlen) == 0;
        if (r == 0 && !have_crt)
                r = -EINVAL;
        if (have_crt) {
                r = tls_check_times("cert_file", s->cert_file, crt[0], errbuf, errlen);
                if (r == 0)
                        r = tls_check_server_usage(s->cert_file, crt[0], errbuf, errlen);
                unsigned status = 0;
                if (r == 0 && (gnutls_x509_crt_list_verify(crt, 1, cas, n_ca, NULL, 0, 0, &status) < 0 ||
                               (status & GNUTLS_CERT_INVALID)))
                        r = tls_fail(-EINVAL, errbuf, errlen, "cert_file %s: not issued by a CA of ca_file %s%s",
                                     s->cert_file, s->ca_file,
                                     status & GNUTLS_CERT_SIGNER_NOT_FOUND ? "" : " (its signature does not verify)");
                gnutls_x509_crt_deinit(crt[0]);
        }
        for (unsigned i = 0; i < n_ca; i++)
                gnutls_x509_crt_deinit(cas[i]);
        return r;
}

/* ---- the context ---- */

int tls_context_new(const TlsSettings *s, TlsContext **out, char *errbuf, size_t errlen) {
        const struct {
                const char *key, *path;
        } files[] = { { "ca_file", s->ca_file }, { "cert_file", s->cert_file }, { "key_file", s->key_file },
                      { "crl_file", s->crl_file } };
        for (size_t i = 0; i < 4; i++) {
                if (!files[i].path)
                        continue;
                int r = tls_check_readable(files[i].key, files[i].path, errbuf, errlen);
                if (r < 0)
                        return r;
        }
        if (!s->no_sanity) {
                int r = tls_sanity_check(s, errbuf, errlen);
                if (r < 0)
                        return r;
        }
        TlsContext *c = calloc(1, sizeof *c);
        if (!c)
                return tls_fail(-ENOMEM, errbuf, errlen, "out of memory");
        c->n_ref = 1;
        c->no_verify = s->no_verify;
        int r = 0;
        const char *errpos = NULL;
        int g = gnutls_certificate_allocate_credentials(&c->creds);
        if (g < 0)
                r = tls_fail(-ENOMEM, errbuf, errlen, "cannot allocate TLS credentials: %s", gnutls_strerror(g));
        if (r == 0 && (g = gnutls_certificate_set_x509_trust_file(c->creds, s->ca_file, GNUTLS_X509_FMT_PEM)) <= 0)
                r = tls_fail(-EINVAL, errbuf, errlen, "ca_file %s: %s", s->ca_file,
                             g == 0 ? "no CA certificate in it" : gnutls_strerror(g));
        if (r == 0 && s->crl_file &&
            (g = gnutls_certificate_set_x509_crl_file(c->creds, s->crl_file, GNUTLS_X509_FMT_PEM)) < 0)
                r = tls_fail(-EINVAL, errbuf, errlen, "crl_file %s: %s", s->crl_file, gnutls_strerror(g));
        if (r == 0 && (g = gnutls_certificate_set_x509_key_file2(c->creds, s->cert_file, s->key_file,
                                                                 GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
                r = g == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
                            ? tls_fail(-EINVAL, errbuf, errlen, "cert_file %s does not match key_file %s", s->cert_file,
                                       s->key_file)
                            : tls_fail(-EINVAL, errbuf, errlen, "cert_file %s, key_file %s: %s", s->cert_file,
                                       s->key_file, gnutls_strerror(g));
        if (r == 0 && (g = gnutls_priority_init(&c->priority, s->priority, &errpos)) < 0)
                r = tls_fail(-EINVAL, errbuf, errlen, "tls_priority \"%s\": %s%s%s", s->priority, gnutls_strerror(g),
                             errpos ? " at " : "", errpos ? errpos : "");
        if (r == 0 && s->allowed_dn && !(c->allowed_dn = strv_copy(s->allowed_dn)))
                r = tls_fail(-ENOMEM, errbuf, errlen, "out of memory");
        if (r < 0) {
                tls_context_unref(c);
                return r;
        }
        *out = c;
        return 0;
}

TlsContext *tls_context_ref(TlsContext *c) {
        if (c)
                c->n_ref++;
        return c;
}

TlsContext *tls_context_unref(TlsContext *c) {
        if (!c || --c->n_ref > 0)
                return NULL;
        if (c->creds)
                gnutls_certificate_free_credentials(c->creds);
        if (c->priority)
                gnutls_priority_deinit(c->priority);
        strv_free(c->allowed_dn);
        free(c);
        return NULL;
}

int tls_context_session(TlsContext *c, gnutls_session_t *out) {
        gnutls_session_t s;
        int g = gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK);
        if (g < 0)
                return -ENOMEM;
        if ((g = gnutls_priority_set(s, c->priority)) < 0 ||
            (g = gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, c->creds)) < 0) {
                gnutls_deinit(s);
                return -EINVAL;
        }
        /* Asked, not required: a client without one is refused after the handshake, with a
         * message saying so rather than a bare handshake failure. */
        gnutls_certificate_server_set_request(s, GNUTLS_CERT_REQUEST);
        *out = s;
        return 0;
}

/* ---- the client's certificate ---- */

bool tls_dn_match(const char *p, const char *s) {
        /* Iterative glob: on a mismatch, the last '*' takes one more character. */
        const char *star = NULL, *resume = NULL;
        while (*s) {
                if (*p == '*') {
                        star = ++p;
                        resume = s;
                } else if (*p == '?' || *p == *s) {
                        p++;
                        s++;
                } else if (star) {
                        p = star;
                        s = ++resume;
                } else
                        return false;
        }
        while (*p == '*')
                p++;
        return *p == '\0';
}

static const char *tls_status_reason(unsigned status) {
        if (status & GNUTLS_CERT_REVOKED)
                return "its certificate is revoked (crl_file)";
        if (status & GNUTLS_CERT_EXPIRED)
                return "its certificate has expired";
        if (status & GNUTLS_CERT_NOT_ACTIVATED)
                return "its certificate is not yet valid";
        if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
                return "its certificate was not issued by a CA of ca_file";
        if (status & GNUTLS_CERT_SIGNER_NOT_CA)
                return "its certificate's issuer is not a CA";
        if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
                return "its certificate uses an insecure algorithm";
        return "its certificate is not trusted";
}

int tls_context_check_peer(TlsContext *c, gnutls_session_t session, char **dn, char *why, size_t whylen) {
        *dn = NULL;
        unsigned n = 0;
        const gnutls_datum_t *certs = gnutls_certificate_get_peers(session, &n);
        if (!certs || n == 0)
                return c->no_verify ? 0 : tls_fail(-EACCES, why, whylen, "it sent no client certificate");
        gnutls_x509_crt_t crt;
        if (gnutls_x509_crt_init(&crt) < 0)
                return tls_fail(-ENOMEM, why, whylen, "out of memory");
        char name[TLS_DN_MAX];
        size_t len = sizeof name;
        int r = 0;
        if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) < 0 ||
            gnutls_x509_crt_get_dn(crt, name, &len) < 0)
                r = tls_fail(-EACCES, why, whylen, "its certificate cannot be read");
        gnutls_x509_crt_deinit(crt);
        if (r == 0 && !(*dn = strdup(name)))
                r = tls_fail(-ENOMEM, why, whylen, "out of memory");
        if (r < 0 || c->no_verify)
                return r;
        unsigned status = 0;
        int g = gnutls_certificate_verify_peers2(session, &status);
        if (g < 0)
                r = tls_fail(-EACCES, why, whylen, "its certificate cannot be verified: %s", gnutls_strerror(g));
        else if (status)
                r = tls_fail(-EACCES, why, whylen, "%s (DN %s)", tls_status_reason(status), *dn);
        bool allowed = !c->allowed_dn;
        for (char **p = c->allowed_dn; r == 0 && p && *p && !allowed; p++)
                allowed = tls_dn_match(*p, *dn);
        if (r == 0 && !allowed)
                r = tls_fail(-EACCES, why, whylen, "its DN %s is not in tls_allowed_dn_list", *dn);
        if (r < 0) {
                free(*dn);
                *dn = NULL;
        }
        return r;
}

int tls_context_load(const Config *cfg, bool system, TlsContext **out, char *errbuf, size_t errlen) {
        TlsSettings s;
        int r = tls_settings_from_config(&s, cfg, system, errbuf, errlen);
        if (r < 0)
                return r;
        r = tls_context_new(&s, out, errbuf, errlen);
        tls_settings_done(&s);
        return r;
}
