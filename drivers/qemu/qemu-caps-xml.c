/* qemu-caps-xml.c: capabilities and domain capabilities XML in libvirt's layout, from QemuCaps and what /proc and /sys say of the host. */
#define LOG_MODULE "qemu.caps"

#include "qemu-caps.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "log.h"
#include "xml-util.h"

#define HOST_MAX_CPUS 1024
#define HOST_MAX_NODES 64
#define HOST_MAX_PAGE_SIZES 4

#define N(a) (sizeof (a) / sizeof (a)[0])

/* ---- small output helpers over XmlBuf ---- */

static void xb_line(XmlBuf *b, unsigned depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void xb_line(XmlBuf *b, unsigned depth, const char *fmt, ...) {
        char *s;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        b->indent = depth;
        xml_buf_indent(b);
        xml_buf_puts(b, s);
        xml_buf_puts(b, "\n");
        free(s);
}

static void xb_text(XmlBuf *b, unsigned depth, const char *name, const char *text) {
        b->indent = depth;
        xml_buf_text_element(b, name, text);
}

static void xb_enum(XmlBuf *b, unsigned depth, const char *name, const char *const *values, size_t n) {
        if (n == 0) {
                xb_line(b, depth, "<enum name='%s'/>", name);
                return;
        }
        xb_line(b, depth, "<enum name='%s'>", name);
        for (size_t i = 0; i < n; i++)
                xb_text(b, depth + 1, "value", values[i]);
        xb_line(b, depth, "</enum>");
}

/* ---- the host, from /proc and /sys ---- */

/* A small file of /proc or /sys (whose sizes stat does not tell), without trailing blanks. */
static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *data = NULL;
        size_t cap = 0;
        ssize_t n = getdelim(&data, &cap, '\0', f);
        fclose(f);
        if (n < 0) {
                free(data);
                return NULL;
        }
        while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
                data[--n] = '\0';
        return data;
}

static long read_long(const char *fmt, int a, long fallback) {
        char path[256];
        snprintf(path, sizeof path, fmt, a);
        char *s = read_text(path);
        long v = s ? strtol(s, NULL, 10) : fallback;
        free(s);
        return v;
}

/* A kernel cpu list ("0-3,8") into set[]; returns how many. */
static unsigned parse_cpu_list(const char *s, bool *set, unsigned max) {
        unsigned n = 0;
        while (s && *s) {
                char *end;
                unsigned long a = strtoul(s, &end, 10), b = a;
                if (end == s)
                        break;
                if (*end == '-')
                        b = strtoul(end + 1, &end, 10);
                for (unsigned long i = a; i <= b && i < max; i++)
                        if (!set[i]) {
                                set[i] = true;
                                n++;
                        }
                s = *end == ',' ? end + 1 : end;
                if (*s == '\n')
                        break;
        }
        return n;
}

typedef struct HostPages {
        unsigned size_kib;
        unsigned long long count;
} HostPages;

/* Huge page sizes and, for a node (or the system with node < 0), how many are reserved. */
static size_t host_huge_pages(int node, HostPages *out, size_t max) {
        char dir[128];
        if (node >= 0)
                snprintf(dir, sizeof dir, "/sys/devices/system/node/node%d/hugepages", node);
        else
                snprintf(dir, sizeof dir, "/sys/kernel/mm/hugepages");
        DIR *d = opendir(dir);
        size_t n = 0;
        if (!d)
                return 0;
        for (struct dirent *de; (de = readdir(d)) && n < max;) {
                unsigned kib;
                if (sscanf(de->d_name, "hugepages-%ukB", &kib) != 1)
                        continue;
                char path[512];
                snprintf(path, sizeof path, "%s/%s/nr_hugepages", dir, de->d_name);
                char *s = read_text(path);
                out[n++] = (HostPages) { kib, s ? strtoull(s, NULL, 10) : 0 };
                free(s);
        }
        closedir(d);
        /* Smallest first, as libvirt lists them. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && out[j].size_kib < out[j - 1].size_kib; j--) {
                        HostPages t = out[j];
                        out[j] = out[j - 1];
                        out[j - 1] = t;
                }
        return n;
}

static unsigned long long meminfo_total_kib(const char *path) {
        char *s = read_text(path);
        char *p = s ? strstr(s, "MemTotal:") : NULL;
        unsigned long long v = p ? strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
        free(s);
        return v;
}

static void format_host_uuid(XmlBuf *b) {
        char *s = read_text("/sys/class/dmi/id/product_uuid");
        if (!s) {
                /* No SMBIOS (or not readable): the machine id is as stable. */
                char *id = read_text("/etc/machine-id");
                if (id && strlen(id) == 32 && asprintf(&s, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12,
                                                      id + 16, id + 20) < 0)
                        s = NULL;
                free(id);
        }
        xb_text(b, 2, "uuid", s);
        free(s);
}

