/* tls-context.h: the TLS listener's credentials (gnutls), checked when loaded, shared by its sessions and replaced on SIGHUP. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <gnutls/gnutls.h>

#include "config.h"

/* What the TLS keys of virtbusd.conf say, with libvirt's defaults filled in. */
typedef struct TlsSettings {
        char *ca_file, *cert_file, *key_file;
        char *crl_file;                 /* NULL: no CRL */
        bool crl_explicit;              /* crl_file was set: a missing file is an error */
        bool no_verify;                 /* tls_no_verify_certificate */
        bool no_sanity;                 /* tls_no_sanity_certificate */
        char **allowed_dn;              /* NULL-terminated; NULL = any DN */
        char *priority;
} TlsSettings;

/* libvirt's defaults: system mode /etc/pki/CA/cacert.pem, /etc/pki/CA/cacrl.pem,
 * /etc/pki/libvirt/servercert.pem, /etc/pki/libvirt/private/serverkey.pem; session mode
 * $HOME/.pki/libvirt/{cacert,cacrl,servercert,serverkey}.pem. -ENOENT without HOME in session
 * mode (errbuf says so), -ENOMEM. */
int tls_settings_from_config(TlsSettings *s, const Config *cfg, bool system, char *errbuf, size_t errlen);
void tls_settings_done(TlsSettings *s);

/* Credentials shared by every session of a listener; a session holds a reference, so that a
 * reload never pulls them from under a connection. */
typedef struct TlsContext TlsContext;

/* Reads and checks the files: each problem is named in errbuf with the file ("ca_file
 * /etc/pki/CA/cacert.pem: missing"; "cert_file ...: expired on 2024-01-01 00:00:00 UTC"; "...:
 * does not match key_file ..."). Reading a few local files blocks briefly: call it at start and
 * on SIGHUP only. */
int tls_context_new(const TlsSettings *s, TlsContext **out, char *errbuf, size_t errlen);
/* Both steps from virtbusd.conf's keys. */
int tls_context_load(const Config *cfg, bool system, TlsContext **out, char *errbuf, size_t errlen);
TlsContext *tls_context_ref(TlsContext *c);
TlsContext *tls_context_unref(TlsContext *c);

/* Set up a server session with the context's credentials and priorities. */
int tls_context_session(TlsContext *c, gnutls_session_t *out);

/* Whether the client of an established session may go on: its certificate chain verifies
 * against ca_file (and crl_file), is within its validity, and its DN matches
 * tls_allowed_dn_list. 0 and *dn (malloc'ed, NULL without a certificate under
 * tls_no_verify_certificate); or -EACCES with why. */
int tls_context_check_peer(TlsContext *c, gnutls_session_t session, char **dn, char *why, size_t whylen);

/* libvirt's wildcard match of a DN against one tls_allowed_dn_list entry: '*' any run of
 * characters, '?' any one character, everything else literal. */
bool tls_dn_match(const char *pattern, const char *dn);
