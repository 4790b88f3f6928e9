/* qemu-caps.c: probe a QEMU binary over QMP on the loop, turn the replies into QemuCaps, cache them in memory and on disk. */
#define LOG_MODULE "qemu.caps"

#include "qemu-caps.h"
#include "qemu-caps-cpu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "qemu-find.h"
#include "qemu-kvm-access.h"
#include "qmp.h"

/* Bump when the record's layout or its meaning changes: older cache files are then ignored. */
#define QEMU_CAPS_FORMAT 2      /* 2: with cpu-model-expansion */
#define QEMU_CAPS_PROBE_TIMEOUT_USEC (90 * 1000000ULL)
#define QEMU_CAPS_FILE_MAX ((size_t) 8 * 1024 * 1024)

static const char *const accel_names[_QEMU_ACCEL_MAX] = { "tcg", "kvm" };

/* What each probe run asks; the replies are stored under the command's name. */
static const struct {
        const char *command;
        const char *args;
        bool required;
} probe_queries[] = {
        { "query-version", NULL, true },
        { "query-target", NULL, false },
        { "query-machines", NULL, true },
        { "query-cpu-definitions", NULL, false },
        { "query-kvm", NULL, false },
        { "qom-list-types", "{\"implements\": \"device\", \"abstract\": false}", false },
};
#define N_PROBE_QUERIES (sizeof probe_queries / sizeof probe_queries[0])

/* ---- caps from a record ---- */

static void qemu_caps_free_contents(QemuCaps *c) {
        for (size_t i = 0; i < c->n_machines; i++) {
                free(c->machines[i].name);
                free(c->machines[i].alias);
        }
        free(c->machines);
        for (int a = 0; a < _QEMU_ACCEL_MAX; a++) {
                for (size_t i = 0; i < c->n_cpus[a]; i++) {
                        free(c->cpus[a][i].name);
                        free(c->cpus[a][i].alias_of);
                }
                free(c->cpus[a]);
        }
        for (size_t i = 0; i < c->n_devices; i++)
                free(c->devices[i]);
        free(c->devices);
        free(c->binary);
        free(c->arch);
        free(c->package);
        json_object_put(c->record);
}

QemuCaps *qemu_caps_ref(QemuCaps *c) {
        if (c)
                c->n_ref++;
        return c;
}

QemuCaps *qemu_caps_unref(QemuCaps *c) {
        if (!c || --c->n_ref > 0)
                return NULL;
        qemu_caps_free_contents(c);
        free(c);
        return NULL;
}

