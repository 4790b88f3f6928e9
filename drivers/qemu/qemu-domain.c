/* qemu-domain.c: a QEMU guest's lifecycle: start, verbs as QMP commands, QMP events and the process's end as state-machine inputs. */
#define LOG_MODULE "qemu"
#include "qemu-driver.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "domain-persist.h"
#include "log.h"
#include "persist.h"
#include "qemu-command.h"
#include "qemu-live.h"

QemuDomain *qemu_domain_get(Domain *d) {
        if (!d->driver_data) {
                QemuDomain *qd = calloc(1, sizeof *qd);
                if (!qd)
                        return NULL;
                qd->domain = d;
                qd->qc = qemu_conn_of(d->obj.conn);
                d->driver_data = qd;
        }
        return d->driver_data;
}

/* Let go of the monitor, the process watch and the timer; never signals QEMU. Replies still
 * pending are dropped: their callbacks see qd->qmp != q and return. */
static void qemu_domain_release(QemuDomain *qd) {
        Qmp *q = qd->qmp;
        qd->qmp = NULL;
        qmp_close(q);
        qd->proc = qemu_process_free(qd->proc);
        qd->kill_timer = sd_event_source_disable_unref(qd->kill_timer);
}

/* The pending verb is over: end the job, answer the caller. */
static void qemu_domain_finish(QemuDomain *qd, int r, const VbError *err) {
        Call *call = qd->call;
        bool had = qd->wait != QEMU_WAIT_NONE;
        qd->call = NULL;
        qd->wait = QEMU_WAIT_NONE;
        if (had)
                domain_job_end(qd->domain);
        call_complete(call, r, err, NULL);
        call_unref(call);
}

static void ptys_clear(QemuDomain *qd) {
        for (size_t i = 0; i < qd->n_ptys; i++) {
                free(qd->pty_labels[i]);
                free(qd->pty_paths[i]);
        }
        free(qd->pty_labels);
        free(qd->pty_paths);
        qd->pty_labels = qd->pty_paths = NULL;
        qd->n_ptys = 0;
}

void qemu_domain_forget(Domain *d) {
        QemuDomain *qd = d->driver_data;
        if (!qd)
                return;
        qemu_domain_release(qd);
        ptys_clear(qd);
        call_unref(qd->call);
        free(qd->monitor_path);
        free(qd);
        d->driver_data = NULL;
}

static void on_reply_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_debug("QMP command failed: %s: %s", cls, desc);
}

/* QEMU is gone: drop what watched it and every runtime file. */
static void qemu_domain_stopped(QemuDomain *qd) {
        Domain *d = qd->domain;
        qemu_domain_release(qd);
        if (qd->monitor_path)
                unlink(qd->monitor_path);
        qd->monitor_path = (free(qd->monitor_path), NULL);
        qemu_runtime_remove(d->obj.conn, d->obj.name);
        qd->shutdown_seen = qd->fake_reboot = qd->in_fake_reboot = false;
        qd->destroying = qd->monitor_broken = qd->recovering = false;
        qd->balloon_kib = 0;
        ptys_clear(qd);
}

static void on_process_exit(QemuProcess *p, const siginfo_t *si, void *userdata) {
        QemuDomain *qd = userdata;
        Domain *d = domain_ref(qd->domain);
        QemuWait wait = qd->wait;

        if (wait == QEMU_WAIT_START) {
                /* QEMU's own words: the end of its log, the part it wrote since it was spawned. */
                char *tail = NULL;
                VbError e = { 0 };
                qemu_process_log_tail(p, 4096, &tail);
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "process exited while connecting to monitor: %s",
                             tail && *tail ? tail : "(no output)");
                free(tail);
                log_warning("domain %s: QEMU ended during start: %s", d->obj.name, e.message);
                qemu_domain_stopped(qd);
                domain_remove_status(d, NULL);
                qemu_domain_finish(qd, -1, &e);
                if (!d->persistent && !domain_is_active(d))
                        domain_remove(d);       /* a transient domain that never ran leaves no trace */
                domain_unref(d);
                return;
        }

        /* A panicked guest's QEMU that ends (QEMU's panic action powers it off) ended by a crash. */
        DomainInput in = qd->destroying ? DOMAIN_INPUT_DESTROYED
                         : qd->shutdown_seen && d->state != DOMAIN_CRASHED ? DOMAIN_INPUT_POWERED_OFF
                                                                           : DOMAIN_INPUT_FAILED;
        if (in == DOMAIN_INPUT_FAILED)
                log_warning("domain %s: QEMU (pid %d) ended unexpectedly (code %d, status %d)", d->obj.name,
                            (int) qemu_process_pid(p), si->si_code, si->si_status);
        qemu_domain_stopped(qd);
        domain_transition(d, in);
        if (domain_is_active(d)) {
                /* not a state the table leaves for shut off (nostate): say so anyway */
                domain_restore_state(d, DOMAIN_SHUTOFF, SHUTOFF_UNKNOWN, NULL);
                domain_remove_status(d, NULL);
        }
        if (wait == QEMU_WAIT_EXIT)
                qemu_domain_finish(qd, 0, NULL);
        else if (wait == QEMU_WAIT_REPLY) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "domain '%s' ended during the operation",
                             d->obj.name);
                qemu_domain_finish(qd, -1, &e);
        }
        domain_unref(d);
}

