/* cpumap.c: libvirt's CPU lists to and from CPU bitmaps (vcpupin, emulatorpin, cpuset.cpus). */
#include "cpumap.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int number(const char **p, unsigned long *out) {
        if (!isdigit((unsigned char) **p))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(*p, &end, 10);
        if (errno)
                return -ERANGE;
        *p = end;
        *out = v;
        return 0;
}

int cpumap_parse(const char *s, uint8_t *map, size_t maplen) {
        memset(map, 0, maplen);
        if (!s)
                return -EINVAL;
        const char *p = s;
        bool any = false;
        for (;;) {
                while (*p == ' ')
                        p++;
                bool neg = *p == '^';
                if (neg)
                        p++;
                unsigned long a, b;
                int r = number(&p, &a);
                if (r < 0)
                        return r;
                b = a;
                if (!neg && *p == '-') {
                        p++;
                        r = number(&p, &b);
                        if (r < 0)
                                return r;
                        if (b < a)
                                return -EINVAL;
                }
                if (b >= maplen * 8)
                        return -ERANGE;
                for (unsigned long i = a; i <= b; i++) {
                        if (neg)
                                map[i / 8] &= (uint8_t) ~(1u << (i % 8));
                        else
                                map[i / 8] |= (uint8_t) (1u << (i % 8));
                }
                any = true;
                while (*p == ' ')
                        p++;
                if (*p == '\0')
                        break;
                if (*p != ',')
                        return -EINVAL;
                p++;
        }
        return any ? 0 : -EINVAL;
}

static bool has(const uint8_t *map, size_t i) {
        return map[i / 8] & (1u << (i % 8));
}

char *cpumap_format(const uint8_t *map, size_t maplen) {
        size_t cap = 16, len = 0, bits = maplen * 8;
        char *out = malloc(cap);
        if (!out)
                return NULL;
        out[0] = '\0';
        for (size_t i = 0; i < bits;) {
                if (!has(map, i)) {
                        i++;
                        continue;
                }
                size_t j = i;
                while (j + 1 < bits && has(map, j + 1))
                        j++;
                char piece[48];
                int n = j == i ? snprintf(piece, sizeof piece, "%s%zu", len ? "," : "", i)
                               : snprintf(piece, sizeof piece, "%s%zu-%zu", len ? "," : "", i, j);
                if (len + (size_t) n + 1 > cap) {
                        cap = (len + (size_t) n + 1) * 2;
                        char *bigger = realloc(out, cap);
                        if (!bigger) {
                                free(out);
                                return NULL;
                        }
                        out = bigger;
                }
                memcpy(out + len, piece, (size_t) n + 1);
                len += (size_t) n;
                i = j + 1;
        }
        return out;
}

size_t cpumap_count(const uint8_t *map, size_t maplen) {
        size_t n = 0;
        for (size_t i = 0; i < maplen; i++)
                n += (size_t) __builtin_popcount(map[i]);
        return n;
}