static json_object *obj_get(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *obj_str(json_object *o, const char *key) {
        json_object *v = obj_get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool obj_bool(json_object *o, const char *key) {
        json_object *v = obj_get(o, key);
        return v && json_object_get_boolean(v);
}

static char *dup_or_null(const char *s, bool *oom) {
        if (!s)
                return NULL;
        char *d = strdup(s);
        if (!d)
                *oom = true;
        return d;
}

/* QEMU's target names where libvirt's differ. */
static const char *qemu_caps_arch_name(const char *target) {
        if (!target)
                return "x86_64";        /* query-target is older than any QEMU we run */
        if (strcmp(target, "i386") == 0)
                return "i686";
        return target;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int qemu_caps_parse_cpus(QemuCaps *c, QemuAccel accel, json_object *defs, bool *oom) {
        size_t n = json_object_is_type(defs, json_type_array) ? json_object_array_length(defs) : 0;
        if (n == 0)
                return 0;
        c->cpus[accel] = calloc(n, sizeof *c->cpus[accel]);
        if (!c->cpus[accel])
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *d = json_object_array_get_idx(defs, i);
                const char *name = obj_str(d, "name");
                if (!name)
                        continue;
                QemuCpuModel *m = &c->cpus[accel][c->n_cpus[accel]++];
                m->name = dup_or_null(name, oom);
                m->alias_of = dup_or_null(obj_str(d, "alias-of"), oom);
                json_object *unavailable = obj_get(d, "unavailable-features");
                m->usable = !unavailable || json_object_array_length(unavailable) == 0;
                m->deprecated = obj_bool(d, "deprecated");
        }
        return 0;
}

int qemu_caps_from_record(json_object *record, QemuCaps **out) {
        json_object *tcg = obj_get(record, accel_names[QEMU_ACCEL_TCG]);
        json_object *kvm = obj_get(record, accel_names[QEMU_ACCEL_KVM]);
        json_object *version = obj_get(obj_get(tcg, "query-version"), "qemu");
        json_object *machines = obj_get(tcg, "query-machines");
        const char *binary = obj_str(record, "binary");
        if (!binary || !version || !json_object_is_type(machines, json_type_array))
                return -EINVAL;
        QemuCaps *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->n_ref = 1;
        c->record = json_object_get(record);
        bool oom = false;
        c->binary = dup_or_null(binary, &oom);
        c->arch = dup_or_null(qemu_caps_arch_name(obj_str(obj_get(tcg, "query-target"), "arch")), &oom);
        c->package = dup_or_null(obj_str(obj_get(tcg, "query-version"), "package"), &oom);
        c->version = (unsigned long) json_object_get_int64(obj_get(version, "major")) * 1000000 +
                     (unsigned long) json_object_get_int64(obj_get(version, "minor")) * 1000 +
                     (unsigned long) json_object_get_int64(obj_get(version, "micro"));
        c->kvm = kvm && obj_bool(obj_get(kvm, "query-kvm"), "enabled");

        size_t n = json_object_array_length(machines);
        c->machines = calloc(n ? n : 1, sizeof *c->machines);
        int r = c->machines ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                json_object *m = json_object_array_get_idx(machines, i);
                const char *name = obj_str(m, "name");
                /* "none" is the probe's own machine, not one for guests. */
                if (!name || strcmp(name, "none") == 0)
                        continue;
                QemuMachine *qm = &c->machines[c->n_machines++];
                qm->name = dup_or_null(name, &oom);
                qm->alias = dup_or_null(obj_str(m, "alias"), &oom);
                qm->max_cpus = (unsigned) json_object_get_int(obj_get(m, "cpu-max"));
                qm->is_default = obj_bool(m, "is-default");
                qm->deprecated = obj_bool(m, "deprecated");
        }
        if (r >= 0)
                r = qemu_caps_parse_cpus(c, QEMU_ACCEL_TCG, obj_get(tcg, "query-cpu-definitions"), &oom);
        if (r >= 0 && c->kvm)
                r = qemu_caps_parse_cpus(c, QEMU_ACCEL_KVM, obj_get(kvm, "query-cpu-definitions"), &oom);

        json_object *types = obj_get(tcg, "qom-list-types");
        n = json_object_is_type(types, json_type_array) ? json_object_array_length(types) : 0;
        if (r >= 0 && n > 0 && !(c->devices = calloc(n, sizeof *c->devices)))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                const char *name = obj_str(json_object_array_get_idx(types, i), "name");
                if (name)
                        c->devices[c->n_devices++] = dup_or_null(name, &oom);
        }
        if (r >= 0 && oom)
                r = -ENOMEM;
        if (r < 0) {
                qemu_caps_unref(c);
                return r;
        }
        qsort(c->devices, c->n_devices, sizeof *c->devices, cmp_str);
        *out = c;
        return 0;
}

const QemuMachine *qemu_caps_find_machine(const QemuCaps *c, const char *name) {
        for (size_t i = 0; i < c->n_machines; i++)
                if (strcmp(c->machines[i].name, name) == 0 ||
                    (c->machines[i].alias && strcmp(c->machines[i].alias, name) == 0))
                        return &c->machines[i];
        return NULL;
}