int qemu_domain_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, const char *log_path, VbError *err) {
        return qemu_process_adopt(qd->qc->event, pid, start_time, log_path, on_process_exit, qd, &qd->proc, err);
}

void qemu_domain_release_all(Connection *c) {
        REGISTRY_FOREACH(o, &c->domains) {
                QemuDomain *qd = ((Domain *) o)->driver_data;
                if (qd && qd->wait == QEMU_WAIT_START && qd->proc) {
                        /* Still -S and never reported running: nothing to keep for the next start. */
                        qemu_process_kill(qd->proc, SIGKILL);
                        qemu_runtime_remove(c, o->name);
                        if (qd->monitor_path)
                                unlink(qd->monitor_path);
                }
                if (qd) {
                        qemu_domain_release(qd);
                        qd->qc = NULL;
                }
        }
}

/* ---- QMP events ---- */

static void on_event(Qmp *q, const char *event, json_object *data, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->destroying)
                return;
        Domain *d = domain_ref(qd->domain);
        bool starting = qd->wait == QEMU_WAIT_START;
        log_debug("domain %s: QMP event %s", d->obj.name, event);

        if (strcmp(event, "STOP") == 0) {
                if (!starting && !qd->shutdown_seen && !qd->in_fake_reboot)
                        domain_transition(d, DOMAIN_INPUT_PAUSED);
        } else if (strcmp(event, "RESUME") == 0) {
                if (!starting && !qd->in_fake_reboot)
                        domain_transition(d, DOMAIN_INPUT_RESUMED);
        } else if (strcmp(event, "SHUTDOWN") == 0) {
                if (qd->fake_reboot) {
                        /* virDomainReboot through ACPI: the guest powered off; start it over. */
                        qd->fake_reboot = false;
                        qd->in_fake_reboot = true;
                        qmp_send(q, "system_reset", NULL, on_reply_ignore, NULL);
                        qmp_send(q, "cont", NULL, on_reply_ignore, NULL);
                        /* The STOP that follows SHUTDOWN is ignored; the RESET event ends this. */
                } else if (!qd->shutdown_seen) {
                        /* -no-shutdown: QEMU waits; the guest is off, so end QEMU ourselves. */
                        qd->shutdown_seen = true;
                        domain_transition(d, DOMAIN_INPUT_SHUTTING_DOWN);
                        qmp_send(q, "quit", NULL, on_reply_ignore, NULL);
                }
        } else if (strcmp(event, "RESET") == 0) {
                qd->in_fake_reboot = false;
                if (!starting && !qd->shutdown_seen)
                        domain_transition(d, DOMAIN_INPUT_RESET);
        } else if (strcmp(event, "GUEST_PANICKED") == 0) {
                domain_transition(d, DOMAIN_INPUT_PANICKED);
        } else if (strcmp(event, "BALLOON_CHANGE") == 0) {
                json_object *v;
                if (data && json_object_object_get_ex(data, "actual", &v))
                        qd->balloon_kib = (uint64_t) json_object_get_int64(v) / 1024;
        }
        domain_unref(d);
}

