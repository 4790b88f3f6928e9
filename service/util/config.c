/* config.c: virtbusd.conf in libvirtd.conf's syntax, parsed through a table of known keys. */
#define LOG_MODULE "config"

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "persist.h"

/* Value checks of the remote door's string keys (libvirtd.conf keeps numbers in strings). */
static int config_check_octal_mode(const char *v, char *why, size_t whylen) {
        size_t n = strspn(v, "01234567");
        if (n == 0 || v[n] != '\0' || strtoul(v, NULL, 8) > 07777) {
                snprintf(why, whylen, "expected an octal mode such as \"0700\", got \"%s\"", v);
                return -EINVAL;
        }
        return 0;
}

static int config_check_port(const char *v, char *why, size_t whylen) {
        size_t n = strspn(v, "0123456789");
        if (n == 0 || n > 5 || v[n] != '\0' || strtoul(v, NULL, 10) < 1 || strtoul(v, NULL, 10) > 65535) {
                snprintf(why, whylen, "expected a port number from 1 to 65535, got \"%s\"", v);
                return -EINVAL;
        }
        return 0;
}

static int config_check_absolute_path(const char *v, char *why, size_t whylen) {
        if (v[0] != '/') {
                snprintf(why, whylen, "expected an absolute directory name, got \"%s\"", v);
                return -EINVAL;
        }
        return 0;
}

static int config_check_not_empty(const char *v, char *why, size_t whylen) {
        if (!*v) {
                snprintf(why, whylen, "must not be empty");
                return -EINVAL;
        }
        return 0;
}

static int config_check_auth_unix(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "none") == 0 || strcmp(v, "polkit") == 0 || strcmp(v, "sasl") == 0)
                return 0;
        snprintf(why, whylen, "expected \"none\", \"polkit\" or \"sasl\", got \"%s\"", v);
        return -EINVAL;
}

/* "sasl" is valid here; the server refuses it when it would have to listen on TCP with it. */
static int config_check_auth_tcp(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "none") == 0 || strcmp(v, "sasl") == 0)
                return 0;
        snprintf(why, whylen, "expected \"none\" or \"sasl\", got \"%s\"", v);
        return -EINVAL;
}

static int config_check_auth_tls(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "none") == 0 || strcmp(v, "sasl") == 0)
                return 0;
        snprintf(why, whylen, "expected \"none\" or \"sasl\", got \"%s\"", v);
        return -EINVAL;
}

static int config_check_absolute_file(const char *v, char *why, size_t whylen) {
        if (v[0] != '/') {
                snprintf(why, whylen, "expected an absolute file name, got \"%s\"", v);
                return -EINVAL;
        }
        return 0;
}

/* libvirt's access drivers: "nop" (no fine-grained checks) and "polkit" (org.libvirt.api.*). */
static int config_check_access_driver(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "nop") == 0 || strcmp(v, "polkit") == 0)
                return 0;
        snprintf(why, whylen, "expected \"nop\" or \"polkit\", got \"%s\"", v);
        return -EINVAL;
}