const QemuMachine *qemu_caps_default_machine(const QemuCaps *c) {
        for (size_t i = 0; i < c->n_machines; i++)
                if (c->machines[i].is_default)
                        return &c->machines[i];
        return c->n_machines ? &c->machines[0] : NULL;
}

bool qemu_caps_has_device(const QemuCaps *c, const char *type) {
        return c->n_devices && bsearch(&type, c->devices, c->n_devices, sizeof *c->devices, cmp_str);
}

const QemuCpuModel *qemu_caps_find_cpu(const QemuCaps *c, QemuAccel accel, const char *name) {
        for (size_t i = 0; i < c->n_cpus[accel]; i++)
                if (strcmp(c->cpus[accel][i].name, name) == 0)
                        return &c->cpus[accel][i];
        return NULL;
}

/* ---- the cache ---- */

typedef struct QemuCapsWaiter {
        struct QemuCapsWaiter *next;
        QemuCapsDoneFn done;
        void *userdata;
} QemuCapsWaiter;

typedef struct QemuCapsProbe QemuCapsProbe;

/* One outstanding query of a run: its reply goes into the probe's replies under command. */
typedef struct QemuCapsQuery {
        QemuCapsProbe *probe;
        const char *command;
        bool required;
} QemuCapsQuery;

struct QemuCapsProbe {
        QemuCapsProbe *next;
        QemuCapsCache *cache;
        char *binary;
        json_object *record;
        QemuAccel accel;         /* the run in progress */
        json_object *replies;    /* its answers */
        unsigned n_waiting;      /* queries without an answer yet */
        bool answered;           /* every query of the run answered */
        Process *proc;
        Qmp *qmp;
        char *sock_path, *log_path;
        sd_event_source *start, *timeout;
        QemuCapsQuery queries[N_PROBE_QUERIES];
        char run_error[512];    /* why the current run failed */
        VbError err;
        bool failed;
        QemuCapsWaiter *waiters;
};

/* A request answered from the cache, delivered from a defer source. */
typedef struct QemuCapsReply {
        struct QemuCapsReply *next;
        QemuCapsCache *cache;
        QemuCaps *caps;
        sd_event_source *src;
        QemuCapsDoneFn done;
        void *userdata;
} QemuCapsReply;

typedef struct QemuCapsEntry {
        struct QemuCapsEntry *next;
        QemuCaps *caps;
} QemuCapsEntry;

struct QemuCapsCache {
        sd_event *event;
        char *cache_dir, *run_dir;
        QemuCapsEntry *entries;
        QemuCapsProbe *probes;
        QemuCapsReply *replies;
        unsigned n_probes, serial;
        QemuKvmUser kvm_user;   /* who runs QEMU: whether KVM is usable is asked as this user */
};

int qemu_caps_cache_new(sd_event *e, const char *cache_dir, const char *run_dir, QemuCapsCache **out) {
        QemuCapsCache *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(e);
        c->kvm_user = (QemuKvmUser) { .uid = geteuid(), .gid = getegid() };
        c->cache_dir = strdup(cache_dir);
        c->run_dir = strdup(run_dir);
        if (!c->cache_dir || !c->run_dir) {
                qemu_caps_cache_free(c);
                return -ENOMEM;
        }
        *out = c;
        return 0;
}

unsigned qemu_caps_cache_n_probes(const QemuCapsCache *c) {
        return c->n_probes;
}

int qemu_caps_cache_set_kvm_user(QemuCapsCache *c, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups) {
        gid_t *copy = NULL;
        if (n_groups && !(copy = malloc(n_groups * sizeof *copy)))
                return -ENOMEM;
        if (n_groups)
                memcpy(copy, groups, n_groups * sizeof *copy);
        free(c->kvm_user.groups);
        c->kvm_user = (QemuKvmUser) { .uid = uid, .gid = gid, .groups = copy, .n_groups = n_groups };
        return 0;
}