static void format_host_cpu(XmlBuf *b, const char *arch, const bool *online) {
        xb_line(b, 2, "<cpu>");
        xb_text(b, 3, "arch", arch);
        char *info = read_text("/proc/cpuinfo");
        char *v = info ? strstr(info, "vendor_id") : NULL;
        if (v) {
                v = strchr(v, ':');
                const char *vendor = !v ? NULL : strncmp(v + 2, "GenuineIntel", 12) == 0 ? "Intel" :
                                     strncmp(v + 2, "AuthenticAMD", 12) == 0 ? "AMD" :
                                     strncmp(v + 2, "HygonGenuine", 12) == 0 ? "Hygon" : NULL;
                xb_text(b, 3, "vendor", vendor);
                const char *fam = strstr(info, "cpu family"), *mod = strstr(info, "\nmodel\t"),
                           *step = strstr(info, "stepping");
                if (fam && mod && step)
                        xb_line(b, 3, "<signature family='%ld' model='%ld' stepping='%ld'/>",
                                strtol(strchr(fam, ':') + 1, NULL, 10), strtol(strchr(mod, ':') + 1, NULL, 10),
                                strtol(strchr(step, ':') + 1, NULL, 10));
        }
        free(info);

        /* sockets × dies × cores × threads, counted on the online cpus. */
        long first = -1;
        unsigned sockets = 0, dies = 0, cores = 0, threads = 1;
        bool seen_pkg[HOST_MAX_CPUS] = { false };
        for (unsigned i = 0; i < HOST_MAX_CPUS; i++) {
                if (!online[i])
                        continue;
                long pkg = read_long("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", (int) i, 0);
                if (pkg >= 0 && pkg < HOST_MAX_CPUS && !seen_pkg[pkg]) {
                        seen_pkg[pkg] = true;
                        sockets++;
                }
                if (first < 0)
                        first = i;
        }
        if (first >= 0) {
                long pkg0 = read_long("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", (int) first, 0);
                long die0 = read_long("/sys/devices/system/cpu/cpu%d/topology/die_id", (int) first, 0);
                bool seen_die[HOST_MAX_CPUS] = { false }, seen_core[HOST_MAX_CPUS] = { false };
                for (unsigned i = 0; i < HOST_MAX_CPUS; i++) {
                        if (!online[i] ||
                            read_long("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", (int) i, 0) != pkg0)
                                continue;
                        long die = read_long("/sys/devices/system/cpu/cpu%d/topology/die_id", (int) i, 0);
                        long core = read_long("/sys/devices/system/cpu/cpu%d/topology/core_id", (int) i, 0);
                        if (die >= 0 && die < HOST_MAX_CPUS && !seen_die[die]) {
                                seen_die[die] = true;
                                dies++;
                        }
                        if (die == die0 && core >= 0 && core < HOST_MAX_CPUS && !seen_core[core]) {
                                seen_core[core] = true;
                                cores++;
                        }
                }
                char path[128];
                snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/topology/thread_siblings_list", first);
                char *s = read_text(path);
                bool sib[HOST_MAX_CPUS] = { false };
                unsigned t = parse_cpu_list(s, sib, HOST_MAX_CPUS);
                threads = t ? t : 1;
                free(s);
        }
        xb_line(b, 3, "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>", sockets ? sockets : 1,
                dies ? dies : 1, cores ? cores : 1, threads);
        xb_line(b, 3, "<pages unit='KiB' size='%ld'/>", sysconf(_SC_PAGESIZE) / 1024);
        HostPages huge[HOST_MAX_PAGE_SIZES];
        size_t n = host_huge_pages(-1, huge, HOST_MAX_PAGE_SIZES);
        for (size_t i = 0; i < n; i++)
                xb_line(b, 3, "<pages unit='KiB' size='%u'/>", huge[i].size_kib);
        xb_line(b, 2, "</cpu>");
}

