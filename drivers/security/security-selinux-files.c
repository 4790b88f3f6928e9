/* security-selinux-files.c: the SELinux driver's system calls on files: give a file a label for a guest and its old label back later, the old label kept with a reference count in trusted.virtbus.selinux.* (as the DAC driver keeps owners), so guests sharing a file and a daemon restarted in between still end with the label it had. */
#define LOG_MODULE "security"
#include "security-selinux-files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <selinux/selinux.h>

#include "log.h"

#define XATTR_LABEL "trusted.virtbus.selinux.label"     /* the label before the first guest took it */
#define XATTR_REFS "trusted.virtbus.selinux.refs"       /* how many running guests hold it */
#define XATTR_BOOT "trusted.virtbus.selinux.boot"       /* the boot it was written in */

static int read_boot_id(char *buf, size_t len) {
        int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        while (n > 0 && buf[n - 1] == '\n')
                n--;
        buf[n] = '\0';
        return 0;
}

static int xget(const char *path, const char *name, char *buf, size_t len) {
        ssize_t n = getxattr(path, name, buf, len - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int xset(const char *path, const char *name, const char *v) {
        return setxattr(path, name, v, strlen(v), 0) < 0 ? -errno : 0;
}

static void forget(const char *path) {
        (void) removexattr(path, XATTR_LABEL);
        (void) removexattr(path, XATTR_REFS);
        (void) removexattr(path, XATTR_BOOT);
}

/* 1 with *refs and old, 0 without a (current) record, a negative errno. */
static int recall(const char *path, const char *boot, unsigned *refs, char *old, size_t oldlen) {
        char v[32], b[64];
        int r = xget(path, XATTR_REFS, v, sizeof v);
        if (r == -ENODATA)
                return 0;
        if (r < 0)
                return r;
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*end || n == 0 || n > 1000000 || xget(path, XATTR_LABEL, old, oldlen) < 0 ||
            xget(path, XATTR_BOOT, b, sizeof b) < 0 || strcmp(b, boot) != 0) {
                log_info("%s: a stale or garbled %s record dropped", path, XATTR_REFS);
                forget(path);
                return 0;
        }
        *refs = (unsigned) n;
        return 1;
}

int selinux_file_take(const char *path, const char *label, VbError *err) {
        char boot[64], old[SELINUX_CONTEXT_MAX], v[32];
        unsigned refs = 0;
        int r = read_boot_id(boot, sizeof boot);
        if (r >= 0)
                r = recall(path, boot, &refs, old, sizeof old);
        if (r == 0) {
                char *cur = NULL;
                if (getfilecon_raw(path, &cur) < 0) {
                        r = -errno;
                } else {
                        r = xset(path, XATTR_LABEL, cur);
                        freecon(cur);
                }
                if (r >= 0)
                        r = xset(path, XATTR_BOOT, boot);
        }
        if (r >= 0) {
                snprintf(v, sizeof v, "%u", refs + 1);
                r = xset(path, XATTR_REFS, v);
        }
        if (r < 0) {
                if (refs == 0)
                        forget(path);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                        "unable to remember the SELinux label of '%s': %s", path, strerror(-r));
        }
        if (setfilecon_raw(path, label) < 0) {
                int e = errno;
                selinux_file_give_back(path);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                        "unable to set security context '%s' on '%s': %s", label, path, strerror(e));
        }
        log_debug("%s: labelled %s (%u guest(s))", path, label, refs + 1);
        return 0;
}

void selinux_file_give_back(const char *path) {
        char boot[64], old[SELINUX_CONTEXT_MAX], v[32];
        unsigned refs = 0;
        int r = read_boot_id(boot, sizeof boot);
        if (r >= 0)
                r = recall(path, boot, &refs, old, sizeof old);
        if (r <= 0) {
                if (r < 0 && r != -ENOENT)
                        log_warning("%s: cannot read its SELinux label record: %s", path, strerror(-r));
                return;
        }
        if (refs > 1) {
                snprintf(v, sizeof v, "%u", refs - 1);
                if ((r = xset(path, XATTR_REFS, v)) < 0)
                        log_warning("%s: cannot update %s: %s", path, XATTR_REFS, strerror(-r));
                return;
        }
        forget(path);
        if (setfilecon_raw(path, old) < 0)
                log_warning("%s: cannot give its label %s back: %s", path, old, strerror(errno));
        else
                log_debug("%s: label %s given back", path, old);
}