static bool qemu_caps_kvm_usable(const QemuCapsCache *c) {
        return qemu_kvm_usable_by(&c->kvm_user);
}

/* QEMU loads devices from modules (Debian's qemu-block-extra, …): a package that adds or
 * removes one changes the directory, not the binary. The latest mtime of those that exist. */
static int64_t qemu_caps_modules_mtime(void) {
        static const char *const dirs[] = { "/usr/lib/x86_64-linux-gnu/qemu", "/usr/lib/aarch64-linux-gnu/qemu",
                                            "/usr/lib64/qemu", "/usr/lib/qemu" };
        int64_t latest = 0;
        for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
                struct stat st;
                if (stat(dirs[i], &st) == 0 && st.st_mtim.tv_sec > latest)
                        latest = st.st_mtim.tv_sec;
        }
        return latest;
}

/* Whether record was made from the binary as it is now, on a host like this one now. */
static bool qemu_caps_record_valid(const QemuCapsCache *c, json_object *record, const char *binary) {
        struct stat st;
        json_object *v;
        if (stat(binary, &st) < 0)
                return false;
        return (v = obj_get(record, "format")) && json_object_get_int(v) == QEMU_CAPS_FORMAT &&
               (v = obj_get(record, "modules_mtime")) && json_object_get_int64(v) == qemu_caps_modules_mtime() &&
               obj_str(record, "binary") && strcmp(obj_str(record, "binary"), binary) == 0 &&
               (v = obj_get(record, "mtime")) && json_object_get_int64(v) == (int64_t) st.st_mtim.tv_sec &&
               (v = obj_get(record, "mtime_nsec")) && json_object_get_int64(v) == (int64_t) st.st_mtim.tv_nsec &&
               (v = obj_get(record, "size")) && json_object_get_int64(v) == (int64_t) st.st_size &&
               obj_bool(record, "kvm_device") == qemu_caps_kvm_usable(c);
}

/* "/usr/bin/qemu-system-x86_64" → "usr_bin_qemu-system-x86_64.json": the record inside names
 * the binary, so two paths that map to one name only cost a probe. */
static char *qemu_caps_file_name(const char *binary) {
        while (*binary == '/')
                binary++;
        char *name;
        if (asprintf(&name, "%s.json", binary) < 0)
                return NULL;
        for (char *s = name; *s; s++)
                if (*s == '/')
                        *s = '_';
        return name;
}

static QemuCapsEntry **qemu_caps_cache_find(QemuCapsCache *c, const char *binary) {
        QemuCapsEntry **e = &c->entries;
        while (*e && strcmp((*e)->caps->binary, binary) != 0)
                e = &(*e)->next;
        return e;
}

/* Put caps in memory in place of any older caps for its binary; takes the reference. */
static int qemu_caps_cache_store(QemuCapsCache *c, QemuCaps *caps) {
        QemuCapsEntry **e = qemu_caps_cache_find(c, caps->binary);
        if (*e) {
                qemu_caps_unref((*e)->caps);
                (*e)->caps = caps;
                return 0;
        }
        *e = calloc(1, sizeof **e);
        if (!*e) {
                qemu_caps_unref(caps);
                return -ENOMEM;
        }
        (*e)->caps = caps;
        return 0;
}

static QemuCaps *qemu_caps_cache_load_file(QemuCapsCache *c, const char *binary) {
        char *name = qemu_caps_file_name(binary);
        char *data = NULL;
        size_t len;
        QemuCaps *caps = NULL;
        if (!name || persist_read(c->cache_dir, name, QEMU_CAPS_FILE_MAX, &data, &len, NULL) < 0)
                goto out;
        json_object *record = json_tokener_parse(data);
        if (record && qemu_caps_record_valid(c, record, binary) && qemu_caps_from_record(record, &caps) >= 0) {
                log_debug("capabilities of %s from %s/%s", binary, c->cache_dir, name);
                if (qemu_caps_cache_store(c, caps) < 0)
                        caps = NULL;
        } else {
                log_info("cached capabilities of %s are stale or unreadable; probing again", binary);
        }
        json_object_put(record);
out:
        free(data);
        free(name);
        return caps;
}

