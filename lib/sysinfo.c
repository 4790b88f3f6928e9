/* sysinfo.c: libvirt's <sysinfo type='smbios'>: bios, system, baseBoard and chassis from the kernel's /sys/class/dmi/id, processor (type 4) and memory_device (type 17) from the raw SMBIOS table, without dmidecode. */
#include "sysinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SMBIOS_TABLE_MAX (1024u * 1024u)

typedef struct Entry {
        const char *name, *file;
} Entry;

/* libvirt's entry names, in its order, and the kernel's file for each. */
static const Entry bios[] = { { "vendor", "bios_vendor" }, { "version", "bios_version" },
                              { "date", "bios_date" }, { "release", "bios_release" }, { NULL, NULL } };
static const Entry sys[] = { { "manufacturer", "sys_vendor" }, { "product", "product_name" },
                             { "version", "product_version" }, { "serial", "product_serial" },
                             { "uuid", "product_uuid" }, { "sku", "product_sku" },
                             { "family", "product_family" }, { NULL, NULL } };
static const Entry board[] = { { "manufacturer", "board_vendor" }, { "product", "board_name" },
                               { "version", "board_version" }, { "serial", "board_serial" },
                               { "asset", "board_asset_tag" }, { NULL, NULL } };
static const Entry chassis[] = { { "manufacturer", "chassis_vendor" }, { "version", "chassis_version" },
                                 { "serial", "chassis_serial" }, { "asset", "chassis_asset_tag" }, { NULL, NULL } };

static void put_escaped(FILE *f, const char *s) {
        for (; *s; s++)
                switch (*s) {
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '&': fputs("&amp;", f); break;
                case '\'': fputs("&apos;", f); break;
                case '"': fputs("&quot;", f); break;
                default:
                        if ((unsigned char) *s >= 0x20)
                                fputc(*s, f);
                }
}

static void entry(FILE *f, const char *name, const char *value) {
        fprintf(f, "    <entry name='%s'>", name);
        put_escaped(f, value);
        fputs("</entry>\n", f);
}

/* A section from /sys/class/dmi/id; values the firmware left empty are left out, as libvirt does. */
static void dmi_section(FILE *f, const char *root, const char *section, const Entry *t) {
        bool open = false;
        for (; t->name; t++) {
                char path[1024], value[256];
                snprintf(path, sizeof path, "%s/sys/class/dmi/id/%s", root, t->file);
                FILE *in = fopen(path, "re");
                if (!in)
                        continue;
                bool ok = fgets(value, sizeof value, in) != NULL;
                fclose(in);
                value[strcspn(value, "\n")] = '\0';
                if (!ok || !value[0])
                        continue;
                if (!open)
                        fprintf(f, "  <%s>\n", section), open = true;
                entry(f, t->name, value);
        }
        if (open)
                fprintf(f, "  </%s>\n", section);
}

/* String number n (1-based) of a structure whose strings start at s and end by end. */
static const char *smbios_string(const uint8_t *s, const uint8_t *end, uint8_t n) {
        if (n == 0)
                return NULL;
        for (uint8_t i = 1; s < end && *s; i++) {
                size_t len = strnlen((const char *) s, (size_t) (end - s));
                if (i == n)
                        return s + len < end ? (const char *) s : NULL;
                s += len + 1;
        }
        return NULL;
}

static void opt_string(FILE *f, const char *name, const uint8_t *h, uint8_t len, uint8_t off, const uint8_t *strings,
                       const uint8_t *end) {
        const char *v = off < len ? smbios_string(strings, end, h[off]) : NULL;
        if (v && *v)
                entry(f, name, v);
}