static void format_cell_cpus(XmlBuf *b, const bool *cpus, unsigned n) {
        xb_line(b, 5, "<cpus num='%u'>", n);
        for (unsigned i = 0; i < HOST_MAX_CPUS; i++) {
                if (!cpus[i])
                        continue;
                char path[128];
                snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", i);
                char *sib = read_text(path);
                xb_line(b, 6, "<cpu id='%u' socket_id='%ld' die_id='%ld' core_id='%ld' siblings='%s'/>", i,
                        read_long("/sys/devices/system/cpu/cpu%d/topology/physical_package_id", (int) i, 0),
                        read_long("/sys/devices/system/cpu/cpu%d/topology/die_id", (int) i, 0),
                        read_long("/sys/devices/system/cpu/cpu%d/topology/core_id", (int) i, 0), sib ? sib : "");
                free(sib);
        }
        xb_line(b, 5, "</cpus>");
}

/* One cell: memory and cpus of a NUMA node, or of the whole host (node < 0). */
static void format_cell(XmlBuf *b, int id, int node, const bool *online) {
        char path[128];
        unsigned long long mem;
        bool cpus[HOST_MAX_CPUS] = { false };
        unsigned n_cpus = 0;
        if (node >= 0) {
                snprintf(path, sizeof path, "/sys/devices/system/node/node%d/meminfo", node);
                mem = 0;
                char *s = read_text(path);
                char *p = s ? strstr(s, "MemTotal:") : NULL;
                mem = p ? strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
                free(s);
                snprintf(path, sizeof path, "/sys/devices/system/node/node%d/cpulist", node);
                s = read_text(path);
                n_cpus = parse_cpu_list(s, cpus, HOST_MAX_CPUS);
                free(s);
        } else {
                mem = meminfo_total_kib("/proc/meminfo");
                memcpy(cpus, online, sizeof cpus);
                for (unsigned i = 0; i < HOST_MAX_CPUS; i++)
                        n_cpus += online[i];
        }
        xb_line(b, 4, "<cell id='%d'>", id);
        xb_line(b, 5, "<memory unit='KiB'>%llu</memory>", mem);
        HostPages huge[HOST_MAX_PAGE_SIZES];
        size_t n = host_huge_pages(node, huge, HOST_MAX_PAGE_SIZES);
        unsigned long long huge_kib = 0;
        for (size_t i = 0; i < n; i++)
                huge_kib += huge[i].count * huge[i].size_kib;
        long page_kib = sysconf(_SC_PAGESIZE) / 1024;
        xb_line(b, 5, "<pages unit='KiB' size='%ld'>%llu</pages>", page_kib,
                mem > huge_kib ? (mem - huge_kib) / (unsigned long long) page_kib : 0);
        for (size_t i = 0; i < n; i++)
                xb_line(b, 5, "<pages unit='KiB' size='%u'>%llu</pages>", huge[i].size_kib, huge[i].count);
        xb_line(b, 5, "<distances>");
        if (node >= 0) {
                snprintf(path, sizeof path, "/sys/devices/system/node/node%d/distance", node);
                char *s = read_text(path), *p = s;
                for (int sib = 0; p && *p; sib++) {
                        char *end;
                        long d = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        xb_line(b, 6, "<sibling id='%d' value='%ld'/>", sib, d);
                        p = end;
                }
                free(s);
        } else {
                xb_line(b, 6, "<sibling id='0' value='10'/>");
        }
        xb_line(b, 5, "</distances>");
        format_cell_cpus(b, cpus, n_cpus);
        xb_line(b, 4, "</cell>");
}

