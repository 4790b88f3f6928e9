/* cpumap.h: libvirt's CPU lists ("0-3,^2,5") to and from CPU bitmaps (bit i of byte i/8: CPU i), pure. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Parse s into map (maplen bytes, cleared first). "^N" removes N from what the list has so far
 * named. 0, -EINVAL for a malformed list, -ERANGE for a CPU beyond the map. */
int cpumap_parse(const char *s, uint8_t *map, size_t maplen);
/* The shortest list of map's CPUs ("0-1,3"), newly allocated; "" for an empty map; NULL on ENOMEM. */
char *cpumap_format(const uint8_t *map, size_t maplen);
/* How many CPUs map names. */
size_t cpumap_count(const uint8_t *map, size_t maplen);
