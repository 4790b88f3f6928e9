/* sysfs-devices.h: the host's node devices read from sysfs under a root: the computer (DMI), PCI devices (with their driver and IOMMU group) and network interfaces, each with libvirt's node device XML. */
#pragma once

#include <stddef.h>

#define SYSDEV_NAME_MAX 128
#define SYSDEV_MAX 65536

typedef struct SysDev {
        char name[SYSDEV_NAME_MAX];
        char parent[SYSDEV_NAME_MAX];   /* "" for the computer */
        const char *cap;                /* "system", "pci", "net" (static) */
        unsigned cap_flags;             /* VIR_CONNECT_LIST_NODE_DEVICES_CAP_* */
        char *xml;                      /* owned */
} SysDev;

/* The computer, then PCI devices by address, then network interfaces by name. -errno. */
int sysdev_scan(const char *root, SysDev **out, size_t *n);
void sysdev_free(SysDev *list, size_t n);