static void format_host_topology(XmlBuf *b, const bool *online) {
        int nodes[HOST_MAX_NODES], n = 0;
        char *s = read_text("/sys/devices/system/node/online");
        bool set[HOST_MAX_NODES] = { false };
        parse_cpu_list(s, set, HOST_MAX_NODES);
        free(s);
        for (int i = 0; i < HOST_MAX_NODES; i++)
                if (set[i])
                        nodes[n++] = i;
        xb_line(b, 2, "<topology>");
        xb_line(b, 3, "<cells num='%d'>", n ? n : 1);
        if (n == 0)
                format_cell(b, 0, -1, online);
        for (int i = 0; i < n; i++)
                format_cell(b, nodes[i], nodes[i], online);
        xb_line(b, 3, "</cells>");
        xb_line(b, 2, "</topology>");
}

static void format_host(XmlBuf *b, const char *arch) {
        bool online[HOST_MAX_CPUS] = { false };
        char *s = read_text("/sys/devices/system/cpu/online");
        if (!s || parse_cpu_list(s, online, HOST_MAX_CPUS) == 0)
                online[0] = true;
        free(s);
        xb_line(b, 1, "<host>");
        format_host_uuid(b);
        format_host_cpu(b, arch, online);
        xb_line(b, 2, "<power_management/>");
        DIR *d = opendir("/sys/kernel/iommu_groups");
        bool iommu = false;
        for (struct dirent *de; d && (de = readdir(d));)
                iommu |= de->d_name[0] != '.';
        if (d)
                closedir(d);
        xb_line(b, 2, "<iommu support='%s'/>", iommu ? "yes" : "no");
        format_host_topology(b, online);
        /* The security drivers will add theirs here. */
        xb_line(b, 2, "<secmodel>");
        xb_line(b, 3, "<model>none</model>");
        xb_line(b, 3, "<doi>0</doi>");
        xb_line(b, 2, "</secmodel>");
        xb_line(b, 1, "</host>");
}

/* ---- guests ---- */

static bool arch_is_x86(const char *arch) {
        return strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0;
}

static unsigned arch_wordsize(const char *arch) {
        static const char *const bits32[] = { "i686", "arm", "armv7l", "ppc", "mips", "mipsel", "riscv32", "s390" };
        for (size_t i = 0; i < sizeof bits32 / sizeof bits32[0]; i++)
                if (strcmp(arch, bits32[i]) == 0)
                        return 32;
        return 64;
}

static void format_machine(XmlBuf *b, const QemuMachine *m) {
        for (int alias = 0; alias < 2; alias++) {
                if (alias && !m->alias)
                        break;
                b->indent = 3;
                xml_buf_open(b, "machine");
                if (alias)
                        xml_buf_attr(b, "canonical", m->name);
                xml_buf_attr_uint(b, "maxCpus", m->max_cpus);
                if (m->deprecated)
                        xml_buf_attr(b, "deprecated", "yes");
                xml_buf_puts(b, ">");
                xml_buf_escape(b, alias ? m->alias : m->name);
                xml_buf_puts(b, "</machine>\n");
        }
}

static void format_guest(XmlBuf *b, const QemuCaps *c) {
        xb_line(b, 1, "<guest>");
        xb_text(b, 2, "os_type", "hvm");
        b->indent = 2;
        xml_buf_open(b, "arch");
        xml_buf_attr(b, "name", c->arch);
        xml_buf_puts(b, ">\n");
        xb_line(b, 3, "<wordsize>%u</wordsize>", arch_wordsize(c->arch));
        xb_text(b, 3, "emulator", c->binary);
        /* The default machine first, then QEMU's order; each alias after its machine. */
        const QemuMachine *def = qemu_caps_default_machine(c);
        if (def)
                format_machine(b, def);
        for (size_t i = 0; i < c->n_machines; i++)
                if (&c->machines[i] != def)
                        format_machine(b, &c->machines[i]);
        xb_line(b, 3, "<domain type='qemu'/>");
        if (c->kvm)
                xb_line(b, 3, "<domain type='kvm'/>");
        xb_line(b, 2, "</arch>");
        xb_line(b, 2, "<features>");
        if (strcmp(c->arch, "i686") == 0) {
                xb_line(b, 3, "<pae/>");
                xb_line(b, 3, "<nonpae/>");
        }
        if (arch_is_x86(c->arch)) {
                xb_line(b, 3, "<acpi default='on' toggle='yes'/>");
                xb_line(b, 3, "<apic default='on' toggle='no'/>");
        }
        xb_line(b, 3, "<cpuselection/>");
        xb_line(b, 3, "<deviceboot/>");
        xb_line(b, 3, "<disksnapshot default='on' toggle='no'/>");
        xb_line(b, 2, "</features>");
        xb_line(b, 1, "</guest>");
}

