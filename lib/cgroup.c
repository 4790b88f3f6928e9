/* cgroup.c: a cgroup per guest: create it, put QEMU in it, write its limits, remove it; v2 and v1 (this host mounts v1 controllers with an empty v2 hierarchy beside them). */
#define LOG_MODULE "cgroup"
#include "cgroup.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* cpuset last: a host without its hierarchy still gets the others (pinning then uses
 * sched_setaffinity alone). */
static const char *const v1_controllers[] = { "cpu", "cpuacct", "memory", "cpuset", "blkio" };
#define N_V1 (sizeof v1_controllers / sizeof v1_controllers[0])

size_t cgroup_cpu_plan(const CgroupCpuTune *t, bool v2, CgroupWrite out[CGROUP_MAX_WRITES]) {
        size_t n = 0;
        if (t->has_shares) {
                CgroupWrite *w = &out[n++];
                w->controller = "cpu";
                if (v2) {
                        unsigned long long s = t->shares < 2 ? 2 : t->shares > 262144 ? 262144 : t->shares;
                        snprintf(w->file, sizeof w->file, "cpu.weight");
                        snprintf(w->value, sizeof w->value, "%llu", 1 + ((s - 2) * 9999) / 262142);
                } else {
                        snprintf(w->file, sizeof w->file, "cpu.shares");
                        snprintf(w->value, sizeof w->value, "%llu", t->shares);
                }
        }
        if (v2 && (t->period_us || t->quota_us)) {
                CgroupWrite *w = &out[n++];
                w->controller = "cpu";
                snprintf(w->file, sizeof w->file, "cpu.max");
                if (t->quota_us > 0)
                        snprintf(w->value, sizeof w->value, "%lld %llu", t->quota_us, t->period_us ? t->period_us : 100000);
                else
                        snprintf(w->value, sizeof w->value, "max %llu", t->period_us ? t->period_us : 100000);
                return n;
        }
        /* v1: the period first, so that a quota is checked against the new period. */
        if (t->period_us) {
                CgroupWrite *w = &out[n++];
                w->controller = "cpu";
                snprintf(w->file, sizeof w->file, "cpu.cfs_period_us");
                snprintf(w->value, sizeof w->value, "%llu", t->period_us);
        }
        if (t->quota_us) {
                CgroupWrite *w = &out[n++];
                w->controller = "cpu";
                snprintf(w->file, sizeof w->file, "cpu.cfs_quota_us");
                snprintf(w->value, sizeof w->value, "%lld", t->quota_us < 0 ? -1 : t->quota_us);
        }
        return n;
}

static void plan_bytes(CgroupWrite *w, const char *file, unsigned long long kib) {
        w->controller = "memory";
        snprintf(w->file, sizeof w->file, "%s", file);
        snprintf(w->value, sizeof w->value, "%llu", kib * 1024ULL);
}

size_t cgroup_memory_plan(const CgroupMemTune *t, bool v2, CgroupWrite out[CGROUP_MAX_WRITES]) {
        size_t n = 0;
        if (t->hard_kib)
                plan_bytes(&out[n++], v2 ? "memory.max" : "memory.limit_in_bytes", t->hard_kib);
        if (t->soft_kib)
                plan_bytes(&out[n++], v2 ? "memory.high" : "memory.soft_limit_in_bytes", t->soft_kib);
        if (t->swap_hard_kib) {
                if (v2)
                        plan_bytes(&out[n++], "memory.swap.max",
                                   t->swap_hard_kib > t->hard_kib ? t->swap_hard_kib - t->hard_kib : 0);
                else
                        plan_bytes(&out[n++], "memory.memsw.limit_in_bytes", t->swap_hard_kib);
        }
        return n;
}

bool cgroup_is_v2(const char *root) {
        char *p;
        if (asprintf(&p, "%s/cgroup.controllers", root ? root : CGROUP_ROOT) < 0)
                return false;
        bool v2 = access(p, F_OK) == 0;
        free(p);
        return v2;
}

int cgroup_path(const char *root, bool v2, const char *controller, const char *group, char **out) {
        root = root ? root : CGROUP_ROOT;
        int r = v2 ? asprintf(out, "%s/%s", root, group) : asprintf(out, "%s/%s/%s", root, controller, group);
        return r < 0 ? -ENOMEM : 0;
}