/* The keys virtbusd.conf knows; a new key is one line here plus its field in Config. */
static const ConfigKey config_keys[] = {
        CONFIG_KEY_INT(Config, log_level, 1, 4),
        CONFIG_KEY_STRING(Config, log_filters),
        CONFIG_KEY_STRING(Config, log_outputs),
        CONFIG_KEY_STRING_CHECKED(Config, unix_sock_dir, config_check_absolute_path),
        CONFIG_KEY_STRING_CHECKED(Config, unix_sock_group, config_check_not_empty),
        CONFIG_KEY_STRING_CHECKED(Config, unix_sock_ro_perms, config_check_octal_mode),
        CONFIG_KEY_STRING_CHECKED(Config, unix_sock_rw_perms, config_check_octal_mode),
        CONFIG_KEY_BOOL(Config, listen_tcp),
        CONFIG_KEY_STRING_CHECKED(Config, listen_addr, config_check_not_empty),
        CONFIG_KEY_STRING_CHECKED(Config, tcp_port, config_check_port),
        CONFIG_KEY_STRING_CHECKED(Config, auth_tcp, config_check_auth_tcp),
        CONFIG_KEY_STRING_CHECKED(Config, auth_unix_ro, config_check_auth_unix),
        CONFIG_KEY_STRING_CHECKED(Config, auth_unix_rw, config_check_auth_unix),
        CONFIG_KEY_STRING_LIST_CHECKED(Config, access_drivers, config_check_access_driver),
        CONFIG_KEY_INT(Config, max_clients, 1, INT_MAX),
        CONFIG_KEY_INT(Config, max_anonymous_clients, 0, INT_MAX),
        CONFIG_KEY_INT(Config, max_client_requests, 1, INT_MAX),
        CONFIG_KEY_INT(Config, max_client_streams, 1, INT_MAX),
        CONFIG_KEY_INT(Config, keepalive_interval, -1, INT_MAX),
        CONFIG_KEY_INT(Config, keepalive_count, 0, INT_MAX),
        CONFIG_KEY_BOOL(Config, listen_tls),
        CONFIG_KEY_STRING_CHECKED(Config, tls_port, config_check_port),
        CONFIG_KEY_STRING_CHECKED(Config, auth_tls, config_check_auth_tls),
        CONFIG_KEY_STRING_CHECKED(Config, key_file, config_check_absolute_file),
        CONFIG_KEY_STRING_CHECKED(Config, cert_file, config_check_absolute_file),
        CONFIG_KEY_STRING_CHECKED(Config, ca_file, config_check_absolute_file),
        CONFIG_KEY_STRING_CHECKED(Config, crl_file, config_check_absolute_file),
        CONFIG_KEY_BOOL(Config, tls_no_verify_certificate),
        CONFIG_KEY_BOOL(Config, tls_no_sanity_certificate),
        CONFIG_KEY_STRING_LIST(Config, tls_allowed_dn_list),
        CONFIG_KEY_STRING_CHECKED(Config, tls_priority, config_check_not_empty),
        CONFIG_KEY_STRING_LIST(Config, sasl_allowed_username_list),
        CONFIG_KEY_BOOL(Config, create_default_network),
};

#define CONFIG_N_KEYS (sizeof config_keys / sizeof config_keys[0])

typedef struct ConfigParser {
        const char *name;       /* file name for messages */
        const char *p, *end;
        unsigned line;
        char *errbuf;
        size_t errlen;
} ConfigParser;

typedef enum ConfigValueKind {
        CONFIG_VALUE_INT,
        CONFIG_VALUE_STRING,
        CONFIG_VALUE_LIST,
} ConfigValueKind;

/* A value as written, before the key's type is known to match it. */
typedef struct ConfigValue {
        ConfigValueKind kind;
        long long integer;
        char *string;
        char **list;            /* NULL-terminated */
        size_t n_list;
} ConfigValue;

static void config_strv_free(char **v) {
        for (char **s = v; s && *s; s++)
                free(*s);
        free(v);
}

static void config_value_done(ConfigValue *v) {
        free(v->string);
        config_strv_free(v->list);
        *v = (ConfigValue) { 0 };
}

static int config_error(ConfigParser *P, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int config_error(ConfigParser *P, unsigned line, const char *fmt, ...) {
        if (P->errbuf && P->errlen > 0) {
                int n = snprintf(P->errbuf, P->errlen, "%s:%u: ", P->name, line);
                if (n >= 0 && (size_t) n < P->errlen) {
                        va_list ap;
                        va_start(ap, fmt);
                        vsnprintf(P->errbuf + n, P->errlen - (size_t) n, fmt, ap);
                        va_end(ap);
                }
        }
        return -EINVAL;
}

static int config_oom(ConfigParser *P) {
        if (P->errbuf && P->errlen > 0)
                snprintf(P->errbuf, P->errlen, "%s: out of memory", P->name);
        return -ENOMEM;
}

static bool config_at(const ConfigParser *P, char c) {
        return P->p < P->end && *P->p == c;
}

static void config_skip_blanks(ConfigParser *P) {
        while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || *P->p == '\r'))
                P->p++;
}

