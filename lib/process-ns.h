/* process-ns.h: a child's private mount namespace with a private /dev holding only the device nodes it needs (qemu.conf namespaces = [ "mount" ]), set up between clone and exec. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* One node of the private /dev, copied from the host's in the parent (after the security
 * drivers have labelled it): name below /dev ("null", "mapper/vg-lv"), type and permission
 * bits, device number and owner. */
typedef struct ProcessDevNode {
        char name[96];
        mode_t mode;
        dev_t rdev;
        uid_t uid;
        gid_t gid;
} ProcessDevNode;

typedef struct ProcessMountNs ProcessMountNs;
struct ProcessMountNs {
        const char *staging;            /* an empty directory of the daemon's: the new /dev is built there */
        const ProcessDevNode *nodes;
        size_t n_nodes;
};

/* The host's node at path (under /dev) as a ProcessDevNode; 0, -EINVAL when path is not a
 * device under /dev, or -errno. */
int process_dev_node(const char *path, ProcessDevNode *out);

/* In the child (async-signal-safe system calls only): a new mount namespace whose mounts no
 * longer propagate to the host's, a tmpfs at ns->staging with the nodes and the /dev/fd,
 * stdin, stdout, stderr links, the host's /dev/pts, /dev/shm and /dev/mqueue moved into it,
 * then the whole moved onto /dev. NULL, or what failed (errno says why). */
const char *process_child_mount_ns(const ProcessMountNs *ns);