static void on_closed(Qmp *q, int reason, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        qd->qmp = NULL;
        qmp_close(q);
        if (reason != 0 && reason != -ECONNRESET) {
                /* An oversized or garbled message: the guest keeps running, unmanaged by QMP. */
                qd->monitor_broken = true;
                log_error("domain %s: QEMU monitor dropped (%s); the domain keeps running, marked",
                          qd->domain->obj.name, strerror(-reason));
        }
}

/* ---- start ---- */

/* The running definition shows the ports chosen for automatic displays. */
static void live_set_display_ports(QemuDomain *qd) {
        if (!qd->domain->live)
                return;
        qemu_live_set_display_ports(qd->domain->live, qd->vnc_port, qd->spice_port);
        domain_save_status(qd->domain, NULL);
}

static void start_done(QemuDomain *qd) {
        Domain *d = domain_ref(qd->domain);
        unsigned flags = qd->start_flags;
        domain_transition(d, DOMAIN_INPUT_BOOTED);
        if (d->live && qd->n_ptys)
                qemu_live_set_ptys(d->live, (const char *const *) qd->pty_labels,
                                   (const char *const *) qd->pty_paths, qd->n_ptys);
        live_set_display_ports(qd);
        if (flags & DOMAIN_START_PAUSED)
                domain_transition(d, DOMAIN_INPUT_PAUSED);
        qemu_domain_finish(qd, 0, NULL);
        domain_unref(d);
}

static void on_start_cont(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->wait != QEMU_WAIT_START)
                return;
        if (cls) {
                log_error("domain %s: cont failed: %s", qd->domain->obj.name, desc);
                qemu_process_kill(qd->proc, SIGKILL);   /* the exit reports the failure */
                return;
        }
        start_done(qd);
}

static void on_status(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        Domain *d = domain_ref(qd->domain);
        qd->recovering = false;
        json_object *v;
        const char *status = ret && json_object_object_get_ex(ret, "status", &v) ? json_object_get_string(v) : NULL;
        log_info("domain %s: monitor reconnected, QEMU status %s", d->obj.name, status ? status : "?");
        if (!status)
                log_warning("domain %s: query-status failed: %s", d->obj.name, desc ? desc : "no status");
        else if (strcmp(status, "running") == 0) {
                if (d->state == DOMAIN_PAUSED)
                        domain_transition(d, DOMAIN_INPUT_RESUMED);
        } else if (strcmp(status, "shutdown") == 0) {
                /* The guest powered off while the daemon was away: finish what SHUTDOWN starts. */
                qd->shutdown_seen = true;
                qmp_send(q, "quit", NULL, on_reply_ignore, NULL);
        } else if (strcmp(status, "guest-panicked") == 0) {
                domain_transition(d, DOMAIN_INPUT_PANICKED);
        } else if (d->state == DOMAIN_RUNNING) {
                domain_transition(d, DOMAIN_INPUT_PAUSED);
        }
        domain_unref(d);
}

static void start_continue(QemuDomain *qd, Qmp *q) {
        if (qd->start_flags & DOMAIN_START_PAUSED)
                start_done(qd);
        else
                qmp_send(q, "cont", NULL, on_start_cont, qd);
}

/* [{"label": "charserial0", "filename": "pty:/dev/pts/5", …}, …]: the ptys QEMU opened. */
static void on_chardev(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->wait != QEMU_WAIT_START)
                return;
        ptys_clear(qd);
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        if (cls)
                log_warning("domain %s: query-chardev failed: %s", qd->domain->obj.name, desc ? desc : cls);
        qd->pty_labels = calloc(n ? n : 1, sizeof *qd->pty_labels);
        qd->pty_paths = calloc(n ? n : 1, sizeof *qd->pty_paths);
        for (size_t i = 0; qd->pty_labels && qd->pty_paths && i < n; i++) {
                json_object *e = json_object_array_get_idx(ret, i), *l, *f;
                if (!json_object_object_get_ex(e, "label", &l) || !json_object_object_get_ex(e, "filename", &f))
                        continue;
                const char *file = json_object_get_string(f);
                if (!file || strncmp(file, "pty:", 4) != 0)
                        continue;
                char *label = strdup(json_object_get_string(l)), *path = strdup(file + 4);
                if (!label || !path) {
                        free(label);
                        free(path);
                        break;
                }
                qd->pty_labels[qd->n_ptys] = label;
                qd->pty_paths[qd->n_ptys++] = path;
        }
        start_continue(qd, q);
}

