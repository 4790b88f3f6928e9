/* qemu-perf.c: a guest's perf events: host counters (perf_event_open) on every thread of its QEMU, counting the threads they start too, closed when disabled or when QEMU ends. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "domain-model.h"
#include "domain-tune-stats.h"
#include "log.h"

#define PERF_THREADS_MAX 512    /* counters per event: QEMU's threads when it is enabled */

/* One event's counters: one per thread of QEMU when it was enabled (inherit counts the threads
 * those start later); cmt's values are scaled to bytes as libvirt does. */
typedef struct QemuPerfEvent {
        int *fds;
        size_t n;
        uint64_t scale;
} QemuPerfEvent;

struct QemuPerf {
        QemuPerfEvent ev[DOMAIN_PERF_NEVENTS];
};

enum { RDT_CMT, RDT_MBMT, RDT_MBML, FIRST_GENERIC };    /* libvirt's first three: Intel RDT through intel_cqm */

/* perf_event_attr type and config of each event in domain-model.h's order after the RDT three. */
static const struct { uint32_t type; uint64_t config; } generic[DOMAIN_PERF_NEVENTS - FIRST_GENERIC] = {
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
        { PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
        { PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
};

/* A small sysfs number (intel_cqm's PMU type, cmt's scale); -1 when absent or not a number. */
static long long read_sysfs_number(const char *path) {
        FILE *f = fopen(path, "re");
        long long v = -1;
        if (f) {
                if (fscanf(f, "%lld", &v) != 1)
                        v = -1;
                fclose(f);
        }
        return v;
}

/* The attr of event i; RDT events exist only where the kernel has the intel_cqm PMU (removed
 * in Linux 4.14): elsewhere libvirt's "argument unsupported". */
static int event_attr(unsigned i, struct perf_event_attr *a, uint64_t *scale, VbError *err) {
        memset(a, 0, sizeof *a);
        a->size = sizeof *a;
        a->inherit = 1;
        a->disabled = 1;
        *scale = 1;
        if (i >= FIRST_GENERIC) {
                a->type = generic[i - FIRST_GENERIC].type;
                a->config = generic[i - FIRST_GENERIC].config;
                return 0;
        }
        long long type = read_sysfs_number("/sys/devices/intel_cqm/type");
        if (type <= 0)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_PERF,
                                    "unable to enable host cpu perf event for %s", domain_perf_event_name(i));
        a->type = (uint32_t) type;
        a->config = i - RDT_CMT + 1;
        if (i == RDT_CMT) {
                long long s = read_sysfs_number("/sys/devices/intel_cqm/events/llc_occupancy.scale");
                if (s <= 0)
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_PERF, "failed to get cmt scaling factor");
                *scale = (uint64_t) s;
        }
        return 0;
}

static void event_close(QemuPerfEvent *e) {
        for (size_t k = 0; k < e->n; k++)
                close(e->fds[k]);
        free(e->fds);
        *e = (QemuPerfEvent) { 0 };
}

static int perf_error(VbError *err, int errnum, const char *what, unsigned i) {
        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_PERF, "unable to %s host cpu perf event for %s: %s",
                                what, domain_perf_event_name(i), strerror(errnum));
}

/* Event i counted on every thread of pid (/proc/PID/task); -1 with libvirt's text, nothing open. */
static int event_open(QemuPerfEvent *e, unsigned i, pid_t pid, VbError *err) {
        struct perf_event_attr a;
        if (event_attr(i, &a, &e->scale, err) < 0)
                return -1;
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", (int) pid);
        DIR *dir = opendir(path);
        if (!dir)
                return perf_error(err, errno, "open", i);
        e->fds = calloc(PERF_THREADS_MAX, sizeof *e->fds);
        if (!e->fds) {
                closedir(dir);
                return vb_error_errno(err, -ENOMEM, "perf counters");
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(dir))) {
                char *end;
                long tid = strtol(de->d_name, &end, 10);
                if (de->d_name[0] == '.' || *end || tid <= 0)
                        continue;
                if (e->n == PERF_THREADS_MAX) {
                        log_warning("perf %s: QEMU pid %d has more than %d threads; the others are not counted",
                                    domain_perf_event_name(i), (int) pid, PERF_THREADS_MAX);
                        break;
                }
                int fd = (int) syscall(SYS_perf_event_open, &a, (pid_t) tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
                if (fd < 0 && errno == ESRCH)
                        continue;       /* the thread ended meanwhile */
                if (fd < 0) {
                        r = perf_error(err, errno, "open", i);
                        break;
                }
                e->fds[e->n++] = fd;
                if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
                        r = perf_error(err, errno, "enable", i);
        }
        closedir(dir);
        if (r == 0 && e->n == 0)
                r = perf_error(err, ESRCH, "open", i);
        if (r < 0)
                event_close(e);
        return r;
}

static QemuPerf *perf_of(QemuDomain *qd) {
        if (!qd->perf)
                qd->perf = calloc(1, sizeof *qd->perf);
        return qd->perf;
}

/* on[] for every event: those to enable opened first, all or none; then those to disable closed. */
static int perf_apply(QemuDomain *qd, const bool *on, VbError *err) {
        QemuPerf *p = perf_of(qd);
        if (!p)
                return vb_error_errno(err, -ENOMEM, "perf counters");
        if (!qd->proc)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        pid_t pid = process_pid(qd->proc);
        bool opened[DOMAIN_PERF_NEVENTS] = { false };
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++) {
                if (!on[i] || p->ev[i].n)
                        continue;
                if (event_open(&p->ev[i], i, pid, err) < 0) {
                        for (unsigned k = 0; k < i; k++)
                                if (opened[k])
                                        event_close(&p->ev[k]);
                        return -1;
                }
                opened[i] = true;
                log_info("domain %s: perf event %s enabled (%zu threads)", qd->domain->obj.name,
                         domain_perf_event_name(i), p->ev[i].n);
        }
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                if (!on[i] && p->ev[i].n) {
                        event_close(&p->ev[i]);
                        log_info("domain %s: perf event %s disabled", qd->domain->obj.name, domain_perf_event_name(i));
                }
        return 0;
}

int qemu_set_perf_events(Domain *d, const bool *on, VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "domain");
        return perf_apply(qd, on, err);
}

void qemu_read_perf_events(Domain *d, uint32_t *open, uint64_t *counts) {
        QemuDomain *qd = d->driver_data;
        *open = 0;
        for (unsigned i = 0; qd && qd->perf && i < DOMAIN_PERF_NEVENTS; i++) {
                QemuPerfEvent *e = &qd->perf->ev[i];
                if (!e->n)
                        continue;
                uint64_t sum = 0, v;
                for (size_t k = 0; k < e->n; k++)
                        if (read(e->fds[k], &v, sizeof v) == (ssize_t) sizeof v)
                                sum += v;
                counts[i] = sum * e->scale;
                *open |= 1u << i;
        }
}

int qemu_perf_start(QemuDomain *qd, const DomainDef *live, VbError *err) {
        bool on[DOMAIN_PERF_NEVENTS], any = false;
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                any |= on[i] = live && live->priv && live->priv->perf[i] == DOMAIN_PERF_YES;
        return any ? perf_apply(qd, on, err) : 0;
}

void qemu_perf_stop(QemuDomain *qd) {
        for (unsigned i = 0; qd->perf && i < DOMAIN_PERF_NEVENTS; i++)
                event_close(&qd->perf->ev[i]);
        qd->perf = (free(qd->perf), NULL);
}