char *qemu_caps_format_capabilities(QemuCaps *const *caps, size_t n_caps, VbError *err) {
        XmlBuf b = XML_BUF_INIT;
        struct utsname u;
        const char *arch = uname(&u) == 0 ? u.machine : "x86_64";
        xml_buf_puts(&b, "<capabilities>\n\n");
        format_host(&b, arch);
        for (size_t i = 0; i < n_caps; i++) {
                xml_buf_puts(&b, "\n");
                format_guest(&b, caps[i]);
        }
        xml_buf_puts(&b, "\n</capabilities>\n");
        char *s = xml_buf_steal(&b);
        if (!s)
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        return s;
}

/* ---- domain capabilities ---- */

/* A value offered when QEMU has the device type that implements it (NULL: always). */
typedef struct DevValue {
        const char *value;
        const char *needs;
} DevValue;

/* An enum of the values QEMU has the devices for, except skip (may be NULL). */
static void format_dev_enum(XmlBuf *b, const QemuCaps *c, const char *name, const DevValue *v, size_t n,
                            const char *skip) {
        const char *values[16];
        size_t k = 0;
        for (size_t i = 0; i < n && k < 16; i++)
                if ((!v[i].needs || qemu_caps_has_device(c, v[i].needs)) && !(skip && strcmp(skip, v[i].value) == 0))
                        values[k++] = v[i].value;
        xb_enum(b, 3, name, values, k);
}

static const DevValue disk_devices[] = {
        { "disk", NULL }, { "cdrom", NULL }, { "floppy", "floppy" }, { "lun", "scsi-block" },
};
static const DevValue disk_buses[] = {
        { "ide", "ide-hd" }, { "fdc", "floppy" }, { "scsi", "scsi-hd" }, { "virtio", "virtio-blk-pci" },
        { "usb", "usb-storage" }, { "sata", "ich9-ahci" },
};
static const DevValue virtio_models[] = {
        { "virtio", NULL }, { "virtio-transitional", NULL }, { "virtio-non-transitional", NULL },
};
static const DevValue graphics_types[] = {
        { "vnc", NULL }, { "spice", "qxl" },
};
static const DevValue video_models[] = {
        { "vga", "VGA" }, { "cirrus", "cirrus-vga" }, { "vmvga", "vmware-svga" }, { "qxl", "qxl-vga" },
        { "virtio", "virtio-vga" }, { "none", NULL }, { "bochs", "bochs-display" }, { "ramfb", "ramfb" },
};
static const DevValue rng_backends[] = {
        { "random", NULL }, { "egd", NULL }, { "builtin", NULL },
};
static const DevValue fs_drivers[] = {
        { "path", "virtio-9p-pci" }, { "handle", "virtio-9p-pci" }, { "virtiofs", "vhost-user-fs-pci" },
};
static const DevValue tpm_models[] = {
        { "tpm-tis", "tpm-tis" }, { "tpm-crb", "tpm-crb" },
};
static const DevValue channel_types[] = {
        { "pty", NULL }, { "unix", NULL }, { "spicevmc", "qxl" },
};