static uint16_t word(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static void processor(FILE *f, const uint8_t *h, uint8_t len, const uint8_t *strings, const uint8_t *end) {
        static const char *const types[] = { NULL, "Other", "Unknown", "Central Processor", "Math Processor",
                                             "DSP Processor", "Video Processor" };
        static const char *const states[] = { "Unknown", "Enabled", "Disabled By User", "Disabled By BIOS", "Idle",
                                              NULL, NULL, "Other" };
        char buf[128];
        fputs("  <processor>\n", f);
        opt_string(f, "socket_destination", h, len, 0x04, strings, end);
        if (len > 0x05 && h[0x05] < sizeof types / sizeof types[0] && types[h[0x05]])
                entry(f, "type", types[h[0x05]]);
        opt_string(f, "manufacturer", h, len, 0x07, strings, end);
        if (len >= 0x10) {
                uint32_t eax = (uint32_t) h[0x08] | (uint32_t) h[0x09] << 8 | (uint32_t) h[0x0a] << 16 |
                               (uint32_t) h[0x0b] << 24;
                unsigned fam = (eax >> 8) & 0xf, model = (eax >> 4) & 0xf;
                if (fam == 0xf || fam == 0x6)
                        model |= (eax >> 12) & 0xf0;
                if (fam == 0xf)
                        fam += (eax >> 20) & 0xff;
                if (eax) {
                        snprintf(buf, sizeof buf, "Type %u, Family %u, Model %u, Stepping %u", (eax >> 12) & 0x3, fam,
                                 model, eax & 0xf);
                        entry(f, "signature", buf);
                }
        }
        opt_string(f, "version", h, len, 0x10, strings, end);
        if (len >= 0x16) {
                uint16_t ext = word(h + 0x12), max = word(h + 0x14);
                snprintf(buf, sizeof buf, ext ? "%u MHz" : "Unknown", ext);
                entry(f, "external_clock", buf);
                snprintf(buf, sizeof buf, max ? "%u MHz" : "Unknown", max);
                entry(f, "max_speed", buf);
        }
        if (len > 0x18) {
                const char *st = states[h[0x18] & 0x7];
                snprintf(buf, sizeof buf, "%s%s%s", h[0x18] & 0x40 ? "Populated" : "Unpopulated", st ? ", " : "",
                         st ? st : "");
                entry(f, "status", buf);
        }
        opt_string(f, "serial_number", h, len, 0x20, strings, end);
        opt_string(f, "part_number", h, len, 0x22, strings, end);
        fputs("  </processor>\n", f);
}

static void memory_device(FILE *f, const uint8_t *h, uint8_t len, const uint8_t *strings, const uint8_t *end) {
        if (len < 0x15)
                return;
        uint16_t size = word(h + 0x0c);
        if (size == 0)
                return;         /* "No Module Installed": libvirt lists none */
        char buf[64];
        fputs("  <memory_device>\n", f);
        if (size != 0xffff) {
                uint64_t mib = size == 0x7fff && len >= 0x20 ? (uint64_t) (word(h + 0x1c) | (uint32_t) word(h + 0x1e) << 16)
                               : (size & 0x8000) ? (uint64_t) (size & 0x7fff) / 1024 : size;
                if (mib && mib % 1024 == 0)
                        snprintf(buf, sizeof buf, "%llu GB", (unsigned long long) mib / 1024);
                else
                        snprintf(buf, sizeof buf, "%llu MB", (unsigned long long) mib);
                entry(f, "size", buf);
        }
        opt_string(f, "locator", h, len, 0x10, strings, end);
        opt_string(f, "bank_locator", h, len, 0x11, strings, end);
        if (len >= 0x17 && word(h + 0x15)) {
                snprintf(buf, sizeof buf, "%u MT/s", word(h + 0x15));
                entry(f, "speed", buf);
        }
        opt_string(f, "manufacturer", h, len, 0x17, strings, end);
        opt_string(f, "serial_number", h, len, 0x18, strings, end);
        opt_string(f, "part_number", h, len, 0x1a, strings, end);
        fputs("  </memory_device>\n", f);
}

/* Walk the raw table for structures of type (4 or 17), in the table's order. */
static void smbios_walk(FILE *f, const uint8_t *t, size_t n, uint8_t type) {
        const uint8_t *p = t, *end = t + n;
        while (p + 4 <= end) {
                uint8_t len = p[1];
                if (len < 4 || p + len > end)
                        break;
                const uint8_t *strings = p + len, *next = strings;
                while (next + 1 < end && !(next[0] == 0 && next[1] == 0))
                        next++;
                next += 2;
                if (p[0] == type)
                        (type == 4 ? processor : memory_device)(f, p, len, strings, next > end ? end : next);
                if (p[0] == 127)
                        break;          /* end of table */
                p = next;
        }
}

static uint8_t *read_table(const char *root, size_t *n) {
        char path[1024];
        snprintf(path, sizeof path, "%s/sys/firmware/dmi/tables/DMI", root);
        FILE *in = fopen(path, "re");
        if (!in)
                return NULL;
        uint8_t *t = malloc(SMBIOS_TABLE_MAX);
        *n = t ? fread(t, 1, SMBIOS_TABLE_MAX, in) : 0;
        fclose(in);
        return t;
}

int sysinfo_smbios_xml(const char *root, char **out) {
        char path[1024];
        size_t n = 0;
        snprintf(path, sizeof path, "%s/sys/class/dmi/id", root);
        uint8_t *table = read_table(root, &n);
        if (access(path, F_OK) < 0 && !table)
                return -ENOENT;
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f) {
                free(table);
                return -ENOMEM;
        }
        fputs("<sysinfo type='smbios'>\n", f);
        dmi_section(f, root, "bios", bios);
        dmi_section(f, root, "system", sys);
        dmi_section(f, root, "baseBoard", board);
        dmi_section(f, root, "chassis", chassis);
        if (table) {
                smbios_walk(f, table, n, 4);
                smbios_walk(f, table, n, 17);
        }
        fputs("</sysinfo>\n", f);
        free(table);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *out = buf;
        return 0;
}