QemuCaps *qemu_caps_cache_lookup(QemuCapsCache *c, const char *binary) {
        QemuCapsEntry **e = qemu_caps_cache_find(c, binary);
        if (*e && qemu_caps_record_valid(c, (*e)->caps->record, binary))
                return (*e)->caps;
        return qemu_caps_cache_load_file(c, binary);
}

static void qemu_caps_cache_write_file(QemuCapsCache *c, QemuCaps *caps) {
        char *name = qemu_caps_file_name(caps->binary);
        const char *text = json_object_to_json_string_ext(caps->record, JSON_C_TO_STRING_PLAIN);
        VbError err = { 0 };
        if (!name || persist_ensure_dir(c->cache_dir, &err) < 0 ||
            persist_write(c->cache_dir, name, text, strlen(text), &err) < 0)
                log_warning("cannot cache capabilities of %s: %s", caps->binary, err.message);
        free(name);
}

/* ---- replies from the cache ---- */

static void qemu_caps_reply_free(QemuCapsReply *r) {
        QemuCapsReply **p = &r->cache->replies;
        while (*p != r)
                p = &(*p)->next;
        *p = r->next;
        sd_event_source_disable_unref(r->src);
        qemu_caps_unref(r->caps);
        free(r);
}

static int qemu_caps_on_reply(sd_event_source *s, void *userdata) {
        QemuCapsReply *r = userdata;
        QemuCapsDoneFn done = r->done;
        void *ud = r->userdata;
        QemuCaps *caps = qemu_caps_ref(r->caps);
        qemu_caps_reply_free(r);
        done(caps, NULL, ud);
        qemu_caps_unref(caps);
        return 0;
}

/* ---- probing ---- */

static void qemu_caps_probe_run(QemuCapsProbe *p);

static void qemu_caps_probe_finish(QemuCapsProbe *p) {
        QemuCapsCache *c = p->cache;
        QemuCaps *caps = NULL;
        for (QemuCapsProbe **pp = &c->probes; *pp; pp = &(*pp)->next)
                if (*pp == p) {
                        *pp = p->next;
                        break;
                }
        if (!p->failed) {
                if (qemu_caps_from_record(p->record, &caps) < 0) {
                        vb_error_set(&p->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                     "QEMU binary %s answered the probe without a version or machines", p->binary);
                } else {
                        qemu_caps_cache_write_file(c, caps);
                        if (qemu_caps_cache_store(c, qemu_caps_ref(caps)) < 0)
                                log_warning("cannot keep capabilities of %s in memory", p->binary);
                        log_info("probed %s: QEMU %lu, %zu machines, kvm %s", p->binary, caps->version,
                                 caps->n_machines, caps->kvm ? "yes" : "no");
                }
        }
        if (!caps)
                log_error("%s", p->err.message);
        for (QemuCapsWaiter *w = p->waiters, *next; w; w = next) {
                next = w->next;
                w->done(caps, caps ? NULL : &p->err, w->userdata);
                free(w);
        }
        qemu_caps_unref(caps);
        sd_event_source_disable_unref(p->start);
        json_object_put(p->record);
        free(p->binary);
        free(p);
}

/* Tear down the current run's QEMU and monitor; the socket and log go too. */
static void qemu_caps_probe_cleanup_run(QemuCapsProbe *p) {
        p->qmp = qmp_close(p->qmp);
        if (p->proc && !process_has_exited(p->proc))
                (void) process_kill(p->proc, SIGKILL);     /* only when the cache goes away */
        p->proc = process_free(p->proc);
        p->timeout = sd_event_source_disable_unref(p->timeout);
        if (p->sock_path)
                (void) unlink(p->sock_path);
        if (p->log_path)
                (void) unlink(p->log_path);
        free(p->sock_path);
        free(p->log_path);
        p->sock_path = p->log_path = NULL;
        json_object_put(p->replies);
        p->replies = NULL;
        p->n_waiting = 0;
        p->answered = false;
        p->run_error[0] = '\0';
}

