/* macvtap.c: opening a macvtap's /dev/tapN, with or without udev. */
#include "macvtap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tap.h"

static int read_small(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, size - 1);
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        buf[n] = '\0';
        return 0;
}

static int sys_fail(VbError *err, const char *name, const char *what) {
        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "cannot open macvtap '%s': %s", name, what);
}

/* The character device's number, from a /sys that shows this network namespace. */
static int macvtap_devnum(const char *name, int *index, dev_t *dev, VbError *err) {
        char path[128], buf[64];
        *index = (int) if_nametoindex(name);
        if (*index <= 0)
                return sys_fail(err, name, "no such network interface");
        snprintf(path, sizeof path, "/sys/class/net/%s/ifindex", name);
        if (read_small(path, buf, sizeof buf) < 0 || atoi(buf) != *index)
                return sys_fail(err, name, "/sys does not show this network namespace's interfaces");
        snprintf(path, sizeof path, "/sys/class/net/%s/macvtap/tap%d/dev", name, *index);
        unsigned maj, min;
        if (read_small(path, buf, sizeof buf) < 0 || sscanf(buf, "%u:%u", &maj, &min) != 2)
                return sys_fail(err, name, "its character device is not in /sys");
        *dev = makedev(maj, min);
        return 0;
}

static int open_node(const char *path, dev_t dev) {
        struct stat st;
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != dev) {
                close(fd);
                return -ENODEV;
        }
        return fd;
}

/* QEMU's virtio-net wants the vnet header on, as on taps. */
static int set_vnet_hdr(int fd) {
        struct ifreq ifr = { 0 };
        if (ioctl(fd, TUNGETIFF, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_VNET_HDR;
        return ioctl(fd, TUNSETIFF, &ifr) < 0 ? -errno : 0;
}

int macvtap_open(const char *name, unsigned queues, const char *node_dir, int *fds, VbError *err) {
        if (queues < 1 || queues > TAP_QUEUES_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                    "a macvtap device has 1 to %d queues, not %u", TAP_QUEUES_MAX, queues);
        int index = 0;
        dev_t dev = 0;
        if (macvtap_devnum(name, &index, &dev, err) < 0)
                return -1;
        char udev[64], own[512];
        snprintf(udev, sizeof udev, "/dev/tap%d", index);
        snprintf(own, sizeof own, "%s/tap%d", node_dir, index);
        bool made = false;
        for (unsigned i = 0; i < queues; i++)
                fds[i] = -1;
        int r = 0;
        for (unsigned i = 0; i < queues && r >= 0; i++) {
                int fd = open_node(udev, dev);
                if (fd < 0 && !made) {
                        unlink(own);
                        if (mknod(own, S_IFCHR | 0600, dev) < 0) {
                                r = -errno;
                                break;
                        }
                        made = true;
                }
                if (fd < 0)
                        fd = open_node(own, dev);
                if (fd < 0) {
                        r = fd;
                        break;
                }
                fds[i] = fd;
                r = set_vnet_hdr(fd);
        }
        if (made)
                unlink(own);
        if (r < 0) {
                tap_close_all(fds, queues);
                char what[256];
                snprintf(what, sizeof what, "/dev/tap%d: %s", index, strerror(-r));
                return sys_fail(err, name, what);
        }
        return 0;
}
