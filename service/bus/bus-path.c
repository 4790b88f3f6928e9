/* bus-path.c: libvirt-dbus's object path leaf encodings (EncodeStr and the UUID leaf), pure functions. */
#include "bus-path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"

static bool is_plain(unsigned char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

static int hex_value(char ch) {
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

char *bus_path_encode_str(const char *s) {
        static const char hex[] = "0123456789abcdef";
        size_t len = strlen(s);
        /* An empty path element is invalid; libvirt never names an object "", but keep the result
         * a valid path element anyway. */
        if (len == 0)
                return strdup("_");
        char *out = malloc(len * 3 + 1);
        if (!out)
                return NULL;
        char *p = out;
        for (const unsigned char *q = (const unsigned char *) s; *q; q++) {
                if (is_plain(*q)) {
                        *p++ = (char) *q;
                } else {
                        *p++ = '_';
                        *p++ = hex[*q >> 4];
                        *p++ = hex[*q & 0xf];
                }
        }
        *p = '\0';
        return out;
}

int bus_path_decode_str(const char *leaf, char **out) {
        size_t len = strlen(leaf);
        if (strcmp(leaf, "_") == 0) {
                *out = strdup("");
                return *out ? 0 : -ENOMEM;
        }
        char *s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        char *p = s;
        for (const char *q = leaf; *q; q++) {
                if (is_plain((unsigned char) *q)) {
                        *p++ = *q;
                        continue;
                }
                if (*q != '_')
                        goto invalid;
                int hi = hex_value(q[1]);
                int lo = hi < 0 ? -1 : hex_value(q[2]);
                if (lo < 0)
                        goto invalid;
                char ch = (char) (hi << 4 | lo);
                if (ch == '\0')
                        goto invalid;
                *p++ = ch;
                q += 2;
        }
        *p = '\0';
        *out = s;
        return 0;
invalid:
        free(s);
        return -EINVAL;
}

void bus_path_encode_uuid(const uint8_t uuid[16], char out[BUS_UUID_LEAF_LEN]) {
        char text[UUID_STRING_LEN];
        uuid_format(uuid, text);
        out[0] = '_';
        for (size_t i = 0; i < UUID_STRING_LEN; i++)
                out[i + 1] = text[i] == '-' ? '_' : text[i];
}

int bus_path_decode_uuid(const char *leaf, char out[BUS_UUID_LEAF_LEN]) {
        if (leaf[0] != '_' || strlen(leaf) >= BUS_UUID_LEAF_LEN)
                return -EINVAL;
        size_t i = 0;
        for (const char *q = leaf + 1; *q; q++)
                out[i++] = *q == '_' ? '-' : *q;
        out[i] = '\0';
        return 0;
}

const char *bus_path_leaf(const char *prefix, const char *path) {
        size_t n = strlen(prefix);
        if (strncmp(path, prefix, n) != 0 || path[n] != '/')
                return NULL;
        const char *leaf = path + n + 1;
        if (*leaf == '\0' || strchr(leaf, '/'))
                return NULL;
        return leaf;
}

char *bus_path_join(const char *prefix, const char *leaf) {
        size_t a = strlen(prefix), b = strlen(leaf);
        char *s = malloc(a + b + 2);
        if (!s)
                return NULL;
        memcpy(s, prefix, a);
        s[a] = '/';
        memcpy(s + a + 1, leaf, b + 1);
        return s;
}

char *bus_path_of_key(const char *prefix, const char *key) {
        char *leaf = bus_path_encode_str(key);
        char *path = leaf ? bus_path_join(prefix, leaf) : NULL;
        free(leaf);
        return path;
}

char *bus_path_key(const char *prefix, const char *path) {
        const char *leaf = bus_path_leaf(prefix, path);
        char *key = NULL;
        if (!leaf || bus_path_decode_str(leaf, &key) < 0)
                return NULL;
        return key;
}

void bus_strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

char **bus_paths_of_keys(const char *prefix, const void *items, size_t n, size_t stride, size_t key) {
        char **v = calloc(n + 1, sizeof *v);
        for (size_t i = 0; v && i < n; i++) {
                v[i] = bus_path_of_key(prefix, (const char *) items + i * stride + key);
                if (!v[i]) {
                        bus_strv_free(v);
                        v = NULL;
                }
        }
        return v;
}
