/* qemu-kvm-access.c: whether QEMU, run as a given user, can use /dev/kvm (the capabilities' kvm domain type). */
#include "qemu-kvm-access.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"

static bool user_in_group(const QemuKvmUser *u, gid_t gid) {
        if (u->gid == gid)
                return true;
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == gid)
                        return true;
        return false;
}

bool qemu_kvm_usable_by(const QemuKvmUser *user) {
        int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return false;
        struct stat st;
        int r = fstat(fd, &st);
        close(fd);
        if (r < 0)
                return false;
        if (!user || user->uid == 0 || user->uid == geteuid())
                return true;    /* the daemon's own user opened it just now; root passes modes */
        mode_t want = st.st_uid == user->uid ? S_IRUSR | S_IWUSR
                      : user_in_group(user, st.st_gid) ? S_IRGRP | S_IWGRP : S_IROTH | S_IWOTH;
        return (st.st_mode & want) == want;
}