/* qemu.conf cgroup_controllers: the controllers in use (libvirt: only the listed ones). */
static unsigned used_mask = CGROUP_CTRL_ALL;

int cgroup_controller_bit(const char *name) {
        static const char *const names[] = { "cpu", "cpuacct", "memory", "cpuset", "blkio" };
        for (int i = 0; i < 5; i++)
                if (strcmp(name, names[i]) == 0)
                        return 1 << i;
        return strcmp(name, "io") == 0 ? (int) CGROUP_CTRL_BLKIO : -1;
}

void cgroup_use_controllers(unsigned mask) {
        used_mask = mask & CGROUP_CTRL_ALL;
}

static bool used(const char *controller) {
        int b = cgroup_controller_bit(controller);
        return b < 0 || (used_mask & (unsigned) b);
}

int cgroup_plan_check(const CgroupWrite *w, size_t n, unsigned mask, VbError *err) {
        for (size_t i = 0; i < n; i++) {
                int b = cgroup_controller_bit(w[i].controller);
                if (b >= 0 && !(mask & (unsigned) b))
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE,
                                            "cgroup controller '%s' is not in qemu.conf cgroup_controllers: "
                                            "%s cannot be set", w[i].controller, w[i].file);
        }
        return 0;
}

/* A v1 hierarchy virtbus uses: mounted, and in cgroup_controllers. */
static bool v1_mounted(const char *root, const char *controller) {
        if (!used(controller))
                return false;
        char *p;
        if (asprintf(&p, "%s/%s", root, controller) < 0)
                return false;
        bool ok = access(p, F_OK) == 0;
        free(p);
        return ok;
}

static int write_file(const char *dir, const char *file, const char *value) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        int fd = open(p, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        free(p);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, value, strlen(value));
        int r = n < 0 ? -errno : (size_t) n == strlen(value) ? 0 : -EIO;
        close(fd);
        return r;
}

/* mkdir -p below the hierarchy's root (which exists). */
static int make_dirs(const char *path, size_t root_len) {
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        int r = 0;
        for (char *s = p + root_len + 1; r == 0; s++) {
                s = strchr(s, '/');
                if (s)
                        *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                if (!s)
                        break;
                *s = '/';
        }
        free(p);
        return r;
}

static int read_line(const char *dir, const char *file, char *buf, size_t len) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        FILE *f = fopen(p, "re");
        free(p);
        if (!f)
                return -errno;
        if (!fgets(buf, (int) len, f))
                buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

/* v1 cpuset: a new group starts with no CPUs and no memory nodes, and takes no task until it
 * has both: every level from the hierarchy's root down to path gets its parent's when empty. */
static int cpuset_fill(const char *path, size_t root_len) {
        size_t len = strlen(path);
        char *level = strdup(path), *parent = strdup(path);
        if (!level || !parent) {
                free(level);
                free(parent);
                return -ENOMEM;
        }
        int r = 0;
        /* Each level below the root: path cut at every '/' after root_len, then path itself. */
        for (size_t end = root_len + 1; r == 0 && end <= len; end++) {
                if (end < len && path[end] != '/')
                        continue;
                memcpy(level, path, end);
                level[end] = '\0';
                memcpy(parent, level, end + 1);
                *strrchr(parent, '/') = '\0';
                const char *files[] = { "cpuset.cpus", "cpuset.mems" };
                for (size_t i = 0; r == 0 && i < 2; i++) {
                        char mine[1024], theirs[1024];
                        if (read_line(level, files[i], mine, sizeof mine) < 0 ||
                            read_line(parent, files[i], theirs, sizeof theirs) < 0)
                                continue;
                        if (mine[0] == '\0' && theirs[0])
                                r = write_file(level, files[i], theirs);
                }
        }
        free(level);
        free(parent);
        return r;
}

