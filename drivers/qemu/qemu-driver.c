/* qemu-driver.c: the QEMU connections (qemu:///session, qemu:///system): open and close, host information, autostart. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "domain-persist.h"
#include "qemu-agent.h"
#include "qemu-migrate.h"
#include "kinds.h"
#include "log.h"
#include "persist.h"

static void qemu_learn_version(QemuConn *qc, const QemuCaps *caps) {
        /* The drivers are ours and not const (qemu-driver.h): the version comes from the binary. */
        ((Driver *) qc->conn->driver)->version = caps->version;
}

static void on_caps(QemuCaps *caps, const VbError *err, void *userdata) {
        QemuConn *qc = userdata;
        qc->probing = false;
        if (!caps) {
                log_warning("cannot probe %s: %s", qemu_binary(qc), err && err->code ? err->message : "stopped");
                return;
        }
        qemu_learn_version(qc, caps);
        log_info("%s: QEMU %lu probed", qemu_binary(qc), caps->version);
}

/* ---- host ---- */

static char *qemu_capabilities(Connection *c, VbError *err) {
        QemuConn *qc = qemu_conn_of(c);
        QemuCaps *caps = qemu_caps_cache_lookup(qc->caps, qemu_binary(qc));
        if (!caps) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "capabilities of %s %s", qemu_binary(qc),
                             qc->probing ? "not probed yet" : "cannot be probed");
                return NULL;
        }
        char *xml = qemu_caps_format_capabilities(&caps, 1, err);
        xml = xml ? qemu_security_caps_secmodel(qc, xml) : NULL;
        if (!xml && !err->code)
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        return xml;
}

/* libvirt's checks of the arguments, then the probed binary's domain capabilities. */
static char *qemu_domain_capabilities(Connection *c, const char *emulator, const char *arch, const char *machine,
                                      const char *virttype, VbError *err) {
        QemuCaps *caps = qemu_caps_for(c, emulator, arch, err);
        return caps ? qemu_caps_format_domain_capabilities(caps, virttype, machine, err) : NULL;
}

static void on_ready(QemuCaps *caps, const VbError *err, void *userdata) {
        Call *call = userdata;
        call_complete(call, caps ? 0 : -1, caps ? NULL : err, NULL);
        call_unref(call);
}

/* While the start's probe runs, capability requests wait for it (libvirt probes before it
 * serves); the requests share that one probe. */
static int qemu_when_ready(Connection *c, Call *call, VbError *err) {
        QemuConn *qc = qemu_conn_of(c);
        if (!qc->probing || qemu_caps_cache_lookup(qc->caps, qemu_binary(qc)))
                return 0;
        int r = qemu_caps_cache_get(qc->caps, qemu_binary(qc), on_ready, call_ref(call));
        if (r < 0) {
                call_unref(call);
                return vb_error_errno(err, r, "waiting for QEMU's capabilities probe");
        }
        return VERB_PENDING;
}

/* A "Key:   value kB" line of /proc/meminfo, in KiB. */
static int meminfo(const char *key, uint64_t *kib) {
        FILE *f = fopen("/proc/meminfo", "re");
        if (!f)
                return -errno;
        char line[256];
        size_t n = strlen(key);
        int r = -ENOENT;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, key, n) == 0 && line[n] == ':') {
                        unsigned long long v;
                        if (sscanf(line + n + 1, "%llu", &v) == 1)
                                *kib = v, r = 0;
                        break;
                }
        fclose(f);
        return r;
}

