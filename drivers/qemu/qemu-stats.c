/* qemu-stats.c: virDomainListGetStats of a running QEMU guest: host facts read at once (cgroup or /proc CPU time, tap counters, RSS) and one QMP command per group (query-cpus-fast, qom-get guest-stats, query-blockstats), all sent together; the call completes when the last reply is in. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-info.h"
#include "qemu-net.h"
#include "domain-model.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-live.h"

/* ---- host facts ---- */

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static ssize_t read_small(const char *path, char *buf, size_t len) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return n;
}

/* A whole proc file (which comes a page per read), NUL-terminated, at most max bytes; NULL on
 * failure. */
char *qemu_read_all(const char *path, size_t max) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        size_t cap = 16384, len = 0;
        char *buf = malloc(cap);
        while (buf) {
                if (cap - len < 4096) {
                        char *nb = cap < max ? realloc(buf, cap * 2) : NULL;
                        if (!nb) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = nb;
                        cap *= 2;
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        free(buf);
                        buf = NULL;
                } else if (n == 0) {
                        buf[len] = '\0';
                        break;
                } else {
                        len += (size_t) n;
                }
        }
        close(fd);
        return buf;
}

static uint64_t ticks_to_ns(unsigned long long t) {
        long hz = sysconf(_SC_CLK_TCK);
        return t * (1000000000ULL / (unsigned long long) (hz > 0 ? hz : 100));
}

/* utime, stime (fields 14, 15) and rss pages (field 24) of /proc/PID[/task/TID]/stat. */
static bool proc_stat(const char *path, uint64_t *user_ns, uint64_t *sys_ns, uint64_t *rss_pages) {
        char buf[1024];
        if (read_small(path, buf, sizeof buf) <= 0)
                return false;
        const char *p = strrchr(buf, ')');
        unsigned long long utime = 0, stime = 0, rss = 0;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %*u %*u %llu",
                         &utime, &stime, &rss) != 3)
                return false;
        *user_ns = ticks_to_ns(utime);
        *sys_ns = ticks_to_ns(stime);
        if (rss_pages)
                *rss_pages = rss;
        return true;
}

/* KVM's halt-polling times of this QEMU from debugfs (/sys/kernel/debug/kvm/PID-FD/); both 0
 * without KVM or debugfs, as libvirt reports them then. */
static void fill_haltpoll(pid_t pid, DomainStats *st) {
        DIR *dir = opendir("/sys/kernel/debug/kvm");
        if (!dir)
                return;
        char prefix[32];
        int plen = snprintf(prefix, sizeof prefix, "%d-", (int) pid);
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (strncmp(de->d_name, prefix, (size_t) plen) != 0)
                        continue;
                char path[PATH_MAX], buf[32];
                snprintf(path, sizeof path, "/sys/kernel/debug/kvm/%s/halt_poll_success_ns", de->d_name);
                if (read_small(path, buf, sizeof buf) > 0)
                        st->haltpoll_success_ns = strtoull(buf, NULL, 10);
                snprintf(path, sizeof path, "/sys/kernel/debug/kvm/%s/halt_poll_fail_ns", de->d_name);
                if (read_small(path, buf, sizeof buf) > 0)
                        st->haltpoll_fail_ns = strtoull(buf, NULL, 10);
                break;
        }
        closedir(dir);
}

/* cpu.time/user/system: the guest's cgroup when it has one, else QEMU's own /proc entry (as
 * libvirt's session daemon does). */
