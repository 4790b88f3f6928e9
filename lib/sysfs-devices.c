/* sysfs-devices.c: node devices from sysfs (computer, pci, net) as libvirt's node device XML; storage, usb, scsi and mdev devices are not read yet. */
#include "sysfs-devices.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Out {
        SysDev *items;
        size_t n, cap;
        int error;
} Out;

typedef struct Buf {
        char *s;
        size_t len, cap;
        bool failed;
} Buf;

static void add(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(Buf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (b->failed || n < 0)
                return;
        if (b->len + (size_t) n + 1 > b->cap) {
                size_t cap = b->cap * 2 + (size_t) n + 256;
                char *s = realloc(b->s, cap);
                if (!s) {
                        b->failed = true;
                        return;
                }
                b->s = s, b->cap = cap;
        }
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        b->len += (size_t) n;
}

static void read_line(const char *path, char *out, size_t n) {
        out[0] = '\0';
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        if (fgets(out, (int) n, f))
                out[strcspn(out, "\n")] = '\0';
        fclose(f);
}

static void push(Out *o, const char *name, const char *parent, const char *cap, unsigned flags, Buf *b) {
        if (o->error || b->failed || o->n >= SYSDEV_MAX) {
                o->error = o->error ? o->error : -ENOMEM;
                free(b->s);
                return;
        }
        if (o->n == o->cap) {
                size_t ncap = o->cap ? o->cap * 2 : 32;
                SysDev *items = realloc(o->items, ncap * sizeof *items);
                if (!items) {
                        o->error = -ENOMEM;
                        free(b->s);
                        return;
                }
                o->items = items, o->cap = ncap;
        }
        SysDev *d = &o->items[o->n++];
        snprintf(d->name, sizeof d->name, "%s", name);
        snprintf(d->parent, sizeof d->parent, "%s", parent);
        d->cap = cap;
        d->cap_flags = flags;
        d->xml = b->s;
}

static void computer(Out *o, const char *root) {
        static const struct { const char *file, *section, *tag; } fields[] = {
                { "sys_vendor", "hardware", "vendor" }, { "product_version", "hardware", "version" },
                { "product_serial", "hardware", "serial" }, { "product_uuid", "hardware", "uuid" },
                { "bios_vendor", "firmware", "vendor" }, { "bios_version", "firmware", "version" },
                { "bios_date", "firmware", "release_date" },
        };
        Buf b = { 0 };
        char path[PATH_MAX], v[256];
        add(&b, "<device>\n  <name>computer</name>\n  <capability type='system'>\n");
        snprintf(path, sizeof path, "%s/sys/class/dmi/id/product_name", root);
        read_line(path, v, sizeof v);
        if (v[0])
                add(&b, "    <product>%s</product>\n", v);
        for (int sec = 0; sec < 2; sec++) {
                const char *section = sec ? "firmware" : "hardware";
                bool open = false;
                for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
                        if (strcmp(fields[i].section, section) != 0)
                                continue;
                        snprintf(path, sizeof path, "%s/sys/class/dmi/id/%s", root, fields[i].file);
                        read_line(path, v, sizeof v);
                        if (!v[0] || strchr(v, '<') || strchr(v, '&'))
                                continue;
                        if (!open)
                                add(&b, "    <%s>\n", section), open = true;
                        add(&b, "      <%s>%s</%s>\n", fields[i].tag, v, fields[i].tag);
                }
                if (open)
                        add(&b, "    </%s>\n", section);
        }
        add(&b, "  </capability>\n</device>\n");
        push(o, "computer", "", "system", 1u << 0, &b);
}

/* "0000:00:1c.0" → "pci_0000_00_1c_0" */
static void pci_name(const char *addr, char *out, size_t n) {
        snprintf(out, n, "pci_%.24s", addr);
        for (char *p = out; *p; p++)
                if (*p == ':' || *p == '.')
                        *p = '_';
}

/* The nearest PCI device above a sysfs path (its name), or "computer". */
static void pci_parent(const char *real, char *out, size_t n) {
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof tmp, "%s", real);
        for (char *slash = strrchr(tmp, '/'); slash; slash = strrchr(tmp, '/')) {
                *slash = '\0';
                const char *base = strrchr(tmp, '/');
                unsigned d, b, s, f;
                if (base && sscanf(base + 1, "%4x:%2x:%2x.%1x", &d, &b, &s, &f) == 4 && strlen(base + 1) == 12) {
                        pci_name(base + 1, out, n);
                        return;
                }
        }
        snprintf(out, n, "computer");
}

