/* hostinfo.c: host CPU times, memory, NUMA free memory and CPU map from /proc and /sys, as libvirt's Linux node code reads them. */
#include "hostinfo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TICK_NS(t, hz) ((uint64_t) (t) * (1000000000ULL / (uint64_t) (hz)))

static FILE *open_under(const char *root, const char *path) {
        char full[4096];
        snprintf(full, sizeof full, "%s%s", root ? root : "", path);
        return fopen(full, "re");
}

int hostinfo_cpu_times(const char *root, int cpu, HostCpuTimes *out) {
        FILE *f = open_under(root, "/proc/stat");
        if (!f)
                return -errno;
        char want[32], line[512];
        if (cpu < 0)
                snprintf(want, sizeof want, "cpu ");
        else
                snprintf(want, sizeof want, "cpu%d ", cpu);
        long hz = sysconf(_SC_CLK_TCK);
        if (hz <= 0)
                hz = 100;
        int r = -ENOENT;
        while (fgets(line, sizeof line, f)) {
                unsigned long long user, nice, sys, idle, iowait, irq, softirq;
                if (strncmp(line, want, strlen(want)) != 0)
                        continue;
                if (sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
                           &irq, &softirq) == 7) {
                        *out = (HostCpuTimes) { .kernel_ns = TICK_NS(sys + irq + softirq, hz),
                                                .user_ns = TICK_NS(user + nice, hz), .idle_ns = TICK_NS(idle, hz),
                                                .iowait_ns = TICK_NS(iowait, hz) };
                        r = 0;
                } else {
                        r = -EBADMSG;
                }
                break;
        }
        fclose(f);
        return r;
}

int hostinfo_meminfo(const char *path, const char *key, uint64_t *kib) {
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char line[256];
        int r = -ENOENT;
        while (fgets(line, sizeof line, f)) {
                char *p = line;
                if (strncmp(p, "Node ", 5) == 0) {              /* "Node 0 MemFree:  …" */
                        p = strchr(p + 5, ' ');
                        if (!p)
                                continue;
                        p++;
                }
                size_t n = strlen(key);
                unsigned long long v;
                if (strncmp(p, key, n) == 0 && p[n] == ':' && sscanf(p + n + 1, "%llu", &v) == 1) {
                        *kib = v;
                        r = 0;
                        break;
                }
        }
        fclose(f);
        return r;
}

int hostinfo_cell_free_kib(const char *root, int cell, uint64_t *kib) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sys/devices/system/node/node%d/meminfo", root ? root : "", cell);
        return hostinfo_meminfo(path, "MemFree", kib);
}

/* A kernel CPU list ("0-3,8,10-11\n") into bits; the highest CPU + 1, or -EBADMSG. */
static int parse_cpu_list(const char *s, uint8_t *map, size_t maplen, unsigned *count) {
        int highest = -1;
        *count = 0;
        while (*s && *s != '\n') {
                char *end;
                long a = strtol(s, &end, 10), b = a;
                if (end == s || a < 0)
                        return -EBADMSG;
                if (*end == '-') {
                        s = end + 1;
                        b = strtol(s, &end, 10);
                        if (end == s || b < a)
                                return -EBADMSG;
                }
                for (long i = a; i <= b && i < 65536; i++) {
                        if (map && (size_t) i / 8 < maplen)
                                map[i / 8] |= (uint8_t) (1u << (i % 8));
                        (*count)++;
                }
                if (b > highest)
                        highest = (int) b;
                s = *end == ',' ? end + 1 : end;
        }
        return highest + 1;
}

static int read_list(const char *root, const char *path, uint8_t *map, size_t maplen, unsigned *count) {
        FILE *f = open_under(root, path);
        if (!f)
                return -errno;
        char buf[4096];
        int r = fgets(buf, sizeof buf, f) ? parse_cpu_list(buf, map, maplen, count) : -EBADMSG;
        fclose(f);
        return r;
}

int hostinfo_cpu_map(const char *root, uint8_t *map, size_t maplen, unsigned *online) {
        unsigned present_n;
        int present = read_list(root, "/sys/devices/system/cpu/present", NULL, 0, &present_n);
        if (present < 0)
                return present;
        if (map)
                memset(map, 0, maplen);
        int r = read_list(root, "/sys/devices/system/cpu/online", map, maplen, online);
        return r < 0 ? r : present;
}