/* v2: the controllers must be enabled in every parent's cgroup.subtree_control. */
static void v2_enable(const char *root, const char *group) {
        char *g = strdup(group);
        if (!g)
                return;
        char ctl[32] = "";
        if (used_mask & (CGROUP_CTRL_CPU | CGROUP_CTRL_CPUACCT))
                strcat(ctl, "+cpu ");
        if (used_mask & CGROUP_CTRL_MEMORY)
                strcat(ctl, "+memory ");
        if (used_mask & CGROUP_CTRL_BLKIO)
                strcat(ctl, "+io");
        (void) write_file(root, "cgroup.subtree_control", ctl);
        char *dir;
        for (char *s = strchr(g, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (asprintf(&dir, "%s/%s", root, g) >= 0) {
                        (void) write_file(dir, "cgroup.subtree_control", ctl);
                        free(dir);
                }
                *s = '/';
        }
        free(g);
}

static int apply_writes(const char *root, bool v2, const char *group, const CgroupWrite *w, size_t n, VbError *err) {
        if (cgroup_plan_check(w, n, used_mask, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                char *dir;
                if (cgroup_path(root, v2, w[i].controller, group, &dir) < 0)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
                int r = write_file(dir, w[i].file, w[i].value);
                if (r < 0) {
                        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "Unable to write to '%s/%s': %s", dir,
                                         w[i].file, strerror(-r));
                        free(dir);
                        return -1;
                }
                free(dir);
        }
        return 0;
}

int cgroup_create_for(const char *root, const char *group, pid_t pid, const CgroupWrite *w, size_t n, VbError *err) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        char pidbuf[32];
        snprintf(pidbuf, sizeof pidbuf, "%d", (int) pid);
        size_t n_ctrl = v2 ? 1 : N_V1;
        for (size_t i = 0; i < n_ctrl; i++) {
                if (!v2 && !v1_mounted(root, v1_controllers[i]))
                        continue;
                char *dir, *base;
                if (cgroup_path(root, v2, v1_controllers[i], group, &dir) < 0)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
                if (cgroup_path(root, v2, v1_controllers[i], "", &base) < 0) {
                        free(dir);
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
                }
                size_t base_len = strlen(base) - 1;     /* without the trailing '/' */
                free(base);
                if (v2)
                        v2_enable(root, group);
                int r = make_dirs(dir, base_len);
                if (r >= 0 && !v2 && strcmp(v1_controllers[i], "cpuset") == 0)
                        r = cpuset_fill(dir, base_len);
                if (r >= 0)
                        r = write_file(dir, "cgroup.procs", pidbuf);
                if (r < 0) {
                        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "Unable to put process %d into cgroup '%s': %s",
                                         (int) pid, dir, strerror(-r));
                        free(dir);
                        cgroup_remove(root, group);
                        return -1;
                }
                free(dir);
        }
        if (apply_writes(root, v2, group, w, n, err) < 0)
                return -1;      /* the caller ends the process, then removes the group */
        return 0;
}

int cgroup_apply(const char *root, const char *group, const CgroupWrite *w, size_t n, VbError *err) {
        root = root ? root : CGROUP_ROOT;
        return apply_writes(root, cgroup_is_v2(root), group, w, n, err);
}

/* The per-thread children (vcpuN, emulator): empty once QEMU has ended. */
static void remove_children(const char *dir) {
        DIR *dh = opendir(dir);
        if (!dh)
                return;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                char *p;
                if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
                        break;
                if (rmdir(p) < 0 && errno != ENOENT)
                        log_warning("cannot remove cgroup %s: %s", p, strerror(errno));
                free(p);
        }
        closedir(dh);
}

void cgroup_remove(const char *root, const char *group) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        size_t n_ctrl = v2 ? 1 : N_V1;
        for (size_t i = 0; i < n_ctrl; i++) {
                char *dir;
                if (!v2 && !v1_mounted(root, v1_controllers[i]))
                        continue;
                if (cgroup_path(root, v2, v1_controllers[i], group, &dir) < 0)
                        return;
                remove_children(dir);
                if (rmdir(dir) < 0 && errno != ENOENT)
                        log_warning("cannot remove cgroup %s: %s", dir, strerror(errno));
                free(dir);
        }
}

int cgroup_cpu_time(const char *root, const char *group, uint64_t *ns) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        char *p;
        if (v2 ? asprintf(&p, "%s/%s/cpu.stat", root, group) < 0 : asprintf(&p, "%s/cpuacct/%s/cpuacct.usage", root, group) < 0)
                return -ENOMEM;
        FILE *f = fopen(p, "re");
        free(p);
        if (!f)
                return -errno;
        int r = -EIO;
        char line[128];
        unsigned long long v;
        while (fgets(line, sizeof line, f)) {
                if (!v2 && sscanf(line, "%llu", &v) == 1) {
                        *ns = v;
                        r = 0;
                        break;
                }
                if (v2 && sscanf(line, "usage_usec %llu", &v) == 1) {
                        *ns = v * 1000;
                        r = 0;
                        break;
                }
        }
        fclose(f);
        return r;
}

