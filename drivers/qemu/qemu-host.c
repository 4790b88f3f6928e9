/* qemu-host.c: the QEMU connections' node statistics, from the host's /proc and /sys (lib/hostinfo.c). */
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <inttypes.h>
#include <unistd.h>

#include "hostinfo.h"
#include "hostmem.h"
#include "iface.h"
#include "netif.h"
#include "nodedev.h"
#include "sysfs-devices.h"

static int failed(VbError *err, int r, const char *what) {
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot read %s: %s", what, strerror(-r));
}

int qemu_node_memory_stats(Connection *c, int cell, uint64_t out[4], VbError *err) {
        if (cell == -1) {
                static const char *const keys[] = { "MemTotal", "MemFree", "Buffers", "Cached" };
                for (int i = 0; i < 4; i++) {
                        int r = hostinfo_meminfo("/proc/meminfo", keys[i], &out[i]);
                        if (r < 0)
                                return failed(err, r, "/proc/meminfo");
                }
                return 0;
        }
        char path[128];
        snprintf(path, sizeof path, "/sys/devices/system/node/node%d/meminfo", cell);
        if (hostinfo_meminfo(path, "MemTotal", &out[0]) < 0 || hostinfo_meminfo(path, "MemFree", &out[1]) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "cell number %d out of range", cell);
        out[2] = out[3] = 0;
        return 0;
}

/* KSM from /sys/kernel/mm/ksm, as libvirt's host memory code reads it. */
int qemu_node_memory_parameters(Connection *c, uint64_t out[8], VbError *err) {
        bool merge = false;
        int r = hostmem_ksm_read(NULL, out, &merge);
        if (r == -ENOENT)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "virNodeGetMemoryParameters");
        if (r < 0)
                return failed(err, r, "/sys/kernel/mm/ksm");
        return merge ? 8 : 7;
}

/* Free pages per NUMA node: the base page size from the node's MemFree, huge pages from their
 * sysfs pool (libvirt's own sources). */
int qemu_node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells,
                         uint64_t *counts, VbError *err) {
        unsigned base_kib = (unsigned) (sysconf(_SC_PAGESIZE) / 1024);
        for (unsigned i = 0; i < cells; i++) {
                int node = start + (int) i;
                for (unsigned j = 0; j < npages; j++) {
                        char path[160];
                        uint64_t v = 0;
                        int r;
                        if (pages[j] == base_kib) {
                                snprintf(path, sizeof path, "/sys/devices/system/node/node%d/meminfo", node);
                                r = hostinfo_meminfo(path, "MemFree", &v);
                                v /= base_kib;
                        } else {
                                snprintf(path, sizeof path,
                                         "/sys/devices/system/node/node%d/hugepages/hugepages-%ukB/free_hugepages", node,
                                         pages[j]);
                                FILE *f = fopen(path, "re");
                                r = f && fscanf(f, "%" SCNu64, &v) == 1 ? 0 : -ENOENT;
                                if (f)
                                        fclose(f);
                        }
                        if (r < 0)
                                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NONE,
                                                    "page size %u is not available on node %d", pages[j], node);
                        counts[i * npages + j] = v;
                }
        }
        return 0;
}

int qemu_node_cpu_stats(Connection *c, int cpu, uint64_t out[4], VbError *err) {
        HostCpuTimes t;
        int r = hostinfo_cpu_times(NULL, cpu, &t);
        if (r == -ENOENT)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "Invalid cpuNum in %s", "virNodeGetCPUStats");
        if (r < 0)
                return failed(err, r, "/proc/stat");
        out[0] = t.kernel_ns, out[1] = t.user_ns, out[2] = t.idle_ns, out[3] = t.iowait_ns;
        return 0;
}

int qemu_node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err) {
        int n = 0;
        for (int cell = start; n < max; cell++) {
                uint64_t kib;
                if (hostinfo_cell_free_kib(NULL, cell, &kib) < 0)
                        break;
                bytes[n++] = kib * 1024;
        }
        if (n == 0 && start == 0) {     /* no NUMA in sysfs: the host is one cell */
                uint64_t kib;
                if (hostinfo_meminfo("/proc/meminfo", "MemFree", &kib) < 0)
                        return failed(err, -EIO, "/proc/meminfo");
                bytes[n++] = kib * 1024;
        }
        if (n == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "start cell %d out of range", start);
        return n;
}

int qemu_node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err) {
        int r = hostinfo_cpu_map(NULL, map, maplen, online);
        return r < 0 ? failed(err, r, "/sys/devices/system/cpu") : r;
}

/* --- host interfaces, read-only from sysfs (libvirt's udev backend does the same) --- */

static int qemu_iface_list(Connection *c, HostIfaceList *out, VbError *err) {
        NetIf *list = NULL;
        size_t n = 0;
        int r = netif_scan(NULL, &list, &n);
        if (r < 0)
                return failed(err, r, "/sys/class/net");
        out->items = calloc(n ? n : 1, sizeof *out->items);
        if (!out->items) {
                netif_free(list, n);
                return vb_error_errno(err, -ENOMEM, "interfaces");
        }
        for (size_t i = 0; i < n; i++) {
                HostIface *it = &out->items[out->n++];
                snprintf(it->name, sizeof it->name, "%s", list[i].name);
                snprintf(it->mac, sizeof it->mac, "%s", list[i].mac);
                it->active = list[i].up;
                it->xml = list[i].xml;
                list[i].xml = NULL;
        }
        netif_free(list, n);
        return 0;
}

const HostIfaceOps qemu_iface_ops = {
        .list = qemu_iface_list,
        .xml_flags = 1,          /* VIR_INTERFACE_XML_INACTIVE */
        .xml_desc_function = "udevInterfaceGetXMLDesc",
};

/* --- node devices, read-only from sysfs: the computer, PCI devices, network interfaces --- */

static int qemu_nodedev_list(Connection *c, NodeDevList *out, VbError *err) {
        SysDev *list = NULL;
        size_t n = 0;
        int r = sysdev_scan(NULL, &list, &n);
        if (r < 0)
                return failed(err, r, "/sys");
        out->items = calloc(n ? n : 1, sizeof *out->items);
        if (!out->items) {
                sysdev_free(list, n);
                return vb_error_errno(err, -ENOMEM, "node devices");
        }
        for (size_t i = 0; i < n; i++) {
                NodeDev *d = &out->items[out->n++];
                snprintf(d->name, sizeof d->name, "%s", list[i].name);
                snprintf(d->parent, sizeof d->parent, "%s", list[i].parent);
                d->caps[d->n_caps++] = list[i].cap;
                d->cap_flags = list[i].cap_flags;
                d->xml = list[i].xml;
                list[i].xml = NULL;
        }
        sysdev_free(list, n);
        return 0;
}

const NodeDevOps qemu_nodedev_ops = {
        .list = qemu_nodedev_list,
        .list_flags = ((1u << 22) - 1) | (1u << 30) | (1u << 31),     /* capabilities, INACTIVE, ACTIVE */
        .list_function = "nodeConnectListAllNodeDevices",
        .xml_desc_function = "nodeDeviceGetXMLDesc",
        .autostart_calls = true,
};