/* The run is over (QEMU reaped, or never started): keep its answers or its error, go on. */
static void qemu_caps_probe_run_end(QemuCapsProbe *p) {
        if (p->run_error[0]) {
                char *tail = NULL;
                if (p->proc)
                        (void) process_log_tail(p->proc, 1024, &tail);
                const char *sep = tail && *tail ? ": " : "";
                if (p->accel == QEMU_ACCEL_KVM) {
                        /* A failed kvm run only means no KVM guests. */
                        log_warning("probing %s with KVM failed: %s%s%s", p->binary, p->run_error, sep,
                                    tail ? tail : "");
                } else {
                        vb_error_set(&p->err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                     "Failed to probe QEMU binary %s: %s%s%s", p->binary, p->run_error, sep,
                                     tail ? tail : "");
                        p->failed = true;
                }
                free(tail);
        } else {
                json_object_object_add(p->record, accel_names[p->accel], json_object_get(p->replies));
        }
        qemu_caps_probe_cleanup_run(p);
        if (!p->failed && p->accel == QEMU_ACCEL_TCG && obj_bool(p->record, "kvm_device")) {
                p->accel = QEMU_ACCEL_KVM;
                qemu_caps_probe_run(p);
        } else {
                qemu_caps_probe_finish(p);
        }
}

/* Something went wrong: the first reason counts. A running QEMU is killed and the run ends
 * when it has been reaped (its last words are in the log by then). */
static void qemu_caps_probe_run_failed(QemuCapsProbe *p, const char *what) {
        if (!p->run_error[0])
                snprintf(p->run_error, sizeof p->run_error, "%s", what);
        p->qmp = qmp_close(p->qmp);
        if (p->proc && !process_has_exited(p->proc) && process_kill(p->proc, SIGKILL) >= 0)
                return;
        qemu_caps_probe_run_end(p);
}

static void qemu_caps_on_exited(Process *proc, const siginfo_t *si, void *userdata) {
        QemuCapsProbe *p = userdata;
        if (!p->answered && !p->run_error[0]) {
                if (si->si_code == CLD_EXITED)
                        snprintf(p->run_error, sizeof p->run_error, "QEMU exited with status %d", si->si_status);
                else
                        snprintf(p->run_error, sizeof p->run_error, "QEMU was killed by signal %d", si->si_status);
        }
        qemu_caps_probe_run_end(p);
}

static void qemu_caps_on_quit(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        /* "Disconnected" is as good as an answer here: QEMU may go before it replies. */
}

/* One more answer; after the last, QEMU is told to quit. */
static void qemu_caps_probe_answered(void *userdata) {
        QemuCapsProbe *p = userdata;
        if (--p->n_waiting > 0)
                return;
        p->answered = true;
        if (qmp_send(p->qmp, "quit", NULL, qemu_caps_on_quit, p) < 0)
                qemu_caps_probe_run_failed(p, "cannot send quit");
}

/* Each CPU model's features, as QEMU expands it (qemu-caps-cpu.c), join the run's replies. */
static void qemu_caps_probe_expand_cpus(QemuCapsProbe *p, json_object *defs) {
        json_object *into = json_object_new_object();
        if (!into)
                return;
        json_object_object_add(p->replies, "cpu-model-expansion", into);
        int n = qemu_caps_cpu_expand(p->qmp, defs, into, qemu_caps_probe_answered, p);
        if (n > 0)
                p->n_waiting += (unsigned) n;
}