bool cgroup_has_cpuset(const char *root) {
        root = root ? root : CGROUP_ROOT;
        if (!used("cpuset"))
                return false;
        if (!cgroup_is_v2(root))
                return v1_mounted(root, "cpuset");
        char line[512];
        return read_line(root, "cgroup.controllers", line, sizeof line) == 0 && strstr(line, "cpuset") != NULL;
}

static const char *const v1_thread_controllers[] = { "cpu", "cpuacct", "cpuset" };

int cgroup_thread_group(const char *root, const char *group, const char *child, const pid_t *tids, size_t n,
                        VbError *err) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        char *sub;
        if (asprintf(&sub, "%s/%s", group, child) < 0)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
        int r = 0;
        size_t n_ctrl = v2 ? 1 : sizeof v1_thread_controllers / sizeof v1_thread_controllers[0];
        for (size_t i = 0; r == 0 && i < n_ctrl; i++) {
                const char *ctrl = v1_thread_controllers[i];
                if (!v2 && !v1_mounted(root, ctrl))
                        continue;
                char *dir = NULL, *parent = NULL;
                if (cgroup_path(root, v2, ctrl, sub, &dir) < 0 || cgroup_path(root, v2, ctrl, group, &parent) < 0) {
                        free(dir);
                        free(parent);
                        r = -ENOMEM;
                        break;
                }
                const char *step = "create";
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        r = -errno;
                if (r == 0 && !v2 && strcmp(ctrl, "cpuset") == 0)
                        r = cpuset_fill(dir, strlen(parent));
                if (r == 0 && v2) {
                        /* A threaded child of the guest's (domain) group; cpu and cpuset for it. */
                        r = write_file(dir, "cgroup.type", "threaded");
                        (void) write_file(parent, "cgroup.subtree_control", "+cpu +cpuset");
                }
                for (size_t k = 0; r == 0 && k < n; k++) {
                        char tid[32];
                        snprintf(tid, sizeof tid, "%d", (int) tids[k]);
                        step = "move thread into";
                        r = write_file(dir, v2 ? "cgroup.threads" : "tasks", tid);
                        if (r == -ESRCH)
                                r = 0;  /* a thread that ended meanwhile */
                }
                if (r < 0)
                        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "Unable to %s cgroup '%s': %s", step,
                                         dir, strerror(-r));
                free(dir);
                free(parent);
        }
        if (r == -ENOMEM)
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
        free(sub);
        return r < 0 ? -1 : 0;
}

const char *cgroup_blkio_weight_file(const char *root, const char *group) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        static const char *const v1[] = { "blkio.bfq.weight", "blkio.weight" }, *const v2f[] = { "io.bfq.weight", "io.weight" };
        char *dir;
        if (cgroup_path(root, v2, "blkio", group, &dir) < 0)
                return NULL;
        const char *found = NULL;
        for (size_t i = 0; i < 2 && !found; i++) {
                char *p;
                if (asprintf(&p, "%s/%s", dir, v2 ? v2f[i] : v1[i]) < 0)
                        break;
                if (access(p, F_OK) == 0)
                        found = v2 ? v2f[i] : v1[i];
                free(p);
        }
        free(dir);
        return found;
}

static void plan_write(CgroupWrite *w, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void plan_write(CgroupWrite *w, const char *file, const char *fmt, ...) {
        w->controller = "blkio";
        snprintf(w->file, sizeof w->file, "%s", file);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->value, sizeof w->value, fmt, ap);
        va_end(ap);
}