static void on_ready(Qmp *q, int r, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        if (r < 0) {
                qd->qmp = NULL;
                qmp_close(q);
                if (qd->wait == QEMU_WAIT_START) {
                        log_error("domain %s: cannot reach the QEMU monitor: %s", qd->domain->obj.name, strerror(-r));
                        qemu_process_kill(qd->proc, SIGKILL);   /* the exit reports the failure */
                } else {
                        qd->monitor_broken = true;
                        qd->recovering = false;
                        log_error("domain %s: cannot reach the QEMU monitor (%s); the domain keeps running, marked",
                                  qd->domain->obj.name, strerror(-r));
                }
                return;
        }
        if (qd->recovering)
                qmp_send(q, "query-status", NULL, on_status, qd);
        else if (qd->wait == QEMU_WAIT_START) {
                if (qemu_live_has_pty(domain_current_def(qd->domain)) &&
                    qmp_send(q, "query-chardev", NULL, on_chardev, qd) == 0)
                        return;
                start_continue(qd, q);
        }
}

int qemu_domain_open_monitor(QemuDomain *qd, bool recovering) {
        qd->recovering = recovering;
        return qmp_open(qd->qc->event, qd->monitor_path,
                        recovering ? QEMU_RECOVER_TIMEOUT_USEC : QEMU_MONITOR_TIMEOUT_USEC, on_event, on_closed, on_ready,
                        qd, &qd->qmp);
}

/* A free TCP port on the loopback for an automatic display port (QEMU binds it itself). */
static int pick_display_port(const QemuConfig *cfg, int skip) {
        for (int port = cfg->remote_display_port_min; port <= cfg->remote_display_port_max; port++) {
                if (port == skip)
                        continue;
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -1;
                struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                          .sin_addr.s_addr = htonl(INADDR_ANY) };
                int r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
                close(fd);
                if (r == 0)
                        return port;
        }
        return -1;
}

static int qemu_domain_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "domain");
        QemuConn *qc = qd->qc;
        Connection *c = d->obj.conn;
        char *mon = NULL, *logp = NULL;
        if (qemu_monitor_path(c, d->obj.name, &mon) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "the monitor socket path of '%s' is too long", d->obj.name);
        if (persist_ensure_dir(c->state_dir, err) < 0 || persist_ensure_dir(qc->log_dir, err) < 0 ||
            asprintf(&logp, "%s/%s.log", qc->log_dir, d->obj.name) < 0) {
                free(mon);
                return err->code ? -1 : vb_error_errno(err, -ENOMEM, "log path");
        }
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        int vnc = pick_display_port(&qc->cfg, -1), spice = pick_display_port(&qc->cfg, vnc);
        QemuCommandInput in = {
                .def = domain_current_def(d),
                .cfg = &qc->cfg,
                .name = d->obj.name,
                .qmp_socket_path = mon,
                .log_path = logp,
                .kvm_available = fd >= 0,
                .vnc_port = vnc,
                .spice_port = spice,
                .emulator_default = QEMU_EMULATOR_DEFAULT,
                .channel_dir = c->state_dir,
        };
        char **argv = qemu_command_build(&in, err);
        if (!argv) {
                free(mon);
                free(logp);
                return -1;
        }
        unlink(mon);
        int r = qemu_process_spawn(qc->event, argv, logp, NULL, 0, on_process_exit, qd, &qd->proc, err);
        qemu_argv_free(argv);
        free(logp);
        if (r < 0) {
                free(mon);
                return -1;
        }
        free(qd->monitor_path);
        qd->monitor_path = mon;
        qd->wait = QEMU_WAIT_START;
        qd->start_flags = flags;
        qd->vnc_port = vnc;
        qd->spice_port = spice;
        qd->call = call_ref(call);
        qd->shutdown_seen = qd->fake_reboot = qd->in_fake_reboot = qd->destroying = qd->monitor_broken = false;
        VbError e = { 0 };
        if (qemu_runtime_save(qd, &e) < 0)
                log_error("domain %s: %s", d->obj.name, e.message);
        r = qemu_domain_open_monitor(qd, false);
        if (r < 0) {
                log_error("domain %s: cannot open the monitor: %s", d->obj.name, strerror(-r));
                qemu_process_kill(qd->proc, SIGKILL);   /* the exit fails the call */
        }
        log_debug("domain %s: QEMU pid %d spawned", d->obj.name, (int) qemu_process_pid(qd->proc));
        return VERB_PENDING;
}

