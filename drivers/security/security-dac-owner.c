/* security-dac-owner.c: chown a file for a guest and give it back later; with remember_owner the original owner and a reference count live in the file's extended attributes (trusted.virtbus.dac.*), so guests sharing a file and a daemon restarted in between still end with the owner it had. */
#define LOG_MODULE "security"
#include "security-dac.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"

/* libvirt keeps the same facts under trusted.libvirt.security.{dac,ref_dac,timestamp_dac};
 * ours are separate so that neither daemon misreads the other's. trusted.* is readable and
 * writable by CAP_SYS_ADMIN only: a guest's QEMU cannot forge its image's original owner. */
#define XATTR_OWNER "trusted.virtbus.dac.owner"  /* "UID:GID" before the first guest took it */
#define XATTR_REFS "trusted.virtbus.dac.refs"    /* how many running guests hold it */
#define XATTR_BOOT "trusted.virtbus.dac.boot"    /* the boot it was written in: older ones are stale */

static int read_boot_id(char *buf, size_t len) {
        int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
                n--;
        buf[n] = '\0';
        return 0;
}

static int xattr_get(const char *path, const char *name, char *buf, size_t len) {
        ssize_t n = getxattr(path, name, buf, len - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

static int xattr_set(const char *path, const char *name, const char *value) {
        return setxattr(path, name, value, strlen(value), 0) < 0 ? -errno : 0;
}

static void xattr_forget(const char *path) {
        (void) removexattr(path, XATTR_OWNER);
        (void) removexattr(path, XATTR_REFS);
        (void) removexattr(path, XATTR_BOOT);
}

/* The record on path: 1 with *refs and the owner, 0 when there is none (or a stale one, from
 * before the last boot: no guest of that boot still runs), a negative errno when it cannot be
 * read. */
static int owner_recall(const char *path, const char *boot, unsigned *refs, uid_t *uid, gid_t *gid) {
        char v[64], b[64];
        int r = xattr_get(path, XATTR_REFS, v, sizeof v);
        if (r == -ENODATA)
                return 0;
        if (r < 0)
                return r;
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        unsigned long u, g;
        char o[64];
        if (*end || n == 0 || n > 1000000 || xattr_get(path, XATTR_OWNER, o, sizeof o) < 0 ||
            sscanf(o, "%lu:%lu", &u, &g) != 2) {
                log_warning("%s: a garbled %s record; it is dropped", path, XATTR_REFS);
                xattr_forget(path);
                return 0;
        }
        if (xattr_get(path, XATTR_BOOT, b, sizeof b) < 0 || strcmp(b, boot) != 0) {
                log_info("%s: owner record from an earlier boot dropped", path);
                xattr_forget(path);
                return 0;
        }
        *refs = (unsigned) n;
        *uid = (uid_t) u;
        *gid = (gid_t) g;
        return 1;
}

int dac_owner_take(const char *path, uid_t uid, gid_t gid, bool remember, VbError *err) {
        struct stat st;
        if (stat(path, &st) < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY, "cannot access '%s': %s", path,
                                        strerror(errno));
        if (remember) {
                char boot[64], v[64];
                unsigned refs = 0;
                uid_t ou;
                gid_t og;
                int r = read_boot_id(boot, sizeof boot);
                if (r >= 0)
                        r = owner_recall(path, boot, &refs, &ou, &og);
                if (r == 0) {
                        snprintf(v, sizeof v, "%u:%u", (unsigned) st.st_uid, (unsigned) st.st_gid);
                        r = xattr_set(path, XATTR_OWNER, v);
                        if (r >= 0)
                                r = xattr_set(path, XATTR_BOOT, boot);
                }
                if (r >= 0) {
                        snprintf(v, sizeof v, "%u", refs + 1);
                        r = xattr_set(path, XATTR_REFS, v);
                }
                if (r < 0) {
                        if (refs == 0)
                                xattr_forget(path);
                        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                                "Unable to set XATTR %s on %s: %s (set remember_owner = 0 in "
                                                "qemu.conf where the file system has no trusted extended attributes)",
                                                XATTR_REFS, path, strerror(-r));
                }
                log_debug("%s: taken for %u:%u (%u guest(s))", path, (unsigned) uid, (unsigned) gid, refs + 1);
        }
        if ((st.st_uid != uid || st.st_gid != gid) && chown(path, uid, gid) < 0) {
                int e = errno;
                if (remember)
                        dac_owner_give_back(path, true);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                        "unable to set user and group to '%u:%u' on '%s': %s", (unsigned) uid,
                                        (unsigned) gid, path, strerror(e));
        }
        return 0;
}

void dac_owner_give_back(const char *path, bool remember) {
        uid_t uid = 0;
        gid_t gid = 0;
        if (remember) {
                char boot[64], v[64];
                unsigned refs = 0;
                int r = read_boot_id(boot, sizeof boot);
                if (r >= 0)
                        r = owner_recall(path, boot, &refs, &uid, &gid);
                if (r < 0) {
                        if (r != -ENOENT)
                                log_warning("%s: cannot read its owner record: %s", path, strerror(-r));
                        return;
                }
                if (r == 0) {
                        log_debug("%s: no owner record: left as it is", path);
                        return;
                }
                if (refs > 1) {
                        snprintf(v, sizeof v, "%u", refs - 1);
                        if ((r = xattr_set(path, XATTR_REFS, v)) < 0)
                                log_warning("%s: cannot update %s: %s", path, XATTR_REFS, strerror(-r));
                        log_debug("%s: still held by %u guest(s)", path, refs - 1);
                        return;
                }
                xattr_forget(path);
        }
        if (chown(path, uid, gid) < 0)
                log_warning("%s: cannot give it back to %u:%u: %s", path, (unsigned) uid, (unsigned) gid, strerror(errno));
        else
                log_debug("%s: given back to %u:%u", path, (unsigned) uid, (unsigned) gid);
}