int cgroup_blkio_plan(const CgroupBlkio *b, bool v2, const char *weight_file, CgroupWrite *out, size_t max,
                      VbError *err) {
        size_t n = 0;
        bool wants_weight = b->weight != 0;
        for (size_t i = 0; i < b->n_devices; i++)
                wants_weight = wants_weight || b->devices[i].weight != 0;
        if (wants_weight && !weight_file)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_NONE,
                                    "blkio weight is not supported on this host: its I/O scheduler has no weights "
                                    "(no %s)", v2 ? "io.weight or io.bfq.weight" : "blkio.weight or blkio.bfq.weight");
        if (b->weight && b->weight < 100)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "blkio weight %u is out of range [100, 1000]",
                                    b->weight);
        if (b->weight > 1000)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "blkio weight %u is out of range [100, 1000]",
                                    b->weight);
        /* every device can write up to 5 files (v1) */
        if (1 + 5 * b->n_devices > max)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "too many blkiotune devices (at most %zu)",
                                    (max - 1) / 5);
        if (b->weight)
                plan_write(&out[n++], weight_file, "%u", b->weight);
        for (size_t i = 0; i < b->n_devices; i++) {
                const CgroupBlkioDev *d = &b->devices[i];
                char dev[32];
                snprintf(dev, sizeof dev, "%u:%u", d->major, d->minor);
                if (d->weight) {
                        char file[40];
                        snprintf(file, sizeof file, v2 ? "%s" : "%s_device", weight_file);
                        plan_write(&out[n++], file, "%s %u", dev, d->weight);
                }
                if (v2) {
                        /* io.max: one line, each limit "max" when unset */
                        const uint64_t v[] = { d->read_bytes_sec, d->write_bytes_sec, d->read_iops_sec, d->write_iops_sec };
                        char s[4][24];
                        for (int k = 0; k < 4; k++)
                                v[k] ? snprintf(s[k], sizeof s[k], "%llu", (unsigned long long) v[k])
                                     : snprintf(s[k], sizeof s[k], "max");
                        plan_write(&out[n++], "io.max", "%s rbps=%s wbps=%s riops=%s wiops=%s", dev, s[0], s[1], s[2], s[3]);
                        continue;
                }
                /* v1: 0 lifts the limit */
                plan_write(&out[n++], "blkio.throttle.read_bps_device", "%s %llu", dev, (unsigned long long) d->read_bytes_sec);
                plan_write(&out[n++], "blkio.throttle.write_bps_device", "%s %llu", dev, (unsigned long long) d->write_bytes_sec);
                plan_write(&out[n++], "blkio.throttle.read_iops_device", "%s %llu", dev, (unsigned long long) d->read_iops_sec);
                plan_write(&out[n++], "blkio.throttle.write_iops_device", "%s %llu", dev, (unsigned long long) d->write_iops_sec);
        }
        return (int) n;
}

int cgroup_cpu_stats(const char *root, const char *group, CgroupCpuStats *out) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        *out = (CgroupCpuStats) { 0 };
        int r = cgroup_cpu_time(root, group, &out->time_ns);
        if (r < 0)
                return r;
        char *p;
        if (v2 ? asprintf(&p, "%s/%s/cpu.stat", root, group) < 0 : asprintf(&p, "%s/cpuacct/%s/cpuacct.stat", root, group) < 0)
                return -ENOMEM;
        FILE *f = fopen(p, "re");
        free(p);
        if (!f)
                return -errno;
        /* v1 counts in USER_HZ ticks, v2 in microseconds */
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t tick_ns = hz > 0 ? 1000000000ULL / (uint64_t) hz : 10000000ULL;
        char line[128];
        unsigned long long v;
        int found = 0;
        while (fgets(line, sizeof line, f)) {
                if (v2 ? sscanf(line, "user_usec %llu", &v) == 1 : sscanf(line, "user %llu", &v) == 1)
                        out->user_ns = v2 ? v * 1000 : v * tick_ns, found++;
                else if (v2 ? sscanf(line, "system_usec %llu", &v) == 1 : sscanf(line, "system %llu", &v) == 1)
                        out->system_ns = v2 ? v * 1000 : v * tick_ns, found++;
        }
        fclose(f);
        return found ? 0 : -EIO;
}

int cgroup_cpu_stat(const char *root, const char *group, uint64_t *total, uint64_t *user, uint64_t *system) {
        CgroupCpuStats st;
        int r = cgroup_cpu_stats(root, group, &st);
        if (r < 0)
                return r;
        *total = st.time_ns;
        *user = st.user_ns;
        *system = st.system_ns;
        return 0;
}
