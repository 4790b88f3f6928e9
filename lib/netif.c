/* netif.c: host network interfaces from sysfs: name, MAC, IFF_UP, link state and speed, and the bridge/bond/vlan structure, formatted as libvirt's interface XML. */
#include "netif.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct Buf {
        char *s;
        size_t len, cap;
        bool failed;
} Buf;

static void buf_add(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_add(Buf *b, const char *fmt, ...) {
        va_list ap;
        if (b->failed)
                return;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || b->len + (size_t) n + 1 > b->cap) {
                size_t cap = (b->cap ? b->cap * 2 : 256) + (n > 0 ? (size_t) n : 0);
                char *s = n < 0 ? NULL : realloc(b->s, cap);
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

/* One line of a sysfs attribute, without its newline; "" when unreadable. */
static void read_attr(const char *root, const char *name, const char *attr, char *out, size_t n) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sys/class/net/%s/%s", root, name, attr);
        out[0] = '\0';
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        if (fgets(out, (int) n, f))
                out[strcspn(out, "\n")] = '\0';
        fclose(f);
}

static bool has_dir(const char *root, const char *name, const char *sub) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/sys/class/net/%s/%s", root, name, sub);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* /proc/net/vlan/config: "eth0.10        | 10  | eth0" */
static bool vlan_of(const char *root, const char *name, int *tag, char *parent, size_t n) {
        char path[4096], line[256];
        snprintf(path, sizeof path, "%s/proc/net/vlan/config", root);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        bool found = false;
        while (!found && fgets(line, sizeof line, f)) {
                char dev[NETIF_NAME_MAX], par[NETIF_NAME_MAX];
                int t;
                if (sscanf(line, "%63s | %d | %63s", dev, &t, par) == 3 && strcmp(dev, name) == 0) {
                        *tag = t;
                        snprintf(parent, n, "%s", par);
                        found = true;
                }
        }
        fclose(f);
        return found;
}

static void format_iface(Buf *b, const char *root, const char *name, unsigned depth);

static void format_members(Buf *b, const char *root, const char *name, const char *sub, unsigned depth) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sys/class/net/%s/%s", root, name, sub);
        DIR *d = opendir(path);
        if (!d)
                return;
        struct dirent **list = NULL;
        int n = scandir(path, &list, NULL, alphasort);
        closedir(d);
        for (int i = 0; i < n; i++) {
                if (list[i]->d_name[0] != '.' && depth < 4)
                        format_iface(b, root, list[i]->d_name, depth + 1);
                free(list[i]);
        }
        free(list);
}

static void format_iface(Buf *b, const char *root, const char *name, unsigned depth) {
        char mac[64], operstate[32], speed[32];
        int ind = (int) depth * 2, tag = 0;
        char parent[NETIF_NAME_MAX];
        read_attr(root, name, "address", mac, sizeof mac);
        read_attr(root, name, "operstate", operstate, sizeof operstate);
        read_attr(root, name, "speed", speed, sizeof speed);
        bool bridge = has_dir(root, name, "bridge"), bond = has_dir(root, name, "bonding");
        bool vlan = !bridge && !bond && vlan_of(root, name, &tag, parent, sizeof parent);
        const char *type = bridge ? "bridge" : bond ? "bond" : vlan ? "vlan" : "ethernet";
        buf_add(b, "%*s<interface type='%s' name='%s'>\n", ind, "", type, name);
        if (mac[0])
                buf_add(b, "%*s  <mac address='%s'/>\n", ind, "", mac);
        long sp = atol(speed);
        if (sp > 0)
                buf_add(b, "%*s  <link speed='%ld' state='%s'/>\n", ind, "", sp, operstate[0] ? operstate : "unknown");
        else
                buf_add(b, "%*s  <link state='%s'/>\n", ind, "", operstate[0] ? operstate : "unknown");
        if (bridge) {
                buf_add(b, "%*s  <bridge>\n", ind, "");
                format_members(b, root, name, "brif", depth + 1);
                buf_add(b, "%*s  </bridge>\n", ind, "");
        } else if (bond) {
                buf_add(b, "%*s  <bond>\n", ind, "");
                char slaves[1024];
                read_attr(root, name, "bonding/slaves", slaves, sizeof slaves);
                for (char *save = NULL, *s = strtok_r(slaves, " ", &save); s && depth < 4; s = strtok_r(NULL, " ", &save))
                        format_iface(b, root, s, depth + 2);
                buf_add(b, "%*s  </bond>\n", ind, "");
        } else if (vlan) {
                buf_add(b, "%*s  <vlan tag='%d'>\n", ind, "", tag);
                buf_add(b, "%*s    <interface name='%s'/>\n", ind, "", parent);
                buf_add(b, "%*s  </vlan>\n", ind, "");
        }
        buf_add(b, "%*s</interface>\n", ind, "");
}

void netif_free(NetIf *list, size_t n) {
        for (size_t i = 0; list && i < n; i++)
                free(list[i].xml);
        free(list);
}

int netif_scan(const char *root, NetIf **out, size_t *n) {
        char path[4096];
        root = root ? root : "";
        snprintf(path, sizeof path, "%s/sys/class/net", root);
        struct dirent **names = NULL;
        int k = scandir(path, &names, NULL, alphasort);
        if (k < 0)
                return -errno;
        NetIf *list = calloc(k > 0 ? (size_t) k : 1, sizeof *list);
        size_t count = 0;
        int r = list ? 0 : -ENOMEM;
        for (int i = 0; i < k; i++) {
                const char *name = names[i]->d_name;
                if (r == 0 && name[0] != '.' && strlen(name) < NETIF_NAME_MAX && count < NETIF_MAX) {
                        NetIf *it = &list[count];
                        char flags[32];
                        snprintf(it->name, sizeof it->name, "%s", name);
                        read_attr(root, name, "address", it->mac, sizeof it->mac);
                        read_attr(root, name, "flags", flags, sizeof flags);
                        it->up = strtoul(flags, NULL, 16) & 0x1;
                        Buf b = { 0 };
                        format_iface(&b, root, name, 0);
                        if (b.failed || !b.s) {
                                free(b.s);
                                r = -ENOMEM;
                        } else {
                                it->xml = b.s;
                                count++;
                        }
                }
                free(names[i]);
        }
        free(names);
        if (r < 0) {
                netif_free(list, count);
                return r;
        }
        *out = list;
        *n = count;
        return 0;
}
