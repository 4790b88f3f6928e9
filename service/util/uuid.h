/* uuid.h: UUID and MAC generation, parsing and formatting in libvirt's textual forms. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define UUID_STRING_LEN 37   /* 36 characters and the NUL */

/* Random version-4 UUID from getrandom(2). Returns 0 or a negative errno. */
int uuid_generate(uint8_t uuid[16]);
/* Accepts libvirt's forms: 32 hex digits with or without dashes between groups. 0 or -EINVAL. */
int uuid_parse(const char *s, uint8_t uuid[16]);
void uuid_format(const uint8_t uuid[16], char out[UUID_STRING_LEN]);
bool uuid_is_null(const uint8_t uuid[16]);

/* A MAC in libvirt's locally administered QEMU range 52:54:00:xx:xx:xx. */
int mac_generate(uint8_t mac[6]);
int mac_parse(const char *s, uint8_t mac[6]);
void mac_format(const uint8_t mac[6], char out[18]);