static int by_name(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static void pci_devices(Out *o, const char *root) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/sys/bus/pci/devices", root);
        struct dirent **names = NULL;
        int k = scandir(dir, &names, NULL, by_name);
        for (int i = 0; i < k; i++) {
                const char *addr = names[i]->d_name;
                unsigned dom, bus, slot, fn;
                if (addr[0] != '.' && sscanf(addr, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) == 4) {
                        char path[PATH_MAX], real[PATH_MAX], name[SYSDEV_NAME_MAX], parent[SYSDEV_NAME_MAX];
                        char cls[32], vendor[32], device[32], link[PATH_MAX];
                        snprintf(path, sizeof path, "%s/%.24s", dir, addr);
                        if (!realpath(path, real))
                                snprintf(real, sizeof real, "%s", path);
                        pci_name(addr, name, sizeof name);
                        pci_parent(real, parent, sizeof parent);
                        snprintf(path, sizeof path, "%s/%.24s/class", dir, addr);
                        read_line(path, cls, sizeof cls);
                        snprintf(path, sizeof path, "%s/%.24s/vendor", dir, addr);
                        read_line(path, vendor, sizeof vendor);
                        snprintf(path, sizeof path, "%s/%.24s/device", dir, addr);
                        read_line(path, device, sizeof device);
                        Buf b = { 0 };
                        const char *shown = strncmp(real, root, strlen(root)) == 0 ? real + strlen(root) : real;
                        add(&b, "<device>\n  <name>%s</name>\n  <path>%s</path>\n  <parent>%s</parent>\n", name, shown,
                            parent);
                        snprintf(path, sizeof path, "%s/%.24s/driver", dir, addr);
                        ssize_t l = readlink(path, link, sizeof link - 1);
                        if (l > 0) {
                                link[l] = '\0';
                                add(&b, "  <driver>\n    <name>%s</name>\n  </driver>\n", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
                        }
                        add(&b, "  <capability type='pci'>\n");
                        if (cls[0])
                                add(&b, "    <class>%s</class>\n", cls);
                        add(&b, "    <domain>%u</domain>\n    <bus>%u</bus>\n    <slot>%u</slot>\n    <function>%u</function>\n",
                            dom, bus, slot, fn);
                        add(&b, "    <product id='%s'/>\n    <vendor id='%s'/>\n", device, vendor);
                        snprintf(path, sizeof path, "%s/%.24s/iommu_group", dir, addr);
                        l = readlink(path, link, sizeof link - 1);
                        if (l > 0) {
                                link[l] = '\0';
                                add(&b, "    <iommuGroup number='%s'/>\n", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
                        }
                        add(&b, "  </capability>\n</device>\n");
                        push(o, name, parent, "pci", 1u << 1, &b);
                }
                free(names[i]);
        }
        free(names);
}

static void net_devices(Out *o, const char *root) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/sys/class/net", root);
        struct dirent **names = NULL;
        int k = scandir(dir, &names, NULL, by_name);
        for (int i = 0; i < k; i++) {
                const char *ifname = names[i]->d_name;
                if (ifname[0] != '.' && strlen(ifname) < 64) {
                        char path[PATH_MAX], real[PATH_MAX], mac[64], state[32], speed[32], type[16];
                        char name[SYSDEV_NAME_MAX], parent[SYSDEV_NAME_MAX];
                        snprintf(path, sizeof path, "%s/%.63s", dir, ifname);
                        if (!realpath(path, real))
                                snprintf(real, sizeof real, "%s", path);
                        snprintf(path, sizeof path, "%s/%.63s/address", dir, ifname);
                        read_line(path, mac, sizeof mac);
                        snprintf(path, sizeof path, "%s/%.63s/operstate", dir, ifname);
                        read_line(path, state, sizeof state);
                        snprintf(path, sizeof path, "%s/%.63s/speed", dir, ifname);
                        read_line(path, speed, sizeof speed);
                        snprintf(path, sizeof path, "%s/%.63s/type", dir, ifname);
                        read_line(path, type, sizeof type);
                        snprintf(name, sizeof name, "net_%.63s_%.58s", ifname, mac);
                        for (char *p = name; *p; p++)
                                if (*p == ':' || *p == '-' || *p == '.')
                                        *p = '_';
                        pci_parent(real, parent, sizeof parent);
                        const char *shown = strncmp(real, root, strlen(root)) == 0 ? real + strlen(root) : real;
                        Buf b = { 0 };
                        add(&b, "<device>\n  <name>%s</name>\n  <path>%s</path>\n  <parent>%s</parent>\n", name, shown,
                            parent);
                        add(&b, "  <capability type='net'>\n    <interface>%s</interface>\n    <address>%s</address>\n",
                            ifname, mac);
                        if (atol(speed) > 0)
                                add(&b, "    <link speed='%ld' state='%s'/>\n", atol(speed), state[0] ? state : "unknown");
                        else
                                add(&b, "    <link state='%s'/>\n", state[0] ? state : "unknown");
                        if (strcmp(type, "1") == 0)             /* ARPHRD_ETHER */
                                add(&b, "    <capability type='80203'/>\n");
                        add(&b, "  </capability>\n</device>\n");
                        push(o, name, parent, "net", 1u << 4, &b);
                }
                free(names[i]);
        }
        free(names);
}

void sysdev_free(SysDev *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                free(list[i].xml);
        free(list);
}

int sysdev_scan(const char *root, SysDev **out, size_t *n) {
        Out o = { 0 };
        root = root ? root : "";
        if (strlen(root) > 512)
                return -ENAMETOOLONG;
        computer(&o, root);
        pci_devices(&o, root);
        net_devices(&o, root);
        if (o.error) {
                sysdev_free(o.items, o.n);
                return o.error;
        }
        *out = o.items;
        *n = o.n;
        return 0;
}