static void qemu_caps_on_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuCapsQuery *query = userdata;
        QemuCapsProbe *p = query->probe;
        if (!ret && strcmp(cls, "Disconnected") == 0)
                return;         /* the monitor went away; the exit decides */
        if (ret) {
                json_object_object_add(p->replies, query->command, json_object_get(ret));
                if (strcmp(query->command, "query-cpu-definitions") == 0)
                        qemu_caps_probe_expand_cpus(p, ret);
        } else {
                log_debug("probe of %s: %s: %s: %s", p->binary, query->command, cls, desc);
                if (query->required) {
                        char what[512];
                        snprintf(what, sizeof what, "%s failed: %s", query->command, desc);
                        qemu_caps_probe_run_failed(p, what);
                        return;
                }
        }
        qemu_caps_probe_answered(p);
}

static void qemu_caps_on_ready(Qmp *q, int r, void *userdata) {
        QemuCapsProbe *p = userdata;
        if (r < 0) {
                char what[128];
                snprintf(what, sizeof what, "no QMP monitor: %s", strerror(-r));
                qemu_caps_probe_run_failed(p, what);
                return;
        }
        for (size_t i = 0; i < N_PROBE_QUERIES; i++) {
                p->queries[i] = (QemuCapsQuery) { p, probe_queries[i].command, probe_queries[i].required };
                json_object *args = probe_queries[i].args ? json_tokener_parse(probe_queries[i].args) : NULL;
                if (qmp_send(q, probe_queries[i].command, args, qemu_caps_on_query, &p->queries[i]) < 0) {
                        qemu_caps_probe_run_failed(p, "cannot send QMP commands");
                        return;
                }
                p->n_waiting++;
        }
}

static int qemu_caps_on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        qemu_caps_probe_run_failed(userdata, "no answer within 90 seconds");
        return 0;
}

static void qemu_caps_probe_run(QemuCapsProbe *p) {
        QemuCapsCache *c = p->cache;
        VbError err = { 0 };
        unsigned serial = ++c->serial;
        char machine[64], *qmp_arg = NULL;
        snprintf(machine, sizeof machine, "none,accel=%s", accel_names[p->accel]);
        p->replies = json_object_new_object();
        if (!p->replies ||
            asprintf(&p->sock_path, "%s/qemu-probe-%d-%u.sock", c->run_dir, (int) getpid(), serial) < 0 ||
            asprintf(&p->log_path, "%s/qemu-probe-%d-%u.log", c->run_dir, (int) getpid(), serial) < 0 ||
            asprintf(&qmp_arg, "unix:%s,server=on,wait=off", p->sock_path) < 0) {
                qemu_caps_probe_run_failed(p, "out of memory");
                return;
        }
        char *argv[] = { p->binary, "-S", "-no-user-config", "-nodefaults", "-nographic", "-machine", machine,
                         "-qmp", qmp_arg, NULL };
        (void) persist_ensure_dir(c->run_dir, NULL);
        (void) unlink(p->sock_path);
        /* the probe QEMU (-machine none) ends with the daemon: nobody would adopt it */
        const ProcessCreds tie = { .keep_ids = true, .dies_with_daemon = true };
        int r = process_spawn_as(c->event, &qemu_program, argv, p->log_path, NULL, 0, &tie, qemu_caps_on_exited, p,
                                 &p->proc, &err);
        free(qmp_arg);
        if (r < 0) {
                qemu_caps_probe_run_failed(p, err.message);
                return;
        }
        c->n_probes++;
        r = qmp_open(c->event, p->sock_path, QEMU_CAPS_PROBE_TIMEOUT_USEC, NULL, NULL, qemu_caps_on_ready, p, &p->qmp);
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &p->timeout, CLOCK_MONOTONIC, QEMU_CAPS_PROBE_TIMEOUT_USEC,
                                               0, qemu_caps_on_timeout, p);
        if (r < 0)
                qemu_caps_probe_run_failed(p, strerror(-r));
}