static void format_devices(XmlBuf *b, const QemuCaps *c, const QemuMachine *m) {
        /* q35 has AHCI where i440fx has IDE. */
        const char *skip_bus = strstr(m->name, "q35") ? "ide" : NULL;
        xb_line(b, 1, "<devices>");
        xb_line(b, 2, "<disk supported='yes'>");
        format_dev_enum(b, c, "diskDevice", disk_devices, N(disk_devices), NULL);
        format_dev_enum(b, c, "bus", disk_buses, N(disk_buses), skip_bus);
        if (qemu_caps_has_device(c, "virtio-blk-pci"))
                format_dev_enum(b, c, "model", virtio_models, N(virtio_models), NULL);
        xb_line(b, 2, "</disk>");

        xb_line(b, 2, "<graphics supported='yes'>");
        format_dev_enum(b, c, "type", graphics_types, N(graphics_types), NULL);
        xb_line(b, 2, "</graphics>");
        xb_line(b, 2, "<video supported='yes'>");
        format_dev_enum(b, c, "modelType", video_models, N(video_models), NULL);
        xb_line(b, 2, "</video>");
        xb_line(b, 2, "<hostdev supported='no'/>");
        if (qemu_caps_has_device(c, "virtio-rng-pci")) {
                xb_line(b, 2, "<rng supported='yes'>");
                format_dev_enum(b, c, "model", virtio_models, N(virtio_models), NULL);
                format_dev_enum(b, c, "backendModel", rng_backends, N(rng_backends), NULL);
                xb_line(b, 2, "</rng>");
        } else {
                xb_line(b, 2, "<rng supported='no'/>");
        }
        xb_line(b, 2, "<filesystem supported='yes'>");
        format_dev_enum(b, c, "driverType", fs_drivers, N(fs_drivers), NULL);
        xb_line(b, 2, "</filesystem>");
        /* The TPM the driver runs (qemu-tpm.c): QEMU's tpm-tis/tpm-crb on swtpm, TPM 2.0 only.
         * virt-install adds one to a UEFI guest when this offers the emulator. */
        bool swtpm = access("/usr/bin/swtpm", X_OK) == 0 && access("/usr/bin/swtpm_setup", X_OK) == 0;
        if (swtpm && (qemu_caps_has_device(c, "tpm-tis") || qemu_caps_has_device(c, "tpm-crb"))) {
                xb_line(b, 2, "<tpm supported='yes'>");
                format_dev_enum(b, c, "model", tpm_models, N(tpm_models), NULL);
                xb_enum(b, 3, "backendModel", (const char *const[]) { "emulator" }, 1);
                xb_enum(b, 3, "backendVersion", (const char *const[]) { "2.0" }, 1);
                xb_line(b, 2, "</tpm>");
        } else {
                xb_line(b, 2, "<tpm supported='no'/>");
        }
        if (qemu_caps_has_device(c, "usb-redir")) {
                xb_line(b, 2, "<redirdev supported='yes'>");
                static const char *const usb[] = { "usb" };
                xb_enum(b, 3, "bus", usb, 1);
                xb_line(b, 2, "</redirdev>");
        }
        xb_line(b, 2, "<channel supported='yes'>");
        format_dev_enum(b, c, "type", channel_types, N(channel_types), NULL);
        xb_line(b, 2, "</channel>");
        xb_line(b, 1, "</devices>");
}

static bool json_array_has(json_object *array, const char *s) {
        size_t n = json_object_is_type(array, json_type_array) ? json_object_array_length(array) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *v = json_object_get_string(json_object_array_get_idx(array, i));
                if (v && strcmp(v, s) == 0)
                        return true;
        }
        return false;
}

static json_object *json_get(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* One firmware descriptor: its flash image when it is UEFI for arch and one of its machine
 * patterns matches machine. */
static const char *firmware_match(json_object *fw, const char *arch, const char *machine, bool *secure) {
        if (!json_array_has(json_get(fw, "interface-types"), "uefi"))
                return NULL;
        json_object *mapping = json_get(fw, "mapping");
        const char *device = json_object_get_string(json_get(mapping, "device"));
        const char *file = json_object_get_string(json_get(json_get(mapping, "executable"), "filename"));
        if (!device || strcmp(device, "flash") != 0 || !file)
                return NULL;
        json_object *targets = json_get(fw, "targets");
        size_t n = json_object_is_type(targets, json_type_array) ? json_object_array_length(targets) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *t = json_object_array_get_idx(targets, i);
                const char *a = json_object_get_string(json_get(t, "architecture"));
                json_object *machines = json_get(t, "machines");
                size_t k = a && strcmp(a, arch) == 0 && json_object_is_type(machines, json_type_array) ?
                           json_object_array_length(machines) : 0;
                for (size_t j = 0; j < k; j++) {
                        const char *pattern = json_object_get_string(json_object_array_get_idx(machines, j));
                        if (pattern && fnmatch(pattern, machine, 0) == 0) {
                                *secure |= json_array_has(json_get(fw, "features"), "secure-boot");
                                return file;
                        }
                }
        }
        return NULL;
}