static void config_skip_comment(ConfigParser *P) {
        if (config_at(P, '#'))
                while (P->p < P->end && *P->p != '\n')
                        P->p++;
}

/* Blanks, comments and newlines: what may separate statements and list items. */
static void config_skip_gaps(ConfigParser *P) {
        for (;;) {
                config_skip_blanks(P);
                config_skip_comment(P);
                if (!config_at(P, '\n'))
                        return;
                P->p++;
                P->line++;
        }
}

static const char *config_describe_char(const ConfigParser *P, char buf[8]) {
        if (P->p >= P->end)
                return "end of file";
        if (*P->p == '\n')
                return "end of line";
        if (isprint((unsigned char) *P->p))
                snprintf(buf, 8, "'%c'", *P->p);
        else
                snprintf(buf, 8, "\\x%02x", (unsigned char) *P->p);
        return buf;
}

static int config_parse_key(ConfigParser *P, char **key) {
        const char *start = P->p;
        if (P->p >= P->end || !(isalpha((unsigned char) *P->p) || *P->p == '_')) {
                char c[8];
                return config_error(P, P->line, "expected a key name, found %s", config_describe_char(P, c));
        }
        while (P->p < P->end && (isalnum((unsigned char) *P->p) || *P->p == '_' || *P->p == '.'))
                P->p++;
        *key = strndup(start, (size_t) (P->p - start));
        return *key ? 0 : config_oom(P);
}

/* "..." or '...', on one line, without escapes (as libvirt reads them). */
static int config_parse_string(ConfigParser *P, char **out) {
        char quote = *P->p++;
        const char *start = P->p;
        while (P->p < P->end && *P->p != quote) {
                if (*P->p == '\n')
                        break;
                if (*P->p == '\0')
                        return config_error(P, P->line, "NUL byte in a string");
                P->p++;
        }
        if (P->p >= P->end || *P->p != quote)
                return config_error(P, P->line, "unterminated string (missing closing %c)", quote);
        *out = strndup(start, (size_t) (P->p - start));
        P->p++;
        return *out ? 0 : config_oom(P);
}

static int config_parse_integer(ConfigParser *P, long long *out) {
        const char *start = P->p;
        if (config_at(P, '-') || config_at(P, '+'))
                P->p++;
        const char *digits = P->p;
        while (P->p < P->end && isdigit((unsigned char) *P->p))
                P->p++;
        size_t n = (size_t) (P->p - start);
        if (P->p == digits)
                return config_error(P, P->line, "expected digits after '%c'", *start);
        if (n > 24)
                return config_error(P, P->line, "integer out of range");
        char buf[32];
        memcpy(buf, start, n);
        buf[n] = '\0';
        errno = 0;
        *out = strtoll(buf, NULL, 10);
        if (errno == ERANGE)
                return config_error(P, P->line, "integer out of range");
        return 0;
}

static int config_list_append(ConfigParser *P, ConfigValue *v, char *s) {
        char **l = realloc(v->list, (v->n_list + 2) * sizeof *l);
        if (!l) {
                free(s);
                return config_oom(P);
        }
        l[v->n_list++] = s;
        l[v->n_list] = NULL;
        v->list = l;
        return 0;
}