static void fill_cpu(Domain *d, pid_t pid, DomainStats *st) {
        if (qemu_cgroup_cpu_stat(d, &st->cpu_time_ns, &st->cpu_user_ns, &st->cpu_system_ns) == 0) {
                st->has_cpu = true;
                return;
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        if (proc_stat(path, &st->cpu_user_ns, &st->cpu_system_ns, NULL)) {
                st->cpu_time_ns = st->cpu_user_ns + st->cpu_system_ns;
                st->has_cpu = true;
        }
        if (st->has_cpu)
                fill_haltpoll(pid, st);
}

/* A device's line of /proc/net/dev (the reader's network namespace, as libvirt reads it):
 * rx bytes packets errs drop fifo frame compressed multicast, tx bytes packets errs drop …. */
bool qemu_net_dev_counters(const char *text, const char *dev, uint64_t v[8]) {
        size_t len = strlen(dev);
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                while (*line == ' ')
                        line++;
                if (strncmp(line, dev, len) != 0 || line[len] != ':')
                        continue;
                unsigned long long x[12];
                if (sscanf(line + len + 1, "%llu %llu %llu %llu %*u %*u %*u %*u %llu %llu %llu %llu", &x[0], &x[1], &x[2],
                           &x[3], &x[4], &x[5], &x[6], &x[7]) != 8)
                        return false;
                for (int i = 0; i < 8; i++)
                        v[i] = x[i];
                return true;
        }
        return false;
}

/* net.*: one entry per NIC of the running definition; a NIC with a host device gets its
 * counters from /proc/net/dev, turned round for a tap (what the host receives the guest sent) except
 * for types whose device is the guest's view itself (ethernet, direct), as libvirt does. */
static int fill_nets(const DomainDef *def, DomainStats *st) {
        const DomainDevices *dev = def && def->priv ? &def->priv->devices : NULL;
        st->has_net = true;
        if (!dev || dev->n_interfaces == 0)
                return 0;
        st->nets = calloc(dev->n_interfaces, sizeof *st->nets);
        if (!st->nets)
                return -ENOMEM;
        st->n_nets = dev->n_interfaces;
        char *netdev = qemu_read_all("/proc/net/dev", 16u << 20);
        for (size_t i = 0; i < dev->n_interfaces; i++) {
                const DomainInterface *ni = &dev->interfaces[i];
                DomainNetStat *n = &st->nets[i];
                if (!ni->target_dev || !ni->target_dev[0] || strchr(ni->target_dev, '/'))
                        continue;
                if (!(n->name = strdup(ni->target_dev))) {
                        free(netdev);
                        return -ENOMEM;
                }
                bool same_view = str_eq(ni->type, "ethernet") || qemu_nic_is_macvtap(ni);
                uint64_t h[8], v[8];
                if (!netdev || !qemu_net_dev_counters(netdev, n->name, h))
                        continue;
                for (size_t k = 0; k < 8; k++)
                        v[k] = h[same_view ? k : (k + 4) % 8];
                *n = (DomainNetStat) { .name = n->name, .has_counters = true, .rx_bytes = v[0], .rx_pkts = v[1],
                                       .rx_errs = v[2], .rx_drop = v[3], .tx_bytes = v[4], .tx_pkts = v[5],
                                       .tx_errs = v[6], .tx_drop = v[7] };
        }
        free(netdev);
        return 0;
}

/* One vCPU thread: its CPU time (stat), the time it waited for a CPU (sched's wait_sum, ms with
 * a fraction; 0 when the kernel keeps no schedstats) and its run delay (schedstat's second
 * field, ns). */
static void fill_vcpu_thread(pid_t pid, long tid, DomainVcpuStat *v) {
        char path[96], buf[4096];
        uint64_t user = 0, sys = 0;
        snprintf(path, sizeof path, "/proc/%d/task/%ld/stat", (int) pid, tid);
        if (!proc_stat(path, &user, &sys, NULL))
                return;
        v->time_ns = user + sys;
        v->has_time = true;
        v->has_sched = true;
        snprintf(path, sizeof path, "/proc/%d/task/%ld/schedstat", (int) pid, tid);
        unsigned long long run = 0, delay = 0;
        if (read_small(path, buf, sizeof buf) > 0 && sscanf(buf, "%llu %llu", &run, &delay) == 2)
                v->delay_ns = delay;
        snprintf(path, sizeof path, "/proc/%d/task/%ld/sched", (int) pid, tid);
        if (read_small(path, buf, sizeof buf) > 0) {
                const char *w = strstr(buf, "se.statistics.wait_sum");
                if (!w)
                        w = strstr(buf, "se.wait_sum");
                const char *colon = w ? strchr(w, ':') : NULL;
                unsigned long long ms = 0, frac = 0;
                int a = 0, b = 0;
                if (colon && sscanf(colon + 1, " %n%llu.%n%llu", &a, &ms, &b, &frac) >= 1) {
                        /* "123.456789": ms and up to 6 digits of a fraction */
                        uint64_t ns = ms * 1000000ULL;
                        const char *f = colon + 1 + b;
                        if (b > 0) {
                                uint64_t scale = 100000;
                                for (; *f >= '0' && *f <= '9' && scale > 0; f++, scale /= 10)
                                        ns += (uint64_t) (*f - '0') * scale;
                        }
                        v->wait_ns = ns;
                }
        }
}

