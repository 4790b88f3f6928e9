/* config.h: virtbusd.conf, in libvirtd.conf syntax, with libvirtd.conf's key names. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct Config {
        int log_level;          /* 1..4, default 3 */
        char *log_filters;      /* NULL = none */
        char *log_outputs;      /* NULL = default (stderr) */

        /* The remote door (service/remote/server.c). A string left NULL takes the default the
         * server applies, as libvirtd does. */
        char *unix_sock_dir;            /* NULL = /run/libvirt or $XDG_RUNTIME_DIR/libvirt */
        char *unix_sock_group;          /* NULL = the daemon's own group */
        char *unix_sock_ro_perms;       /* octal; NULL = "0777" */
        char *unix_sock_rw_perms;       /* octal; NULL = "0700" */
        bool listen_tcp;                /* default 0 */
        char *listen_addr;              /* NULL = every address */
        char *tcp_port;                 /* a number, as a string (libvirtd.conf's type); NULL = "16509" */
        char *auth_tcp;                 /* "none" | "sasl"; NULL = "sasl", libvirt's default */
        char *auth_unix_ro;             /* "none" | "polkit" | "sasl"; NULL = "none" */
        char *auth_unix_rw;             /* "none" | "polkit" | "sasl"; NULL = "none" (the rw socket's mode
                                         * then defaults to 0777 with polkit, 0700 without) */
        char **access_drivers;          /* NULL-terminated; [ "polkit" ] asks the fine-grained
                                         * org.libvirt.api.* actions; NULL = none */
        int max_clients;                /* default 5000 */
        int max_anonymous_clients;      /* default 20; 0 = no limit of its own */
        int max_client_requests;        /* calls in flight per client, default 5 */
        int max_client_streams;         /* streams open per client (remote) or D-Bus caller (volume
                                         * transfers), default 32; libvirtd has no such key */
        int keepalive_interval;         /* seconds, default 5; <= 0 disables the server's PINGs */
        int keepalive_count;            /* unanswered PINGs before a client is dropped, default 5 */

        /* TLS (service/remote/transport/tls-context.c). Paths left NULL take libvirt's defaults:
         * /etc/pki/... in system mode, ~/.pki/libvirt/... in session mode. */
        bool listen_tls;                /* default 0 */
        char *tls_port;                 /* NULL = "16514" */
        char *auth_tls;                 /* "none" | "sasl"; NULL = "none", libvirt's default */
        char *key_file;
        char *cert_file;
        char *ca_file;
        char *crl_file;                 /* NULL: the default CRL file if it exists, else none */
        bool tls_no_verify_certificate; /* default 0: clients must present a valid certificate */
        bool tls_no_sanity_certificate; /* default 0: the server's own certificates are checked at start */
        char **tls_allowed_dn_list;     /* NULL-terminated wildcard patterns; NULL = any DN */
        char *tls_priority;             /* gnutls priority string; NULL = "NORMAL" */
        char **sasl_allowed_username_list;      /* wildcard patterns; NULL = any SASL user */
        bool create_default_network;    /* --system: define the NAT network 'default' once, as
                                         * Debian's libvirt-daemon-config-network; default 1 */
} Config;

/* Defaults for every key. */
void config_init(Config *c);
void config_done(Config *c);

/* Parse a file. A missing file is not an error when optional is true (the defaults stand:
 * *c is reset to them). *c must have been through config_init().
 * Unknown keys: a warning through log.h naming file:line. Malformed lines, wrong value types,
 * out-of-range values: returns -EINVAL with "FILE:LINE: what was expected" in errbuf and *c
 * untouched. A file that cannot be read (unreadable, not a regular file, larger than
 * CONFIG_FILE_MAX) gives a negative errno, errbuf naming the file, and *c untouched.
 * On success *c is replaced. */
int config_load(Config *c, const char *path, bool optional, char *errbuf, size_t errlen);

/* Same, from a buffer (for tests); name stands in for the file name in messages. */
int config_parse(Config *c, const char *name, const char *text, size_t len, char *errbuf, size_t errlen);

/* The limit on a configuration file's size, checked before it is read. */
#define CONFIG_FILE_MAX (1024 * 1024)

/* The table-driven parser underneath, for other files in the same syntax (libvirt's qemu.conf
 * and network.conf use it too) and for tests. Each known key names its type and where its
 * value goes in the target struct: a new key is one line in a table. */
typedef enum ConfigType {
        CONFIG_INT,             /* int, within [min, max] */
        CONFIG_BOOL,            /* bool, written 0 or 1 */
        CONFIG_STRING,          /* char *, owned; "..." or '...' */
        CONFIG_STRING_LIST,     /* char **, owned, NULL-terminated; [ "a", "b" ] */
        CONFIG_STRING_OR_LIST,  /* as CONFIG_STRING_LIST; a lone "a" is read as [ "a" ] */
} ConfigType;

typedef struct ConfigKey {
        const char *name;
        ConfigType type;
        size_t offset;          /* offsetof(target struct, field) */
        int min, max;           /* CONFIG_INT only */
        /* CONFIG_STRING only, optional: checks a value before it is stored; on refusal returns
         * -EINVAL with why (the key's name and file:line are added around it). */
        int (*check)(const char *value, char *why, size_t whylen);
} ConfigKey;

#define CONFIG_KEY_INT(type, field, lo, hi) { #field, CONFIG_INT, offsetof(type, field), (lo), (hi), NULL }
#define CONFIG_KEY_BOOL(type, field) { #field, CONFIG_BOOL, offsetof(type, field), 0, 1, NULL }
#define CONFIG_KEY_STRING(type, field) { #field, CONFIG_STRING, offsetof(type, field), 0, 0, NULL }
#define CONFIG_KEY_STRING_CHECKED(type, field, fn) { #field, CONFIG_STRING, offsetof(type, field), 0, 0, (fn) }
#define CONFIG_KEY_STRING_LIST(type, field) { #field, CONFIG_STRING_LIST, offsetof(type, field), 0, 0, NULL }
/* Each element checked with fn. */
#define CONFIG_KEY_STRING_LIST_CHECKED(type, field, fn) { #field, CONFIG_STRING_LIST, offsetof(type, field), 0, 0, (fn) }
/* A string or a list of them (libvirt's security_driver), each checked with fn. */
#define CONFIG_KEY_STRING_OR_LIST_CHECKED(type, field, fn) { #field, CONFIG_STRING_OR_LIST, offsetof(type, field), 0, 0, (fn) }

/* Stores each known key of text into target as it is met (a later line wins over an earlier
 * one), warns about unknown keys, and stops at the first error with -EINVAL and
 * "NAME:LINE: ..." in errbuf. target is then partly written: parse into a scratch copy. */
int config_parse_table(const ConfigKey *keys, size_t n_keys, void *target, const char *name,
                       const char *text, size_t len, char *errbuf, size_t errlen);
/* Frees the strings and lists of target that keys describe, leaving NULLs. */
void config_free_table(const ConfigKey *keys, size_t n_keys, void *target);