/* [ "a", "b", ] over as many lines as it likes, with comments between the items. */
static int config_parse_list(ConfigParser *P, ConfigValue *v) {
        unsigned open_line = P->line;
        v->kind = CONFIG_VALUE_LIST;
        v->list = calloc(1, sizeof *v->list);
        if (!v->list)
                return config_oom(P);
        P->p++;
        for (;;) {
                config_skip_gaps(P);
                if (P->p >= P->end)
                        return config_error(P, open_line, "unterminated list (missing ']')");
                if (config_at(P, ']'))
                        break;
                if (!config_at(P, '"') && !config_at(P, '\'')) {
                        char c[8];
                        return config_error(P, P->line, "expected a string or ']' in the list, found %s",
                                            config_describe_char(P, c));
                }
                char *s;
                int r = config_parse_string(P, &s);
                if (r < 0)
                        return r;
                r = config_list_append(P, v, s);
                if (r < 0)
                        return r;
                config_skip_gaps(P);
                if (P->p >= P->end)
                        return config_error(P, open_line, "unterminated list (missing ']')");
                if (config_at(P, ']'))
                        break;
                if (!config_at(P, ',')) {
                        char c[8];
                        return config_error(P, P->line, "expected ',' or ']' in the list, found %s",
                                            config_describe_char(P, c));
                }
                P->p++;
        }
        P->p++;
        return 0;
}

static int config_parse_value(ConfigParser *P, ConfigValue *v) {
        if (config_at(P, '"') || config_at(P, '\'')) {
                v->kind = CONFIG_VALUE_STRING;
                return config_parse_string(P, &v->string);
        }
        if (config_at(P, '['))
                return config_parse_list(P, v);
        if (P->p < P->end && (isdigit((unsigned char) *P->p) || *P->p == '-' || *P->p == '+')) {
                v->kind = CONFIG_VALUE_INT;
                return config_parse_integer(P, &v->integer);
        }
        if (P->p >= P->end || *P->p == '\n' || *P->p == '#')
                return config_error(P, P->line, "expected a value after '='");
        char c[8];
        return config_error(P, P->line, "expected a value (a \"string\", an integer or a [ list ]), found %s",
                            config_describe_char(P, c));
}

static const ConfigKey *config_find_key(const ConfigKey *keys, size_t n_keys, const char *name) {
        for (size_t i = 0; i < n_keys; i++)
                if (strcmp(keys[i].name, name) == 0)
                        return &keys[i];
        return NULL;
}

/* Checks v against the key's type and moves it into the target's field. */
static int config_store(ConfigParser *P, unsigned line, const ConfigKey *k, ConfigValue *v, void *target) {
        void *field = (char *) target + k->offset;
        switch (k->type) {
        case CONFIG_INT:
                if (v->kind != CONFIG_VALUE_INT)
                        return config_error(P, line, "%s: expected an integer", k->name);
                if (v->integer < k->min || v->integer > k->max)
                        return config_error(P, line, "%s: must be between %d and %d", k->name, k->min, k->max);
                *(int *) field = (int) v->integer;
                return 0;
        case CONFIG_BOOL:
                if (v->kind != CONFIG_VALUE_INT || (v->integer != 0 && v->integer != 1))
                        return config_error(P, line, "%s: expected 0 or 1", k->name);
                *(bool *) field = v->integer == 1;
                return 0;
        case CONFIG_STRING:
                if (v->kind != CONFIG_VALUE_STRING)
                        return config_error(P, line, "%s: expected a string", k->name);
                if (k->check) {
                        char why[256] = "invalid value";
                        if (k->check(v->string, why, sizeof why) < 0)
                                return config_error(P, line, "%s: %s", k->name, why);
                }
                free(*(char **) field);
                *(char **) field = v->string;
                v->string = NULL;
                return 0;
        case CONFIG_STRING_OR_LIST:
                if (v->kind == CONFIG_VALUE_STRING) {
                        char **one = calloc(2, sizeof *one);
                        if (!one)
                                return config_oom(P);
                        one[0] = v->string;
                        v->string = NULL;
                        v->kind = CONFIG_VALUE_LIST;
                        v->list = one;
                }
                /* fall through */
        case CONFIG_STRING_LIST:
                if (v->kind != CONFIG_VALUE_LIST)
                        return config_error(P, line, "%s: expected a list of strings", k->name);
                for (char **e = v->list; k->check && e && *e; e++) {
                        char why[256] = "invalid value";
                        if (k->check(*e, why, sizeof why) < 0)
                                return config_error(P, line, "%s: %s", k->name, why);
                }
                config_strv_free(*(char ***) field);
                *(char ***) field = v->list;
                v->list = NULL;
                return 0;
        }
        return config_error(P, line, "%s: key of unknown type", k->name);
}