/* ---- the QMP round ---- */

typedef struct StatsQuery {
        Domain *d;              /* a reference */
        DomainStats *st;
        Call *call;             /* a reference */
        pid_t pid;
        unsigned waiting;       /* replies still to come, + 1 while sending */
} StatsQuery;

static void query_step(StatsQuery *sq) {
        if (--sq->waiting > 0)
                return;
        call_complete(sq->call, 0, NULL, sq->st);
        call_unref(sq->call);
        domain_stats_free(sq->st);
        domain_unref(sq->d);
        free(sq);
}

/* Each reply handler is called exactly once, also when the monitor goes away (ret NULL): the
 * stats go out with what is known, as libvirt leaves out what QEMU could not say. */
static void on_cpus_fast(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        StatsQuery *sq = userdata;
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(ret, i), *idx, *tid;
                if (!json_object_object_get_ex(e, "cpu-index", &idx) || !json_object_object_get_ex(e, "thread-id", &tid))
                        continue;
                int64_t k = json_object_get_int64(idx);
                if (k < 0 || (uint64_t) k >= sq->st->n_vcpus)
                        continue;
                DomainVcpuStat *v = &sq->st->vcpus[k];
                v->state = 1;
                fill_vcpu_thread(sq->pid, (long) json_object_get_int64(tid), v);
        }
        if (cls)
                log_debug("domain %s: query-cpus-fast: %s", sq->d->obj.name, desc ? desc : cls);
        query_step(sq);
}

static void add_balloon(DomainStats *st, int tag, uint64_t v) {
        if (st->n_balloon < DOMAIN_BALLOON_STATS_MAX)
                st->balloon[st->n_balloon++] = (DomainBalloonStat) { tag, v };
}

static void add_rss(StatsQuery *sq) {
        char path[64];
        uint64_t u, s, pages;
        snprintf(path, sizeof path, "/proc/%d/stat", (int) sq->pid);
        long page = sysconf(_SC_PAGESIZE);
        if (proc_stat(path, &u, &s, &pages))
                add_balloon(sq->st, DOMAIN_MEMSTAT_RSS, pages * (uint64_t) (page > 0 ? page : 4096) / 1024);
}

/* {"stats": {"stat-swap-in": N, …}, "last-update": T}: bytes become KiB; -1 is a statistic the
 * guest does not report (or nothing polled yet), left out. */