static int qemu_caps_on_start(sd_event_source *s, void *userdata) {
        QemuCapsProbe *p = userdata;
        p->start = sd_event_source_disable_unref(p->start);
        qemu_caps_probe_run(p);
        return 0;
}

static int qemu_caps_probe_start(QemuCapsCache *c, const char *binary, QemuCapsProbe **out) {
        /* A missing binary is reported by the spawn, in libvirt's words. */
        struct stat st = { 0 };
        (void) stat(binary, &st);
        QemuCapsProbe *p = calloc(1, sizeof *p);
        if (!p || !(p->binary = strdup(binary)) || !(p->record = json_object_new_object())) {
                if (p)
                        free(p->binary);
                free(p);
                return -ENOMEM;
        }
        p->cache = c;
        json_object_object_add(p->record, "format", json_object_new_int(QEMU_CAPS_FORMAT));
        json_object_object_add(p->record, "binary", json_object_new_string(binary));
        json_object_object_add(p->record, "mtime", json_object_new_int64(st.st_mtim.tv_sec));
        json_object_object_add(p->record, "mtime_nsec", json_object_new_int64(st.st_mtim.tv_nsec));
        json_object_object_add(p->record, "size", json_object_new_int64(st.st_size));
        json_object_object_add(p->record, "modules_mtime", json_object_new_int64(qemu_caps_modules_mtime()));
        json_object_object_add(p->record, "kvm_device", json_object_new_boolean(qemu_caps_kvm_usable(c)));
        /* Start from the loop, so that even a failure to start reaches the waiters later. */
        int r = sd_event_add_defer(c->event, &p->start, qemu_caps_on_start, p);
        if (r < 0) {
                json_object_put(p->record);
                free(p->binary);
                free(p);
                return r;
        }
        p->next = c->probes;
        c->probes = p;
        log_info("probing capabilities of %s", binary);
        *out = p;
        return 0;
}

int qemu_caps_cache_get(QemuCapsCache *c, const char *binary, QemuCapsDoneFn done, void *userdata) {
        QemuCaps *caps = qemu_caps_cache_lookup(c, binary);
        if (caps) {
                QemuCapsReply *r = calloc(1, sizeof *r);
                if (!r)
                        return -ENOMEM;
                int k = sd_event_add_defer(c->event, &r->src, qemu_caps_on_reply, r);
                if (k < 0) {
                        free(r);
                        return k;
                }
                r->cache = c;
                r->caps = qemu_caps_ref(caps);
                r->done = done;
                r->userdata = userdata;
                r->next = c->replies;
                c->replies = r;
                return 0;
        }
        QemuCapsProbe *p = c->probes;
        while (p && strcmp(p->binary, binary) != 0)
                p = p->next;
        QemuCapsWaiter *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        if (!p) {
                int r = qemu_caps_probe_start(c, binary, &p);
                if (r < 0) {
                        free(w);
                        return r;
                }
        }
        w->done = done;
        w->userdata = userdata;
        w->next = p->waiters;
        p->waiters = w;
        return 0;
}

QemuCapsCache *qemu_caps_cache_free(QemuCapsCache *c) {
        if (!c)
                return NULL;
        while (c->probes) {
                QemuCapsProbe *p = c->probes;
                qemu_caps_probe_cleanup_run(p);
                p->failed = true;
                vb_error_set(&p->err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "probe of %s cancelled", p->binary);
                qemu_caps_probe_finish(p);
        }
        while (c->replies)
                qemu_caps_reply_free(c->replies);
        while (c->entries) {
                QemuCapsEntry *e = c->entries;
                c->entries = e->next;
                qemu_caps_unref(e->caps);
                free(e);
        }
        sd_event_unref(c->event);
        free(c->cache_dir);
        free(c->run_dir);
        free(c->kvm_user.groups);
        free(c);
        return NULL;
}