/* UEFI firmware from QEMU's firmware descriptors (docs/interop/firmware.json), a file in
 * /etc/qemu/firmware hiding one of the same name in /usr/share/qemu/firmware; the images in
 * name order, and whether any offers Secure Boot. */
static size_t firmware_find(const char *arch, const char *machine, char **paths, size_t max, bool *secure) {
        static const char *const dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };
        size_t n = 0;
        *secure = false;
        for (size_t d = 0; d < N(dirs); d++) {
                struct dirent **list;
                int k = scandir(dirs[d], &list, NULL, alphasort);
                for (int i = 0; i < k; i++) {
                        const char *name = list[i]->d_name;
                        size_t len = strlen(name);
                        char path[512], hidden[512];
                        snprintf(path, sizeof path, "%s/%s", dirs[d], name);
                        snprintf(hidden, sizeof hidden, "%s/%s", dirs[0], name);
                        char *text = NULL;
                        if (len > 5 && strcmp(name + len - 5, ".json") == 0 && (d == 0 || access(hidden, F_OK) < 0))
                                text = read_text(path);
                        json_object *fw = text ? json_tokener_parse(text) : NULL;
                        const char *file = fw ? firmware_match(fw, arch, machine, secure) : NULL;
                        bool dup = false;
                        for (size_t j = 0; file && j < n; j++)
                                dup |= strcmp(paths[j], file) == 0;
                        if (file && !dup && n < max && (paths[n] = strdup(file)))
                                n++;
                        json_object_put(fw);
                        free(text);
                        free(list[i]);
                }
                if (k >= 0)
                        free(list);
        }
        return n;
}

static void format_os(XmlBuf *b, const QemuCaps *c, const QemuMachine *m) {
        char *fw[16];
        bool secure;
        size_t n = firmware_find(strcmp(c->arch, "i686") == 0 ? "i386" : c->arch, m->name, fw, N(fw), &secure);
        xb_line(b, 1, "<os supported='yes'>");
        if (n > 0) {
                static const char *const efi[] = { "efi" };
                xb_enum(b, 2, "firmware", efi, 1);
        } else {
                xb_enum(b, 2, "firmware", NULL, 0);
        }
        xb_line(b, 2, "<loader supported='yes'>");
        for (size_t i = 0; i < n; i++) {
                xb_text(b, 3, "value", fw[i]);
                free(fw[i]);
        }
        static const char *const types[] = { "rom", "pflash" }, *const yes_no[] = { "yes", "no" },
                                 *const no_yes[] = { "no", "yes" };
        xb_enum(b, 3, "type", types, 2);
        xb_enum(b, 3, "readonly", yes_no, 2);
        xb_enum(b, 3, "secure", no_yes, secure ? 2 : 1);
        xb_line(b, 2, "</loader>");
        xb_line(b, 1, "</os>");
}

static bool cpu_model_listed(const QemuCpuModel *m) {
        static const char *const internal[] = { "host", "max", "base" };
        for (size_t i = 0; i < N(internal); i++)
                if (strcmp(m->name, internal[i]) == 0)
                        return false;
        /* "Skylake-Client-v2": versions stay behind their unversioned names, as in libvirt. */
        const char *v = strrchr(m->name, '-');
        return !(v && v[1] == 'v' && v[2] && strspn(v + 2, "0123456789") == strlen(v + 2));
}