static void on_guest_stats(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        StatsQuery *sq = userdata;
        static const struct {
                const char *key;
                int tag;
                bool kib;
        } map[] = {
                { "stat-swap-in", DOMAIN_MEMSTAT_SWAP_IN, true },
                { "stat-swap-out", DOMAIN_MEMSTAT_SWAP_OUT, true },
                { "stat-major-faults", DOMAIN_MEMSTAT_MAJOR_FAULT, false },
                { "stat-minor-faults", DOMAIN_MEMSTAT_MINOR_FAULT, false },
                { "stat-free-memory", DOMAIN_MEMSTAT_UNUSED, true },
                { "stat-total-memory", DOMAIN_MEMSTAT_AVAILABLE, true },
                { "stat-available-memory", DOMAIN_MEMSTAT_USABLE, true },
                { "last-update", DOMAIN_MEMSTAT_LAST_UPDATE, false },
                { "stat-disk-caches", DOMAIN_MEMSTAT_DISK_CACHES, true },
                { "stat-htlb-pgalloc", DOMAIN_MEMSTAT_HUGETLB_PGALLOC, false },
                { "stat-htlb-pgfail", DOMAIN_MEMSTAT_HUGETLB_PGFAIL, false },
        };
        json_object *stats = NULL, *v;
        if (ret && json_object_object_get_ex(ret, "stats", &stats))
                for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
                        json_object *from = map[i].tag == DOMAIN_MEMSTAT_LAST_UPDATE ? ret : stats;
                        if (!json_object_object_get_ex(from, map[i].key, &v))
                                continue;
                        /* QEMU's "not reported" is -1 as a u64 */
                        uint64_t x = json_object_get_uint64(v);
                        if (x == UINT64_MAX || json_object_get_int64(v) < 0)
                                continue;
                        add_balloon(sq->st, map[i].tag, map[i].kib ? x / 1024 : x);
                }
        if (cls)
                log_debug("domain %s: guest-stats: %s", sq->d->obj.name, desc ? desc : cls);
        add_rss(sq);
        query_step(sq);
}

static uint64_t get_u64(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

/* Does a query-blockstats entry belong to the disk with this alias? With -blockdev its root
 * node is "drive-ALIAS" and its device "/machine/peripheral/ALIAS/…". */
static bool blockstat_is(json_object *e, const char *alias) {
        json_object *v;
        char want[64];
        snprintf(want, sizeof want, "drive-%s", alias);
        if (json_object_object_get_ex(e, "node-name", &v) && str_eq(json_object_get_string(v), want))
                return true;
        snprintf(want, sizeof want, "/machine/peripheral/%s/", alias);
        return json_object_object_get_ex(e, "qdev", &v) && json_object_get_string(v) &&
               (strncmp(json_object_get_string(v), want, strlen(want)) == 0 ||
                strcmp(json_object_get_string(v), alias) == 0);
}

static void on_blockstats(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        StatsQuery *sq = userdata;
        const DomainDef *def = domain_current_def(sq->d);
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        for (size_t i = 0; i < sq->st->n_blocks && def; i++) {
                char alias[32];
                VbError e = { 0 };
                if (qemu_disk_alias(def, i, alias, sizeof alias, &e) < 0)
                        continue;
                for (size_t k = 0; k < n; k++) {
                        json_object *entry = json_object_array_get_idx(ret, k), *s;
                        if (!blockstat_is(entry, alias) || !json_object_object_get_ex(entry, "stats", &s))
                                continue;
                        DomainBlockStat *b = &sq->st->blocks[i];
                        b->has_io = true;
                        b->rd_reqs = get_u64(s, "rd_operations");
                        b->rd_bytes = get_u64(s, "rd_bytes");
                        b->rd_times = get_u64(s, "rd_total_time_ns");
                        b->wr_reqs = get_u64(s, "wr_operations");
                        b->wr_bytes = get_u64(s, "wr_bytes");
                        b->wr_times = get_u64(s, "wr_total_time_ns");
                        b->fl_reqs = get_u64(s, "flush_operations");
                        b->fl_times = get_u64(s, "flush_total_time_ns");
                        /* what a running guest has written up to is libvirt's allocation */
                        json_object *hi;
                        if (json_object_object_get_ex(s, "wr_highest_offset", &hi))
                                b->allocation = (uint64_t) json_object_get_int64(hi);
                        break;
                }
        }
        if (cls)
                log_debug("domain %s: query-blockstats: %s", sq->d->obj.name, desc ? desc : cls);
        query_step(sq);
}

/* {"status": "unstarted"|"measuring"|"measured", "start-time": s, "calc-time": s,
 * "mode": "page-sampling"|…, "dirty-rate": MiB/s once measured}. */
static void on_dirty_rate(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        StatsQuery *sq = userdata;
        DomainStats *st = sq->st;
        json_object *v;
        if (ret && json_object_object_get_ex(ret, "status", &v)) {
                const char *status = json_object_get_string(v);
                st->has_dirtyrate = true;
                st->dirty_status = str_eq(status, "measuring") ? 1 : str_eq(status, "measured") ? 2 : 0;
                st->dirty_start = (int64_t) get_u64(ret, "start-time");
                st->dirty_period = (int) get_u64(ret, "calc-time");
                st->dirty_mbps = (int64_t) get_u64(ret, "dirty-rate");
                const char *mode = json_object_object_get_ex(ret, "mode", &v) ? json_object_get_string(v) : NULL;
                snprintf(st->dirty_mode, sizeof st->dirty_mode, "%s", mode ? mode : "page-sampling");
        }
        if (cls)
                log_debug("domain %s: query-dirty-rate: %s", sq->d->obj.name, desc ? desc : cls);
        query_step(sq);
}

static void query_send(StatsQuery *sq, Qmp *q, const char *cmd, json_object *args, QmpReplyFn fn) {
        sq->waiting++;
        if (qmp_send(q, cmd, args, fn, sq) < 0)
                fn(q, NULL, "Disconnected", "the monitor is gone", sq);
}

static void stats_fill_runtime(Domain *d, DomainStats *st) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->balloon_kib)
                st->balloon_current_kib = qd->balloon_kib;
}

