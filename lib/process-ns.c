/* process-ns.c: a child's private /dev in its own mount namespace (libvirt's namespaces = [ "mount" ]), built between clone and exec with raw system calls. */
#include "process-ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int process_dev_node(const char *path, ProcessDevNode *out) {
        if (!path || strncmp(path, "/dev/", 5) != 0 || strstr(path, "/../") || strlen(path + 5) >= sizeof out->name)
                return -EINVAL;
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return -EINVAL;
        *out = (ProcessDevNode) { .mode = st.st_mode, .rdev = st.st_rdev, .uid = st.st_uid, .gid = st.st_gid };
        memcpy(out->name, path + 5, strlen(path + 5) + 1);
        return 0;
}

/* dir + "/" + name into buf without snprintf (not async-signal-safe). */
static int join(char *buf, size_t len, const char *dir, const char *name) {
        size_t a = strlen(dir), b = strlen(name);
        if (a + 1 + b + 1 > len)
                return -1;
        memcpy(buf, dir, a);
        buf[a] = '/';
        memcpy(buf + a + 1, name, b + 1);
        return 0;
}

/* mkdir -p of path's parents below dir (they are in the fresh tmpfs). */
static void make_parents(char *path, size_t dir_len) {
        for (char *s = path + dir_len + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                (void) mkdir(path, 0755);
                *s = '/';
        }
}

const char *process_child_mount_ns(const ProcessMountNs *ns) {
        char p[512];
        if (unshare(CLONE_NEWNS) < 0)
                return "create a mount namespace";
        if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return "make the mounts private";
        if (mount("devfs", ns->staging, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536") < 0)
                return "mount a tmpfs for /dev";
        size_t dir_len = strlen(ns->staging);
        for (size_t i = 0; i < ns->n_nodes; i++) {
                const ProcessDevNode *n = &ns->nodes[i];
                if (join(p, sizeof p, ns->staging, n->name) < 0) {
                        errno = ENAMETOOLONG;
                        return "name a device node";
                }
                make_parents(p, dir_len);
                if (mknod(p, n->mode & (S_IFMT | 07777), n->rdev) < 0 && errno != EEXIST)
                        return "create a device node";
                if (chown(p, n->uid, n->gid) < 0 || chmod(p, n->mode & 07777) < 0)
                        return "set a device node's owner";
        }
        static const char *const links[][2] = {
                { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
        };
        for (size_t i = 0; i < 4; i++)
                if (join(p, sizeof p, ns->staging, links[i][0]) == 0)
                        (void) symlink(links[i][1], p);
        /* The host's pseudo-terminals, shared memory and message queues stay what they are. */
        static const char *const moved[] = { "pts", "shm", "mqueue" };
        for (size_t i = 0; i < 3; i++) {
                char from[64];
                if (join(from, sizeof from, "/dev", moved[i]) < 0 || join(p, sizeof p, ns->staging, moved[i]) < 0)
                        continue;
                struct stat st;
                if (stat(from, &st) < 0)
                        continue;
                (void) mkdir(p, 0755);
                if (mount(from, p, NULL, MS_MOVE, NULL) < 0 && errno != EINVAL)
                        return "move a /dev mount";
        }
        if (mount(ns->staging, "/dev", NULL, MS_MOVE, NULL) < 0)
                return "move the new /dev in place";
        return NULL;
}