/* key = value [# comment] */
static int config_parse_statement(ConfigParser *P, const ConfigKey *keys, size_t n_keys, void *target) {
        unsigned line = P->line;
        ConfigValue v = { 0 };
        char *key = NULL, c[8];
        int r = config_parse_key(P, &key);
        if (r < 0)
                goto out;
        config_skip_blanks(P);
        if (!config_at(P, '=')) {
                r = config_error(P, P->line, "expected '=' after '%s', found %s", key, config_describe_char(P, c));
                goto out;
        }
        P->p++;
        config_skip_blanks(P);
        r = config_parse_value(P, &v);
        if (r < 0)
                goto out;
        config_skip_blanks(P);
        config_skip_comment(P);
        if (P->p < P->end && *P->p != '\n') {
                r = config_error(P, P->line, "expected the end of the line after the value of '%s', found %s",
                                 key, config_describe_char(P, c));
                goto out;
        }
        const ConfigKey *k = config_find_key(keys, n_keys, key);
        if (k)
                r = config_store(P, line, k, &v, target);
        else
                log_warning("%s:%u: unknown key '%s'", P->name, line, key);
out:
        config_value_done(&v);
        free(key);
        return r;
}

int config_parse_table(const ConfigKey *keys, size_t n_keys, void *target, const char *name,
                       const char *text, size_t len, char *errbuf, size_t errlen) {
        ConfigParser P = {
                .name = name, .p = text, .end = text + len, .line = 1, .errbuf = errbuf, .errlen = errlen,
        };
        for (;;) {
                config_skip_gaps(&P);
                if (P.p >= P.end)
                        return 0;
                int r = config_parse_statement(&P, keys, n_keys, target);
                if (r < 0)
                        return r;
        }
}

void config_free_table(const ConfigKey *keys, size_t n_keys, void *target) {
        for (size_t i = 0; i < n_keys; i++) {
                void *field = (char *) target + keys[i].offset;
                if (keys[i].type == CONFIG_STRING) {
                        free(*(char **) field);
                        *(char **) field = NULL;
                } else if (keys[i].type == CONFIG_STRING_LIST || keys[i].type == CONFIG_STRING_OR_LIST) {
                        config_strv_free(*(char ***) field);
                        *(char ***) field = NULL;
                }
        }
}

void config_init(Config *c) {
        *c = (Config) {
                .log_level = 3,
                .max_clients = 5000,
                .max_anonymous_clients = 20,
                .max_client_requests = 5,
                .max_client_streams = 32,
                .keepalive_interval = 5,
                .keepalive_count = 5,
                .create_default_network = true,
        };
}

void config_done(Config *c) {
        config_free_table(config_keys, CONFIG_N_KEYS, c);
}

static void config_replace(Config *c, Config *with) {
        config_done(c);
        *c = *with;
}

int config_parse(Config *c, const char *name, const char *text, size_t len, char *errbuf, size_t errlen) {
        Config tmp;
        config_init(&tmp);
        int r = config_parse_table(config_keys, CONFIG_N_KEYS, &tmp, name, text, len, errbuf, errlen);
        if (r < 0) {
                config_done(&tmp);
                return r;
        }
        config_replace(c, &tmp);
        return 0;
}

int config_load(Config *c, const char *path, bool optional, char *errbuf, size_t errlen) {
        VbError err = { 0 };
        char *text = NULL;
        size_t len = 0;
        int r = persist_read_file(path, CONFIG_FILE_MAX, &text, &len, &err);
        if (r == -ENOENT && optional) {
                Config defaults;
                config_init(&defaults);
                config_replace(c, &defaults);
                return 0;
        }
        if (r < 0) {
                if (errbuf && errlen > 0)
                        snprintf(errbuf, errlen, "%s", err.message);
                return r;
        }
        r = config_parse(c, path, text, len, errbuf, errlen);
        free(text);
        return r;
}