int qemu_domain_get_stats(Domain *d, DomainStats *st, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        stats_fill_runtime(d, st);
        pid_t pid = qd && qd->proc ? process_pid(qd->proc) : 0;
        if (pid <= 0)
                return 0;
        if (st->groups & DOMAIN_STATS_CPU_TOTAL)
                fill_cpu(d, pid, st);
        if ((st->groups & DOMAIN_STATS_INTERFACE) && fill_nets(d->live, st) < 0)
                return vb_error_errno(err, -ENOMEM, "stats");
        bool balloon = (st->groups & DOMAIN_STATS_BALLOON) != 0;
        bool vcpu = (st->groups & DOMAIN_STATS_VCPU) && st->n_vcpus > 0;
        bool block = (st->groups & DOMAIN_STATS_BLOCK) && st->n_blocks > 0;
        bool dirty = (st->groups & DOMAIN_STATS_DIRTYRATE) != 0;
        /* libvirt numbers each disk's image in the running chain (its blockdev nodes); a raw or
         * qcow2 file without a backing chain takes one number */
        for (size_t i = 0, k = 0; i < st->n_blocks; i++)
                if (st->blocks[i].path)
                        st->blocks[i].backing_index = (unsigned) ++k;
        bool monitor = call && qd->qmp && qmp_is_ready(qd->qmp);
        if (!monitor || !(balloon || vcpu || block || dirty)) {
                if (balloon) {
                        StatsQuery tmp = { .d = d, .st = st, .pid = pid };
                        add_rss(&tmp);
                }
                return 0;
        }
        StatsQuery *sq = calloc(1, sizeof *sq);
        if (!sq)
                return vb_error_errno(err, -ENOMEM, "stats");
        *sq = (StatsQuery) { .d = domain_ref(d), .st = st, .call = call_ref(call), .pid = pid, .waiting = 1 };
        if (vcpu)
                query_send(sq, qd->qmp, "query-cpus-fast", NULL, on_cpus_fast);
        if (balloon) {
                if (qemu_live_has_balloon(d->live)) {
                        json_object *args = json_object_new_object();
                        if (args) {
                                json_object_object_add(args, "path", json_object_new_string("/machine/peripheral/balloon0"));
                                json_object_object_add(args, "property", json_object_new_string("guest-stats"));
                        }
                        query_send(sq, qd->qmp, "qom-get", args, on_guest_stats);
                } else {
                        add_rss(sq);
                }
        }
        if (block)
                query_send(sq, qd->qmp, "query-blockstats", NULL, on_blockstats);
        if (dirty)
                query_send(sq, qd->qmp, "query-dirty-rate", NULL, on_dirty_rate);
        query_step(sq);         /* the one held while sending; the call is answered after the last reply */
        return VERB_PENDING;
}
