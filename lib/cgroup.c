/* cgroup.c: a cgroup per guest: create it, put QEMU in it, write its limits, remove it; v2 and v1 (this host mounts v1 controllers with an empty v2 hierarchy beside them). */
#define LOG_MODULE "cgroup"
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static const char *const v1_controllers[] = { "cpu", "cpuacct", "memory" };
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

/* v2: the controllers must be enabled in every parent's cgroup.subtree_control. */
static void v2_enable(const char *root, const char *group) {
        char *g = strdup(group);
        if (!g)
                return;
        (void) write_file(root, "cgroup.subtree_control", "+cpu +memory +io");
        char *dir;
        for (char *s = strchr(g, '/'); s; s = strchr(s + 1, '/')) {
                *s = '\0';
                if (asprintf(&dir, "%s/%s", root, g) >= 0) {
                        (void) write_file(dir, "cgroup.subtree_control", "+cpu +memory +io");
                        free(dir);
                }
                *s = '/';
        }
        free(g);
}

static int apply_writes(const char *root, bool v2, const char *group, const CgroupWrite *w, size_t n, VbError *err) {
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

void cgroup_remove(const char *root, const char *group) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        size_t n_ctrl = v2 ? 1 : N_V1;
        for (size_t i = 0; i < n_ctrl; i++) {
                char *dir;
                if (cgroup_path(root, v2, v1_controllers[i], group, &dir) < 0)
                        return;
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

int cgroup_cpu_stat(const char *root, const char *group, uint64_t *total, uint64_t *user, uint64_t *system) {
        root = root ? root : CGROUP_ROOT;
        bool v2 = cgroup_is_v2(root);
        int r = cgroup_cpu_time(root, group, total);
        if (r < 0)
                return r;
        char *p;
        if (v2 ? asprintf(&p, "%s/%s/cpu.stat", root, group) < 0 : asprintf(&p, "%s/cpuacct/%s/cpuacct.stat", root, group) < 0)
                return -ENOMEM;
        FILE *f = fopen(p, "re");
        free(p);
        if (!f)
                return -errno;
        long hz = sysconf(_SC_CLK_TCK);
        unsigned long long tick = 1000000000ULL / (unsigned long long) (hz > 0 ? hz : 100), v;
        char line[128];
        int found = 0;
        while (fgets(line, sizeof line, f)) {
                if (v2 && sscanf(line, "user_usec %llu", &v) == 1)
                        *user = v * 1000, found++;
                else if (v2 && sscanf(line, "system_usec %llu", &v) == 1)
                        *system = v * 1000, found++;
                else if (!v2 && sscanf(line, "user %llu", &v) == 1)
                        *user = v * tick, found++;
                else if (!v2 && sscanf(line, "system %llu", &v) == 1)
                        *system = v * tick, found++;
        }
        fclose(f);
        return found == 2 ? 0 : -EIO;
}
