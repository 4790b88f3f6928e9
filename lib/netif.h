/* netif.h: the host's network interfaces read from sysfs (and /proc/net/vlan) under a root, with their virInterface XML: ethernet, bridge (its ports), bond (its slaves), vlan (its tag and parent). Read-only, as libvirt's udev backend. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define NETIF_NAME_MAX 64
#define NETIF_MAX 4096

typedef struct NetIf {
        char name[NETIF_NAME_MAX];
        char mac[18];
        bool up;                        /* IFF_UP */
        char *xml;                      /* owned */
} NetIf;

/* Every interface under root/sys/class/net, by name; *out freed with netif_free. -errno. */
int netif_scan(const char *root, NetIf **out, size_t *n);
void netif_free(NetIf *list, size_t n);