static int qemu_node_info(Connection *c, NodeInfo *info, VbError *err) {
        *info = (NodeInfo) { .nodes = 1, .sockets = 1, .threads = 1 };
        struct utsname u;
        snprintf(info->model, sizeof info->model, "%.31s", uname(&u) == 0 ? u.machine : "x86_64");
        if (meminfo("MemTotal", &info->memory_kib) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot read /proc/meminfo");
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        info->cpus = info->cores = n > 0 ? (unsigned) n : 1;
        FILE *f = fopen("/proc/cpuinfo", "re");
        if (f) {
                char line[512];
                double mhz;
                while (fgets(line, sizeof line, f))
                        if (strncmp(line, "cpu MHz", 7) == 0 && sscanf(strchr(line, ':') + 1, "%lf", &mhz) == 1) {
                                info->mhz = (unsigned) mhz;
                                break;
                        }
                fclose(f);
        }
        return 0;
}

static int qemu_free_memory(Connection *c, uint64_t *bytes, VbError *err) {
        uint64_t kib;
        if (meminfo("MemFree", &kib) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "cannot read /proc/meminfo");
        *bytes = kib * 1024;
        return 0;
}

static const HostOps qemu_host_ops = {
        .domain_capabilities = qemu_domain_capabilities,
        .capabilities = qemu_capabilities,
        .memory_stats = qemu_node_memory_stats,
        .cpu_stats = qemu_node_cpu_stats,
        .cells_free_memory = qemu_node_cells_free_memory,
        .cpu_map = qemu_node_cpu_map,
        .node_info = qemu_node_info,
        .free_memory = qemu_free_memory,
        .memory_parameters = qemu_node_memory_parameters,
        .set_memory_parameters = qemu_node_set_memory_parameters,
        .free_pages = qemu_node_free_pages,
        .when_ready = qemu_when_ready,
        .compare_cpu = qemu_compare_cpu,
        .baseline_cpu = qemu_baseline_cpu,
        .compare_hypervisor_cpu = qemu_compare_hypervisor_cpu,
        .baseline_hypervisor_cpu = qemu_baseline_hypervisor_cpu,
        .sysinfo = qemu_sysinfo,
        .security_model = qemu_security_model,
};

/* ---- open and close ---- */

static void qemu_conn_free(QemuConn *qc) {
        if (!qc)
                return;
        qemu_nodedev_events_done(qc);
        qemu_caps_cache_free(qc->caps);
        qemu_security_done(qc);
        qemu_machined_done(qc);
        qemu_conf_done(&qc->cfg);
        free(qc->log_dir);
        free(qc);
}

static void qemu_close(Connection *c) {
        QemuConn *qc = qemu_conn_of(c);
        /* The guests outlive the daemon: watches go, the QEMUs stay (found again at the next start). */
        qemu_domain_release_all(c);
        c->driver_data = NULL;
        qemu_conn_free(qc);
}

static void qemu_autostart(Connection *c) {
        REGISTRY_FOREACH(o, &c->domains) {
                Domain *d = (Domain *) o;
                if (!d->autostart || domain_is_active(d))
                        continue;
                VbError err = { 0 };
                if (domain_start(d, 0, NULL, &err) < 0)
                        log_error("autostart of domain %s failed: %s", d->obj.name, err.message);
                else
                        log_info("domain %s: autostarted", d->obj.name);
        }
}

static int qemu_open(Connection *c, bool system, VbError *err) {
        Manager *m = c->manager;
        if (!m->config_root || !m->state_root || !m->run_root)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "the daemon's directories are not set");
        QemuConn *qc = calloc(1, sizeof *qc);
        if (!qc || qemu_conf_init(&qc->cfg) < 0) {
                free(qc);
                return vb_error_errno(err, -ENOMEM, "QEMU connection");
        }
        qc->conn = c;
        qc->event = m->event;
        char *conf = NULL, *cache = NULL;
        if (asprintf(&c->config_dir, "%s/qemu", m->config_root) < 0 ||
            asprintf(&c->state_dir, "%s/qemu", m->run_root) < 0 ||
            (system ? !(qc->log_dir = strdup("/var/log/virtbus/qemu"))
                    : asprintf(&qc->log_dir, "%s/qemu", m->state_root) < 0) ||
            asprintf(&conf, "%s/qemu.conf", m->config_root) < 0 ||
            asprintf(&cache, "%s/qemu/capabilities", m->state_root) < 0) {
                free(conf);
                qemu_conn_free(qc);
                return vb_error_errno(err, -ENOMEM, "QEMU connection");
        }
        /* A qemu.conf that does not parse stops the daemon, naming file:line, like virtbusd.conf:
         * running guests with settings the admin did not write is worse than not starting. */
        char msg[512] = "";
        int k = qemu_conf_load(&qc->cfg, conf, true, msg, sizeof msg);
        free(conf);
        if (k < 0) {
                free(cache);
                qemu_conn_free(qc);
                return vb_error_set_raw(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "%s", msg);
        }
        qemu_security_init(qc, system);
        qemu_cgroup_init(qc, system);
        qemu_machined_init(qc, system);
        if (qemu_ns_init(qc, system) < 0) {
                qemu_conn_free(qc);
                free(cache);
                return vb_error_errno(err, -ENOMEM, "QEMU connection");
        }
        int r = persist_ensure_dir(c->state_dir, err);
        if (r >= 0)
                r = qemu_caps_cache_new(m->event, cache, c->state_dir, &qc->caps);
        if (r >= 0 && qc->sec_ready)    /* KVM is usable when QEMU's user may open it */
                r = qemu_caps_cache_set_kvm_user(qc->caps, qc->dac.uid, qc->dac.gid, qc->dac.groups, qc->dac.n_groups);
        free(cache);
        if (r < 0) {
                qemu_conn_free(qc);
                return err->code ? -1 : vb_error_errno(err, r, "QEMU capabilities cache");
        }
        c->driver_data = qc;

        connection_load_all(c);
        qemu_recover_all(qc);
        qemu_nodedev_events_init(qc);

        QemuCaps *caps = qemu_caps_cache_lookup(qc->caps, qemu_binary(qc));
        if (caps)
                qemu_learn_version(qc, caps);
        else if (access(qemu_binary(qc), X_OK) == 0 && qemu_caps_cache_get(qc->caps, qemu_binary(qc), on_caps, qc) == 0)
                qc->probing = true;
        qemu_autostart(c);
        return 0;
}