static void format_cpu(XmlBuf *b, const QemuCaps *c, QemuAccel accel) {
        static const char *const on_off[] = { "on", "off" };
        xb_line(b, 1, "<cpu>");
        if (accel == QEMU_ACCEL_KVM) {
                xb_line(b, 2, "<mode name='host-passthrough' supported='yes'>");
                xb_enum(b, 3, "hostPassthroughMigratable", on_off, 2);
                xb_line(b, 2, "</mode>");
        } else {
                xb_line(b, 2, "<mode name='host-passthrough' supported='no'/>");
        }
        if (qemu_caps_find_cpu(c, accel, "max")) {
                xb_line(b, 2, "<mode name='maximum' supported='yes'>");
                xb_enum(b, 3, "maximumMigratable", on_off, 2);
                xb_line(b, 2, "</mode>");
        } else {
                xb_line(b, 2, "<mode name='maximum' supported='no'/>");
        }
        /* host-model needs libvirt's CPU map to name the host's model; not offered (yet). */
        xb_line(b, 2, "<mode name='host-model' supported='no'/>");
        xb_line(b, 2, "<mode name='custom' supported='%s'>", c->n_cpus[accel] ? "yes" : "no");
        for (size_t i = 0; i < c->n_cpus[accel]; i++) {
                const QemuCpuModel *m = &c->cpus[accel][i];
                if (!cpu_model_listed(m))
                        continue;
                b->indent = 3;
                xml_buf_open(b, "model");
                xml_buf_attr(b, "usable", m->usable ? "yes" : "no");
                if (m->deprecated)
                        xml_buf_attr(b, "deprecated", "yes");
                xml_buf_puts(b, ">");
                xml_buf_escape(b, m->name);
                xml_buf_puts(b, "</model>\n");
        }
        xb_line(b, 2, "</mode>");
        xb_line(b, 1, "</cpu>");
}

int qemu_caps_resolve(const QemuCaps *c, const char *virttype, const char *machine, QemuAccel *accel,
                      const QemuMachine **m, VbError *err) {
        if (!virttype)
                *accel = c->kvm ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG;
        else if (strcmp(virttype, "kvm") == 0)
                *accel = QEMU_ACCEL_KVM;
        else if (strcmp(virttype, "qemu") == 0)
                *accel = QEMU_ACCEL_TCG;
        else
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "unknown virttype: %s", virttype);
        if (*accel == QEMU_ACCEL_KVM && !c->kvm)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                                    "the accel 'kvm' is not supported by '%s' on this host", c->binary);
        *m = machine ? qemu_caps_find_machine(c, machine) : qemu_caps_default_machine(c);
        if (!*m)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                                    "the machine '%s' is not supported by emulator '%s'", machine ? machine : "",
                                    c->binary);
        return 0;
}

char *qemu_caps_format_domain_capabilities(const QemuCaps *c, const char *virttype, const char *machine,
                                           VbError *err) {
        QemuAccel accel;
        const QemuMachine *m = NULL;
        if (qemu_caps_resolve(c, virttype, machine, &accel, &m, err) < 0)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        xml_buf_puts(&b, "<domainCapabilities>\n");
        xb_text(&b, 1, "path", c->binary);
        xb_text(&b, 1, "domain", accel == QEMU_ACCEL_KVM ? "kvm" : "qemu");
        xb_text(&b, 1, "machine", m->name);
        xb_text(&b, 1, "arch", c->arch);
        xb_line(&b, 1, "<vcpu max='%u'/>", m->max_cpus);
        xb_line(&b, 1, "<iothreads supported='yes'/>");
        format_os(&b, c, m);
        format_cpu(&b, c, accel);
        xb_line(&b, 1, "<memoryBacking supported='yes'>");
        static const char *const sources[] = { "file", "anonymous", "memfd" };
        xb_enum(&b, 2, "sourceType", sources, N(sources));
        xb_line(&b, 1, "</memoryBacking>");
        format_devices(&b, c, m);
        xb_line(&b, 1, "<features>");
        if (arch_is_x86(c->arch))
                xb_line(&b, 2, "<gic supported='no'/>");
        xb_line(&b, 2, "<vmcoreinfo supported='%s'/>", qemu_caps_has_device(c, "vmcoreinfo") ? "yes" : "no");
        xb_line(&b, 2, "<genid supported='%s'/>", qemu_caps_has_device(c, "vmgenid") ? "yes" : "no");
        xb_line(&b, 2, "<backup supported='yes'/>");       /* push backups (qemu-backup.c) */
        xb_line(&b, 2, "<sev supported='no'/>");
        xb_line(&b, 2, "<sgx supported='no'/>");
        xb_line(&b, 1, "</features>");
        xml_buf_puts(&b, "</domainCapabilities>\n");
        char *s = xml_buf_steal(&b);
        if (!s)
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        return s;
}