/* ---- verbs as QMP commands ---- */

static void on_op_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->wait != QEMU_WAIT_REPLY)
                return;
        Domain *d = domain_ref(qd->domain);
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
                qd->fake_reboot = false;
                qemu_domain_finish(qd, -1, &e);
        } else {
                /* The event usually came first; if not, the reply is as good a witness. */
                if (qd->after_reply != _DOMAIN_INPUT_MAX)
                        domain_transition(d, qd->after_reply);
                qemu_domain_finish(qd, 0, NULL);
        }
        domain_unref(d);
}

static int qemu_domain_command(Domain *d, Call *call, const char *command, DomainInput after, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        int r = qmp_send(qd->qmp, command, NULL, on_op_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, command);
        qd->wait = QEMU_WAIT_REPLY;
        qd->after_reply = after;
        qd->call = call_ref(call);
        return VERB_PENDING;
}

static int qemu_domain_shutdown(Domain *d, unsigned flags, Call *call, VbError *err) {
        return qemu_domain_command(d, call, "system_powerdown", _DOMAIN_INPUT_MAX, err);
}

static int qemu_domain_reboot(Domain *d, unsigned flags, Call *call, VbError *err) {
        int r = qemu_domain_command(d, call, "system_powerdown", _DOMAIN_INPUT_MAX, err);
        if (r >= 0)
                ((QemuDomain *) d->driver_data)->fake_reboot = true;
        return r;
}

static int qemu_domain_reset(Domain *d, unsigned flags, Call *call, VbError *err) {
        return qemu_domain_command(d, call, "system_reset", _DOMAIN_INPUT_MAX, err);
}

static int qemu_domain_suspend(Domain *d, Call *call, VbError *err) {
        return qemu_domain_command(d, call, "stop", DOMAIN_INPUT_PAUSED, err);
}

static int qemu_domain_resume(Domain *d, Call *call, VbError *err) {
        return qemu_domain_command(d, call, "cont", DOMAIN_INPUT_RESUMED, err);
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        log_warning("domain %s: QEMU ignored SIGTERM for %llu s: SIGKILL", qd->domain->obj.name,
                    (unsigned long long) (QEMU_DESTROY_GRACE_USEC / 1000000));
        if (qd->proc)
                qemu_process_kill(qd->proc, SIGKILL);
        return 0;
}

static int qemu_domain_destroy(Domain *d, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->proc || qemu_process_has_exited(qd->proc)) {
                domain_transition(d, DOMAIN_INPUT_DESTROYED);
                return 0;
        }
        qd->destroying = true;
        int r = qemu_process_kill(qd->proc, SIGTERM);
        if (r < 0 && r != -ESRCH)
                return vb_error_errno(err, r, "kill QEMU");
        qd->kill_timer = sd_event_source_disable_unref(qd->kill_timer);
        sd_event_add_time_relative(qd->qc->event, &qd->kill_timer, CLOCK_MONOTONIC, QEMU_DESTROY_GRACE_USEC, 0,
                                   on_kill_timer, qd);
        qd->wait = QEMU_WAIT_EXIT;
        qd->call = call_ref(call);
        return VERB_PENDING;
}

/* CPU time from /proc/PID/stat (utime + stime); memory from the balloon's last report. */
static int qemu_domain_runtime(Domain *d, DomainRuntimeInfo *info, VbError *err) {
        QemuDomain *qd = d->driver_data;
        info->memory_kib = qd && qd->balloon_kib ? qd->balloon_kib : domain_current_def(d)->current_memory_kib;
        if (!qd || !qd->proc)
                return 0;
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) qemu_process_pid(qd->proc));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        unsigned long long utime = 0, stime = 0;
        /* after "pid (comm)": state is field 3; utime and stime are fields 14 and 15 */
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2) {
                long hz = sysconf(_SC_CLK_TCK);
                info->cpu_time_ns = (utime + stime) * (1000000000ULL / (unsigned long long) (hz > 0 ? hz : 100));
        }
        return 0;
}

