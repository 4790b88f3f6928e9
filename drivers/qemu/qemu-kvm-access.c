/* qemu-kvm-access.c: whether QEMU, run as a given user, can use /dev/kvm (the capabilities' kvm domain type). */
#include "qemu-kvm-access.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"
#define RW 06           /* read and write, in an ACL entry's or a mode's permission bits */

static bool user_in_group(const QemuKvmUser *u, gid_t gid) {
        if (u->gid == gid)
                return true;
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == gid)
                        return true;
        return false;
}

/* The kernel's "system.posix_acl_access" value: a u32 version (2), then entries of u16 tag,
 * u16 permissions (rwx as 4 2 1) and u32 id, all little-endian. */
enum { ACL_USER_OBJ = 0x01, ACL_USER = 0x02, ACL_GROUP_OBJ = 0x04, ACL_GROUP = 0x08, ACL_MASK = 0x10,
       ACL_OTHER = 0x20 };
#define ACL_VERSION 2

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}
static uint16_t le16(const unsigned char *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

/* POSIX.1e's access check for user against an access ACL: 1 granted, 0 refused, -1 when the
 * value is not one (the caller then falls back to the mode). */
static int acl_grants_rw(const unsigned char *v, size_t len, const QemuKvmUser *user, const struct stat *st) {
        if (len < 4 || (len - 4) % 8 || le32(v) != ACL_VERSION)
                return -1;
        size_t n = (len - 4) / 8;
        unsigned mask = 07, other = 0;
        int named_user = -1, group_match = 0, group_rw = 0;
        bool has_mask = false;
        for (size_t i = 0; i < n; i++) {
                const unsigned char *e = v + 4 + 8 * i;
                unsigned tag = le16(e), perm = le16(e + 2) & 07;
                uint32_t id = le32(e + 4);
                switch (tag) {
                case ACL_USER_OBJ:
                        if (st->st_uid == user->uid)
                                return (perm & RW) == RW;
                        break;
                case ACL_USER:
                        if (id == user->uid)
                                named_user = (int) perm;
                        break;
                case ACL_GROUP_OBJ:
                case ACL_GROUP:
                        if (user_in_group(user, tag == ACL_GROUP_OBJ ? st->st_gid : (gid_t) id)) {
                                group_match = 1;
                                group_rw |= (perm & RW) == RW;
                        }
                        break;
                case ACL_MASK:
                        mask = perm, has_mask = true;
                        break;
                case ACL_OTHER:
                        other = perm;
                        break;
                default:
                        return -1;
                }
        }
        if (named_user >= 0)
                return (named_user & mask & RW) == RW;
        if (group_match)        /* any matching group entry that grants it, through the mask */
                return group_rw && (!has_mask || (mask & RW) == RW);
        return (other & RW) == RW;
}

bool qemu_kvm_usable_by(const QemuKvmUser *user) {
        int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return false;
        struct stat st;
        int r = fstat(fd, &st);
        /* the ACL's size first: an ACL of any length is read whole, never judged by the mode */
        ssize_t acl_len = r == 0 ? fgetxattr(fd, "system.posix_acl_access", NULL, 0) : -1;
        unsigned char *acl = acl_len > 0 ? malloc((size_t) acl_len) : NULL;
        if (acl)
                acl_len = fgetxattr(fd, "system.posix_acl_access", acl, (size_t) acl_len);
        close(fd);
        bool daemons = !user || user->uid == 0 || user->uid == geteuid();
        int granted = r == 0 && !daemons && acl && acl_len > 0 ? acl_grants_rw(acl, (size_t) acl_len, user, &st) : -1;
        free(acl);
        if (r < 0)
                return false;
        if (daemons)
                return true;    /* the daemon's own user opened it just now; root passes modes */
        if (granted >= 0)
                return granted;
        mode_t want = st.st_uid == user->uid ? S_IRUSR | S_IWUSR
                      : user_in_group(user, st.st_gid) ? S_IRGRP | S_IWGRP : S_IROTH | S_IWOTH;
        return (st.st_mode & want) == want;
}