static int qemu_open_session(Connection *c, VbError *err) {
        return qemu_open(c, false, err);
}

static int qemu_open_system(Connection *c, VbError *err) {
        return qemu_open(c, true, err);
}

/* The session and system drivers differ only in their URI and how a connection opens. */
#define QEMU_DRIVER_COMMON                                                                          \
        .name = "QEMU",                                                                             \
        .type = "QEMU",                                                                             \
        .error_from = VB_FROM_QEMU,                                                                 \
        .close = qemu_close,                                                                        \
        .domain = &qemu_domain_ops,                                                                 \
        .info = &qemu_info_ops,                                                                     \
        .tune = &qemu_tune_ops,                                                                     \
        .migrate = &qemu_migrate_ops,                                                               \
        .agent = &qemu_agent_ops,                                                                   \
        .blockjob = &qemu_blockjob_ops,                                                             \
        .host = &qemu_host_ops,                                                                     \
        .interfaces = &qemu_iface_ops,                                                              \
        .nodedevs = &qemu_nodedev_ops,                                                              \
        .host_secrets = true,                                                                       \
        .host_nwfilters = true,                                                                     \
        .domain_post_parse = qemu_domain_post_parse,                                                \
        .scheduler = "posix",                                                                       \
        .scheduler_nparams = 3          /* cpu_shares, vcpu_period, vcpu_quota (domain-sched.c) */

Driver qemu_session_driver = {
        .uri = "qemu:///session",
        .open = qemu_open_session,
        QEMU_DRIVER_COMMON,
};

Driver qemu_system_driver = {
        .uri = "qemu:///system",
        .open = qemu_open_system,
        QEMU_DRIVER_COMMON,
};