/* ---- balloon ---- */

static void on_balloon_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->wait != QEMU_WAIT_REPLY)
                return;
        Domain *d = domain_ref(qd->domain);
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
        } else {
                /* The guest's balloon driver moves later (BALLOON_CHANGE); the target is what
                 * the running definition and GetInfo show meanwhile. */
                if (d->live) {
                        d->live->current_memory_kib = qd->balloon_target_kib;
                        domain_save_status(d, NULL);
                }
                qd->balloon_kib = qd->balloon_target_kib;
                qemu_domain_finish(qd, 0, NULL);
        }
        domain_unref(d);
}

static int qemu_domain_set_memory(Domain *d, uint64_t kib, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qemu_live_has_balloon(d->live))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "Unable to change memory of active domain without the balloon device being enabled");
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        json_object *args = json_object_new_object();
        if (!args)
                return vb_error_errno(err, -ENOMEM, "balloon");
        json_object_object_add(args, "value", json_object_new_int64((int64_t) (kib * 1024)));
        int r = qmp_send(qd->qmp, "balloon", args, on_balloon_reply, qd);
        if (r < 0)
                return vb_error_errno(err, r, "balloon");
        qd->wait = QEMU_WAIT_REPLY;
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qd->balloon_target_kib = kib;
        qd->call = call_ref(call);
        return VERB_PENDING;
}

/* ---- stats ---- */

/* utime + stime of one thread (/proc/TID/stat), in ns. */
static bool thread_cpu_time(long tid, uint64_t *ns) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%ld/stat", tid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return false;
        buf[n] = '\0';
        const char *p = strrchr(buf, ')');
        unsigned long long utime = 0, stime = 0;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
                return false;
        long hz = sysconf(_SC_CLK_TCK);
        *ns = (utime + stime) * (1000000000ULL / (unsigned long long) (hz > 0 ? hz : 100));
        return true;
}

typedef struct StatsQuery {
        Domain *d;              /* a reference */
        DomainStats *st;
        Call *call;             /* a reference */
} StatsQuery;

static void stats_fill_runtime(Domain *d, DomainStats *st) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->balloon_kib)
                st->balloon_current_kib = qd->balloon_kib;
}

/* [{"cpu-index": 0, "thread-id": 1234, …}, …] → each vCPU thread's CPU time. Called exactly
 * once, also when the monitor goes away (ret NULL): the stats go out with what is known. */
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
                v->has_time = thread_cpu_time((long) json_object_get_int64(tid), &v->time_ns);
        }
        if (cls)
                log_debug("domain %s: query-cpus-fast: %s", sq->d->obj.name, desc ? desc : cls);
        stats_fill_runtime(sq->d, sq->st);
        call_complete(sq->call, 0, NULL, sq->st);
        call_unref(sq->call);
        domain_stats_free(sq->st);
        domain_unref(sq->d);
        free(sq);
}

static int qemu_domain_get_stats(Domain *d, DomainStats *st, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        stats_fill_runtime(d, st);
        if (!(st->groups & DOMAIN_STATS_VCPU) || st->n_vcpus == 0 || !call || !qd || !qd->qmp ||
            !qmp_is_ready(qd->qmp))
                return 0;
        StatsQuery *sq = calloc(1, sizeof *sq);
        if (!sq)
                return vb_error_errno(err, -ENOMEM, "stats");
        *sq = (StatsQuery) { .d = domain_ref(d), .st = st, .call = call_ref(call) };
        if (qmp_send(qd->qmp, "query-cpus-fast", NULL, on_cpus_fast, sq) < 0) {
                call_unref(sq->call);
                domain_unref(sq->d);
                free(sq);
                return 0;
        }
        return VERB_PENDING;
}

const DomainOps qemu_domain_ops = {
        .set_memory = qemu_domain_set_memory,
        .get_stats = qemu_domain_get_stats,
        .start = qemu_domain_start,
        .shutdown = qemu_domain_shutdown,
        .reboot = qemu_domain_reboot,
        .reset = qemu_domain_reset,
        .suspend = qemu_domain_suspend,
        .resume = qemu_domain_resume,
        .destroy = qemu_domain_destroy,
        .get_runtime_info = qemu_domain_runtime,
        .forget = qemu_domain_forget,
};
