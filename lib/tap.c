/* tap.c: tap devices (TUNSETIFF on /dev/net/tun), single or multiqueue. */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void tap_close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0) {
                        close(fds[i]);
                        fds[i] = -1;
                }
}

int tap_create(const char *name, unsigned queues, int *fds, char *ifname, VbError *err) {
        if (queues < 1 || queues > TAP_QUEUES_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                    "a tap device has 1 to %d queues, not %u", TAP_QUEUES_MAX, queues);
        if (name && (!name[0] || strlen(name) >= IFNAMSIZ || strchr(name, '/') || strchr(name, '%')))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                    "invalid tap device name '%s'", name);
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (queues > 1 ? IFF_MULTI_QUEUE : 0) };
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name ? name : "vnet%d");
        for (unsigned i = 0; i < queues; i++)
                fds[i] = -1;
        for (unsigned i = 0; i < queues; i++) {
                int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
                if (fd < 0) {
                        int e = errno;
                        tap_close_all(fds, queues);
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE,
                                            "cannot open /dev/net/tun: %s", strerror(e));
                }
                fds[i] = fd;
                /* After the first queue ifr_name holds the kernel's name: the others join it. */
                if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                        int e = errno;
                        tap_close_all(fds, queues);
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "cannot create tap device '%s': %s",
                                            name ? name : "vnet%d", e == EBUSY ? "it is in use" : strerror(e));
                }
        }
        snprintf(ifname, IFNAMSIZ, "%s", ifr.ifr_name);
        return 0;
}
