/* uuid.c: UUIDs and MACs as libvirt writes them. */
#include "uuid.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static int random_bytes(void *buf, size_t n) {
        size_t got = 0;
        while (got < n) {
                ssize_t r = getrandom((char *) buf + got, n - got, 0);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) r;
        }
        return 0;
}

int uuid_generate(uint8_t uuid[16]) {
        int r = random_bytes(uuid, 16);
        if (r < 0)
                return r;
        uuid[6] = (uint8_t) ((uuid[6] & 0x0f) | 0x40);
        uuid[8] = (uint8_t) ((uuid[8] & 0x3f) | 0x80);
        return 0;
}

static int hexval(int c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        c = tolower(c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int uuid_parse(const char *s, uint8_t uuid[16]) {
        if (!s)
                return -EINVAL;
        while (*s == ' ')
                s++;
        for (int i = 0; i < 16; i++) {
                while (*s == '-')
                        s++;
                int hi = hexval((unsigned char) s[0]);
                if (hi < 0)
                        return -EINVAL;
                int lo = hexval((unsigned char) s[1]);
                if (lo < 0)
                        return -EINVAL;
                uuid[i] = (uint8_t) (hi << 4 | lo);
                s += 2;
        }
        while (*s == ' ')
                s++;
        return *s ? -EINVAL : 0;
}

/* By hand rather than with printf: lists of thousands of objects format a UUID each. */
void uuid_format(const uint8_t u[16], char out[UUID_STRING_LEN]) {
        static const char hex[] = "0123456789abcdef";
        char *p = out;
        for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                        *p++ = '-';
                *p++ = hex[u[i] >> 4];
                *p++ = hex[u[i] & 0xf];
        }
        *p = '\0';
}

bool uuid_is_null(const uint8_t uuid[16]) {
        for (int i = 0; i < 16; i++)
                if (uuid[i])
                        return false;
        return true;
}

int mac_generate(uint8_t mac[6]) {
        mac[0] = 0x52;
        mac[1] = 0x54;
        mac[2] = 0x00;
        return random_bytes(mac + 3, 3);
}

int mac_parse(const char *s, uint8_t mac[6]) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < 6; i++) {
                int hi = hexval((unsigned char) s[0]);
                int lo = hi < 0 ? -1 : hexval((unsigned char) s[1]);
                if (hi < 0)
                        return -EINVAL;
                if (lo < 0) {           /* libvirt accepts single-digit groups: 52:54:0:1:2:3 */
                        mac[i] = (uint8_t) hi;
                        s += 1;
                } else {
                        mac[i] = (uint8_t) (hi << 4 | lo);
                        s += 2;
                }
                if (i < 5) {
                        if (*s != ':' && *s != '-')
                                return -EINVAL;
                        s++;
                }
        }
        if (*s)
                return -EINVAL;
        if (mac[0] & 1)   /* multicast MACs cannot name a NIC */
                return -EINVAL;
        return 0;
}

void mac_format(const uint8_t m[6], char out[18]) {
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}
