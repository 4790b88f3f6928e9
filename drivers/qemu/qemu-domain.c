/* qemu-domain.c: a QEMU guest's process: its phases, start, QMP events and the process's end as state-machine inputs. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"
#include "domain-model.h"
#include "qemu-firmware.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu-agent.h"
#include "domain-persist.h"
#include "domain-events.h"
#include "log.h"
#include "persist.h"
#include "qemu-command.h"
#include "qemu-live.h"
#include "qemu-net.h"
#include "qemu-tpm.h"
#include "storage.h"

/* Let go of the monitor, the process watch and the timers; never signals QEMU. Replies still
 * pending are dropped: their callbacks see qd->qmp != q and return. */
static void qemu_domain_release(QemuDomain *qd) {
        Qmp *q = qd->qmp;
        qd->qmp = NULL;
        qmp_close(q);
        qd->proc = process_free(qd->proc);
        qemu_logs_release(qd);  /* never signalled: the writers end with QEMU's output */
        qd->exit_deferred = false;
        qd->kill_timer = sd_event_source_disable_unref(qd->kill_timer);
        qd->retry_timer = sd_event_source_disable_unref(qd->retry_timer);
        qemu_agent_release(qd);
        qemu_perf_stop(qd);     /* the daemon's own descriptors; QEMU runs on uncounted */
        qemu_tpm_release(qd);   /* not signalled: it ends with QEMU (--terminate) */
        qemu_blockjob_release(qd->domain);
        qemu_snapshot_release(qd->domain);
}

void qemu_domain_forget(Domain *d) {
        QemuDomain *qd = d->driver_data;
        if (!qd)
                return;
        qemu_console_close(qd, NULL);
        qemu_channels_close(qd, NULL);
        qemu_save_free(qd);
        qemu_dump_free(qd, true);
        qemu_incoming_done(qd, false);
        qemu_unplug_forget(qd);
        qemu_domain_names_drop(qd);
        qemu_domain_release(qd);
        call_unref(qd->call);
        domain_def_free(qd->live);
        free(qd->monitor_path);
        free(qd->vcpu_tids);
        qemu_iothreads_forget(qd);
        free(qd->migration);
        free(qd);
        d->driver_data = NULL;
}

static void on_reply_ignore(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        if (cls)
                log_debug("QMP command failed: %s: %s", cls, desc);
}

/* ---- phases ---- */

static void on_event(Qmp *q, const char *event, json_object *data, void *userdata);
static void on_closed(Qmp *q, int reason, void *userdata);
static void on_ready(Qmp *q, int r, void *userdata);
static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata);

static int on_retry_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        qd->retry_timer = sd_event_source_disable_unref(qd->retry_timer);
        Domain *d = domain_ref(qd->domain);
        if (qd->lost_retry)
                qd->lost_retry(qd);
        domain_unref(d);
        return 0;
}

static int open_monitor(QemuDomain *qd, uint64_t timeout_usec) {
        if (!qd->monitor_path || !qd->qc)
                return -EINVAL;
        return qmp_open(qd->qc->event, qd->monitor_path, timeout_usec, on_event, on_closed, on_ready, qd, &qd->qmp);
}

/* QEMU is gone: drop what watched it and every runtime file but the core's status file. */
static void enter_none(QemuDomain *qd) {
        Domain *d = qd->domain;
        qemu_domain_release(qd);
        qemu_display_release(qd);
        if (!qd->monitor_path)
                qemu_monitor_path(d->obj.conn, d->obj.name, &qd->monitor_path);
        if (qd->monitor_path)
                unlink(qd->monitor_path);
        qd->monitor_path = (free(qd->monitor_path), NULL);
        qemu_channels_remove(d, qd->live ? qd->live : d->live);
        qemu_runtime_remove(d->obj.conn, d->obj.name);
        qemu_blockjob_record_remove(d);
        qd->live = domain_def_free(qd->live);
        qd->balloon_kib = 0;
        qd->vcpu_tids = (free(qd->vcpu_tids), NULL);
        qd->n_vcpu_tids = 0;
        qemu_iothreads_forget(qd);
        qemu_unplug_forget(qd);
}

void qemu_phase_enter(QemuDomain *qd, QemuPhase next) {
        QemuPhase old = qd->phase;
        Domain *d = qd->domain;
        /* QEMU is gone (it ended, a start failed, or it ended while the daemon was away): its
         * files go back to their owners, once: before the running definition is dropped. */
        if (next == QEMU_PHASE_NONE && (old != QEMU_PHASE_NONE || domain_is_active(d))) {
                qemu_security_stop(qd->qc, qd->live ? qd->live : domain_current_def(d));
                qemu_tpm_stop(qd);
                qemu_cgroup_stop(qd->qc, d->obj.name);
                qemu_perf_stop(qd);
                qemu_machined_stop(qd);
                qemu_apparmor_unload(qd->qc, qd->live ? qd->live : domain_current_def(d));
                qemu_nics_release(d->obj.conn, qd->live ? qd->live : d->live);   /* never the persistent one */
                qemu_iftune_release(qd->live ? qd->live : d->live);
        }
        qd->phase = next;
        if (old != next)
                log_info("domain %s: QEMU %s → %s", d->obj.name, qemu_phase_to_string(old), qemu_phase_to_string(next));
        if (next != QEMU_PHASE_DESTROYING)
                qd->kill_timer = sd_event_source_disable_unref(qd->kill_timer);
        if (next != QEMU_PHASE_STARTING)
                qd->live = domain_def_free(qd->live);
        if (next != QEMU_PHASE_LOST) {
                qd->retry_timer = sd_event_source_disable_unref(qd->retry_timer);
                qd->retry_usec = 0;
                qd->lost_why[0] = '\0';
                qd->lost_retry = NULL;
        }

        switch (next) {
        case QEMU_PHASE_NONE:
                enter_none(qd);
                break;
        case QEMU_PHASE_STARTING: {
                vb_error_clear(&qd->start_error);
                int r = open_monitor(qd, QEMU_MONITOR_TIMEOUT_USEC);
                if (r < 0) {
                        log_error("domain %s: cannot open the QEMU monitor: %s", d->obj.name, strerror(-r));
                        qemu_domain_start_fail(qd, NULL);
                }
                break;
        }
        case QEMU_PHASE_RESETTING:
                /* virDomainReboot through ACPI: the guest powered off; start it over. The STOP
                 * that follows SHUTDOWN is ignored; the RESET event ends this. */
                qmp_send(qd->qmp, "system_reset", NULL, on_reply_ignore, NULL);
                qmp_send(qd->qmp, "cont", NULL, on_reply_ignore, NULL);
                break;
        case QEMU_PHASE_POWERED_OFF:
                /* -no-shutdown: QEMU waits; the guest is off, so end QEMU ourselves. */
                if (qd->qmp)
                        qmp_send(qd->qmp, "quit", NULL, on_reply_ignore, NULL);
                break;
        case QEMU_PHASE_DESTROYING:
                if (qd->qc && !qd->kill_timer)
                        sd_event_add_time_relative(qd->qc->event, &qd->kill_timer, CLOCK_MONOTONIC,
                                                   QEMU_DESTROY_GRACE_USEC, 0, on_kill_timer, qd);
                break;
        case QEMU_PHASE_RECONNECTING: {
                int r = open_monitor(qd, QEMU_RECOVER_TIMEOUT_USEC);
                if (r < 0) {
                        log_error("domain %s: cannot open its QEMU monitor: %s", d->obj.name, strerror(-r));
                        qemu_phase_enter(qd, QEMU_PHASE_UNMANAGED);
                }
                break;
        }
        case QEMU_PHASE_UNMANAGED: {
                Qmp *q = qd->qmp;
                qd->qmp = NULL;
                qmp_close(q);
                log_error("domain %s: no QEMU monitor; the domain keeps running, marked", d->obj.name);
                break;
        }
        case QEMU_PHASE_LOST:
                /* Nothing is deleted and nothing is reported gone: a QEMU may run on. */
                qd->retry_usec = qd->retry_usec ? qd->retry_usec * 2 : QEMU_RECOVER_RETRY_MIN_USEC;
                if (qd->retry_usec > QEMU_RECOVER_RETRY_MAX_USEC)
                        qd->retry_usec = QEMU_RECOVER_RETRY_MAX_USEC;
                log_error("domain %s: %s; its files are kept, it is not reported shut off, and it is looked for "
                          "again in %llu s", d->obj.name, qd->lost_why, (unsigned long long) (qd->retry_usec / 1000000));
                qd->retry_timer = sd_event_source_disable_unref(qd->retry_timer);
                if (qd->qc)
                        sd_event_add_time_relative(qd->qc->event, &qd->retry_timer, CLOCK_MONOTONIC, qd->retry_usec, 0,
                                                   on_retry_timer, qd);
                break;
        case QEMU_PHASE_RUNNING:
                qemu_agent_running(qd);
                break;
        case QEMU_PHASE_REBOOTING:
        case QEMU_PHASE_SAVING:
        case _QEMU_PHASE_MAX:
                break;
        }
}

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        QemuDomain *qd = userdata;
        log_warning("domain %s: QEMU ignored SIGTERM for %llu s: SIGKILL", qd->domain->obj.name,
                    (unsigned long long) (QEMU_DESTROY_GRACE_USEC / 1000000));
        if (qd->proc)
                process_kill(qd->proc, SIGKILL);
        return 0;
}

/* ---- the process's end ---- */

static void on_process_exit(Process *p, const siginfo_t *si, void *userdata) {
        QemuDomain *qd = userdata;
        Domain *d = domain_ref(qd->domain);
        QemuPhase phase = qd->phase;

        if (phase == QEMU_PHASE_STARTING && qd->log_writer && !process_has_exited(qd->log_writer) &&
            !qd->exit_deferred) {
                /* QEMU's last words are in the pipe still: the writer's end reports this exit */
                qd->exit_deferred = true;
                qd->exit_info = *si;
                domain_unref(d);
                return;
        }
        qd->exit_deferred = false;
        if (phase == QEMU_PHASE_STARTING) {
                VbError e = qd->start_error;
                if (!e.code) {
                        /* QEMU's own words: the end of its log, the part it wrote since it was spawned. */
                        char *tail = NULL;
                        process_log_tail(p, 4096, &tail);
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                     "process exited while connecting to monitor: %s",
                                     tail && *tail ? tail : "(no output)");
                        free(tail);
                }
                log_warning("domain %s: QEMU ended during start: %s", d->obj.name, e.message);
                qemu_incoming_done(qd, false);
                qemu_phase_enter(qd, QEMU_PHASE_NONE);
                if (!domain_is_active(d))
                        domain_remove_status(d, NULL);
                qemu_domain_finish(qd, -1, &e);
                if (!d->persistent && !domain_is_active(d))
                        domain_remove(d);       /* a transient domain that never ran leaves no trace */
                domain_unref(d);
                return;
        }

        /* A panicked guest's QEMU that ends (QEMU's panic action powers it off) ended by a crash. */
        bool saved = phase == QEMU_PHASE_SAVING && qemu_save_done(qd);
        qemu_save_free(qd);
        qemu_dump_free(qd, true);
        DomainInput in = phase == QEMU_PHASE_DESTROYING && qd->snapshot_revert ? DOMAIN_INPUT_SNAPSHOT_STOPPED
                         : phase == QEMU_PHASE_DESTROYING ? qemu_migrate_exit_input(qd, DOMAIN_INPUT_DESTROYED)
                         : saved ? DOMAIN_INPUT_SAVED
                         : phase == QEMU_PHASE_POWERED_OFF && d->state != DOMAIN_CRASHED ? DOMAIN_INPUT_POWERED_OFF
                                                                                        : DOMAIN_INPUT_FAILED;
        if (in == DOMAIN_INPUT_FAILED)
                log_warning("domain %s: QEMU (pid %d) ended unexpectedly (code %d, status %d)", d->obj.name,
                            (int) process_pid(p), si->si_code, si->si_status);
        qemu_phase_enter(qd, QEMU_PHASE_NONE);
        domain_transition(d, in);
        if (domain_is_active(d)) {
                /* not a state the table leaves for shut off (nostate): say so anyway */
                domain_restore_state(d, DOMAIN_SHUTOFF, SHUTOFF_UNKNOWN, NULL);
                domain_remove_status(d, NULL);
        }
        if (qd->job && (phase == QEMU_PHASE_DESTROYING || saved)) {
                qemu_domain_finish(qd, 0, NULL);
        } else if (qd->job) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "domain '%s' ended during the operation",
                             d->obj.name);
                qemu_domain_finish(qd, -1, &e);
        }
        domain_unref(d);
}

/* The log writer ended (qemu-logs.c): an exit deferred for QEMU's last words is handled now. */
static void on_log_writer_gone(QemuDomain *qd) {
        if (qd->exit_deferred && qd->proc) {
                siginfo_t si = qd->exit_info;
                on_process_exit(qd->proc, &si, qd);
        }
}

int qemu_domain_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, const char *log_path, VbError *err) {
        int r = process_adopt(qd->qc->event, &qemu_program, pid, start_time, log_path, on_process_exit, qd, &qd->proc, err);
        VbError e = { 0 };
        /* its counters start again from zero, as libvirt's after a restart */
        if (r == 0 && qemu_perf_start(qd, qd->domain->live, &e) < 0)
                log_warning("domain %s: perf events not counted again: %s", qd->domain->obj.name, e.message);
        return r;
}

void qemu_domain_release_all(Connection *c) {
        REGISTRY_FOREACH(o, &c->domains) {
                QemuDomain *qd = ((Domain *) o)->driver_data;
                if (qd && qd->phase == QEMU_PHASE_STARTING && qd->proc) {
                        /* Still -S and never reported running: nothing to keep for the next start. */
                        process_kill(qd->proc, SIGKILL);
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
        QemuPhase phase = qd->phase;
        if (q != qd->qmp || phase == QEMU_PHASE_DESTROYING)
                return;
        Domain *d = domain_ref(qd->domain);
        /* The guest's own changes count once it has been reported running, and not while a
         * fake reboot's reset or a power-off runs its course. */
        bool guest = phase == QEMU_PHASE_RUNNING || phase == QEMU_PHASE_REBOOTING || phase == QEMU_PHASE_RECONNECTING;
        log_debug("domain %s: QMP event %s (QEMU %s)", d->obj.name, event, qemu_phase_to_string(phase));

        if (strcmp(event, "STOP") == 0) {
                if (guest)
                        domain_transition(d, DOMAIN_INPUT_PAUSED);
        } else if (strcmp(event, "RESUME") == 0) {
                if (guest || phase == QEMU_PHASE_POWERED_OFF)
                        domain_transition(d, DOMAIN_INPUT_RESUMED);
        } else if (strcmp(event, "SHUTDOWN") == 0) {
                if (phase == QEMU_PHASE_REBOOTING) {
                        qemu_phase_enter(qd, QEMU_PHASE_RESETTING);
                } else if (phase != QEMU_PHASE_POWERED_OFF && phase != QEMU_PHASE_STARTING &&
                           phase != QEMU_PHASE_SAVING) {       /* a save's quit: its exit is the end */
                        domain_transition(d, DOMAIN_INPUT_SHUTTING_DOWN);
                        qemu_phase_enter(qd, QEMU_PHASE_POWERED_OFF);
                }
        } else if (strcmp(event, "RESET") == 0) {
                if (phase == QEMU_PHASE_RESETTING) {
                        qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
                        guest = true;
                }
                if (guest)
                        domain_transition(d, DOMAIN_INPUT_RESET);
        } else if (strcmp(event, "GUEST_PANICKED") == 0) {
                domain_transition(d, DOMAIN_INPUT_PANICKED);
        } else if (strcmp(event, "BALLOON_CHANGE") == 0) {
                json_object *v;
                if (data && json_object_object_get_ex(data, "actual", &v)) {
                        qd->balloon_kib = (uint64_t) json_object_get_int64(v) / 1024;
                        domain_notify_balloon_change(d, qd->balloon_kib);
                }
        } else if (strcmp(event, "DEVICE_DELETED") == 0 || strcmp(event, "DEVICE_UNPLUG_GUEST_ERROR") == 0) {
                qemu_hotplug_event(qd, event, data);
        } else if (strcmp(event, "VSERPORT_CHANGE") == 0) {
                qemu_agent_qmp_event(qd, event, data);
        } else if (strncmp(event, "BLOCK_JOB_", 10) == 0) {
                qemu_blockjob_event(qd, event, data);
        } else if (strcmp(event, "BLOCK_WRITE_THRESHOLD") == 0) {
                qemu_threshold_event(qd, data);
        } else if (strcmp(event, "JOB_STATUS_CHANGE") == 0) {
                qemu_snapshot_job_event(qd, data);
        } else if (strcmp(event, "DUMP_COMPLETED") == 0) {
                qemu_dump_event(qd, data);
        } else if (strcmp(event, "SUSPEND") == 0 || strcmp(event, "SUSPEND_DISK") == 0 || strcmp(event, "WAKEUP") == 0) {
                if (guest)
                        qemu_pm_event(qd, event);
        } else {
                qemu_guest_event(qd, event, data);
        }
        domain_unref(d);
}

static void on_closed(Qmp *q, int reason, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        qd->qmp = NULL;
        qmp_close(q);
        if (reason == 0 || reason == -ECONNRESET)
                return;         /* QEMU is ending: its exit follows */
        /* An oversized or garbled message. */
        log_error("domain %s: QEMU monitor dropped (%s)", qd->domain->obj.name, strerror(-reason));
        domain_notify_control_error(qd->domain);
        qemu_snapshot_release(qd->domain);
        if (qd->phase == QEMU_PHASE_STARTING)
                qemu_domain_start_fail(qd, NULL);
        else if (qd->phase != QEMU_PHASE_POWERED_OFF && qd->phase != QEMU_PHASE_DESTROYING) {
                qemu_phase_enter(qd, QEMU_PHASE_UNMANAGED);
        }
}

/* ---- start ---- */

static void start_done(QemuDomain *qd) {
        /* an earlier answer of this start (a disk's limits refused) failed it: QEMU is being
         * killed and its exit answers the call with that error */
        if (qd->start_error.code)
                return;
        Domain *d = domain_ref(qd->domain);
        unsigned flags = qd->start_flags;
        DomainDef *live = qd->live;
        qd->live = NULL;
        VbError e = { 0 };
        /* The running definition, with its ptys and ports, before anyone hears of the start. */
        DomainInput in = qd->incoming ? (qd->incoming_uri ? DOMAIN_INPUT_MIGRATED_IN : DOMAIN_INPUT_RESTORED)
                         : qd->snapshot_revert ? DOMAIN_INPUT_SNAPSHOT_STARTED
                                               : DOMAIN_INPUT_BOOTED;
        if (domain_transition_live(d, in, live, &e) < 0) {
                qemu_domain_start_fail(qd, &e);
                domain_unref(d);
                return;
        }
        if (qd->incoming)
                qemu_incoming_done(qd, true);
        qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
        qemu_machined_start(qd);
        if (flags & DOMAIN_START_PAUSED)
                domain_transition(d, qd->snapshot_revert ? DOMAIN_INPUT_SNAPSHOT_PAUSED : DOMAIN_INPUT_PAUSED);
        qemu_domain_finish(qd, 0, NULL);
        domain_unref(d);
}

static void on_start_cont(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING)
                return;
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s failed: %s",
                             qd->start_flags & DOMAIN_START_PAUSED ? "query-status" : "cont", desc ? desc : cls);
                qemu_domain_start_fail(qd, &e);
                return;
        }
        start_done(qd);
}

static void on_status(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_RECONNECTING)
                return;
        Domain *d = domain_ref(qd->domain);
        json_object *v;
        const char *status = ret && json_object_object_get_ex(ret, "status", &v) ? json_object_get_string(v) : NULL;
        log_info("domain %s: monitor reconnected, QEMU status %s", d->obj.name, status ? status : "?");
        if (!status) {
                log_warning("domain %s: query-status failed: %s", d->obj.name, desc ? desc : "no status");
                qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
        } else if (strcmp(status, "shutdown") == 0) {
                /* The guest powered off while the daemon was away: finish what SHUTDOWN starts. */
                qemu_phase_enter(qd, QEMU_PHASE_POWERED_OFF);
        } else {
                qemu_phase_enter(qd, QEMU_PHASE_RUNNING);
                qemu_blockjob_recover(qd);
                if (strcmp(status, "running") == 0) {
                        if (d->state == DOMAIN_PAUSED)
                                domain_transition(d, DOMAIN_INPUT_RESUMED);
                        else if (d->state == DOMAIN_PMSUSPENDED)       /* woken while the daemon was away */
                                domain_transition(d, DOMAIN_INPUT_PM_WOKEUP);
                } else if (strcmp(status, "guest-panicked") == 0) {
                        domain_transition(d, DOMAIN_INPUT_PANICKED);
                } else if (strcmp(status, "suspended") == 0) {        /* S3: asleep, not paused */
                        if (d->state == DOMAIN_RUNNING)
                                domain_transition(d, DOMAIN_INPUT_PM_SUSPENDED);
                } else if (d->state == DOMAIN_RUNNING) {
                        domain_transition(d, DOMAIN_INPUT_PAUSED);
                }
        }
        domain_unref(d);
}

/* <memballoon><stats period='N'/>: QEMU polls the guest's balloon statistics every N s; only
 * QMP sets it (qom-set on the balloon device), before the guest runs. */
static void on_stats_period(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (cls)
                log_warning("domain %s: balloon stats period not set: %s", qd->domain->obj.name, desc ? desc : cls);
        else
                log_info("domain %s: balloon statistics period set", qd->domain->obj.name);
}

/* The rest of a start once the monitor is up (QEMU still -S). */
static void start_continue(QemuDomain *qd, Qmp *q) {
        if (qd->incoming && !qd->incoming_loaded && qd->incoming_uri) {
                qemu_incoming_listen(qd, q, start_continue);    /* comes back here once QEMU listens */
                return;
        }
        if (qd->incoming && !qd->incoming_loaded) {
                qemu_incoming_wait(qd, q, start_continue);      /* comes back here once QEMU has the image loaded */
                return;
        }
        if (qemu_nics_filters_wait(qd, q, start_continue))
                return;                         /* comes back here once its NICs' filters are loaded */
        const DomainMemballoon *b = &qd->live->priv->devices.memballoon;
        if (b->stats_period.set && b->stats_period.v > 0 && !(b->model && strcmp(b->model, "none") == 0)) {
                json_object *args = json_object_new_object();
                json_object_object_add(args, "path", json_object_new_string("/machine/peripheral/balloon0"));
                json_object_object_add(args, "property", json_object_new_string("guest-stats-polling-interval"));
                json_object_object_add(args, "value", json_object_new_int64(b->stats_period.v));
                qmp_send(q, "qom-set", args, on_stats_period, qd);
        }
        qemu_nics_start_links(qd, q);
        qemu_iotune_start(qd, q);
        qemu_display_set_passwords(qd, q);     /* before the guest runs: QEMU answers in order */
        /* QEMU answers in order: the last reply comes after every setting's above, so a refusal
         * among them is known before the start is declared done. A paused start asks for the
         * status instead of running the guest. */
        if (qd->start_flags & DOMAIN_START_PAUSED)
                qmp_send(q, "query-status", NULL, on_start_cont, qd);
        else
                qmp_send(q, "cont", NULL, on_start_cont, qd);
}

/* [{"label": "charserial0", "filename": "pty:/dev/pts/5", …}, …]: the ptys QEMU opened, into
 * the running definition. */
static void on_chardev(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || qd->phase != QEMU_PHASE_STARTING)
                return;
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0, k = 0;
        if (cls)
                log_warning("domain %s: query-chardev failed: %s", qd->domain->obj.name, desc ? desc : cls);
        const char **labels = calloc(n ? n : 1, sizeof *labels), **paths = calloc(n ? n : 1, sizeof *paths);
        for (size_t i = 0; labels && paths && i < n; i++) {
                json_object *e = json_object_array_get_idx(ret, i), *l, *f;
                if (!json_object_object_get_ex(e, "label", &l) || !json_object_object_get_ex(e, "filename", &f))
                        continue;
                const char *file = json_object_get_string(f), *label = json_object_get_string(l);
                if (!file || !label || strncmp(file, "pty:", 4) != 0)
                        continue;
                labels[k] = label;
                paths[k++] = file + 4;
        }
        if (labels && paths)
                qemu_live_set_ptys(qd->live, labels, paths, k);
        free(labels);
        free(paths);
        start_continue(qd, q);
}

/* The threads are placed (qemu-pin.c): the ptys asked for, then the rest of the start. */
static void on_threads_placed(QemuDomain *qd, Qmp *q) {
        if (qemu_live_has_pty(qd->live) && qmp_send(q, "query-chardev", NULL, on_chardev, qd) == 0)
                return;
        qemu_live_set_ptys(qd->live, NULL, NULL, 0);    /* no pty to learn: the chardevs' aliases alone */
        start_continue(qd, q);
}

static void on_ready(Qmp *q, int r, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        if (r < 0) {
                qd->qmp = NULL;
                qmp_close(q);
                if (qd->phase == QEMU_PHASE_STARTING) {
                        /* Most often QEMU ended on its own: its log says why better than we can. */
                        log_error("domain %s: cannot reach the QEMU monitor: %s", qd->domain->obj.name, strerror(-r));
                        qemu_domain_start_fail(qd, NULL);
                } else {
                        log_error("domain %s: cannot reach the QEMU monitor (%s)", qd->domain->obj.name, strerror(-r));
                        qemu_phase_enter(qd, QEMU_PHASE_UNMANAGED);
                }
                return;
        }
        if (qd->phase == QEMU_PHASE_RECONNECTING) {
                qemu_chan_reconnected(qd, q);   /* first: the guest's agent channel may be one */
                qmp_send(q, "query-status", NULL, on_status, qd);
                qemu_threads_query(qd, q, NULL);
        } else if (qd->phase == QEMU_PHASE_STARTING) {
                if (qemu_threads_query(qd, q, on_threads_placed) < 0) {
                        VbError e = { 0 };
                        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot ask QEMU for its vCPU threads");
                        qemu_domain_start_fail(qd, &e);
                }
        }
}

static int start_prepared(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err);
static int start_named(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err);
static int start_loaded(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err);
static int qemu_domain_start_spawn(Domain *d, unsigned flags, Call *call, VbError *err);

int qemu_domain_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "domain");
        if (qd->phase != QEMU_PHASE_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain is already running: its QEMU process is %s", qemu_phase_to_string(qd->phase));
        if (qd->aa_loading)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain is already starting: its AppArmor profile is being loaded");
        if (qd->dac_names_busy)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain is busy: the user and group names of its DAC labels are being looked up");
        qemu_domain_names_drop(qd);     /* a table left by a start that failed after its lookup */
        if (qd->tpm_setup)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain is already starting: its TPM state is being created");
        /* Never a second QEMU on the same disks: one left from before (a restart that could not
         * take it over, a record that was lost) is looked for first. */
        QemuFound f;
        /* An incoming migration on this host is the one case of two: the source's QEMU stops
         * using the disks before this one runs the guest. */
        int k = qd->incoming_uri ? 0 : qemu_domain_find(d, &f);
        if (k > 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "domain is already running: QEMU process %d of domain '%s' is alive (found by its %s)",
                                    (int) f.pid, d->obj.name, f.how);
        if (k < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "cannot tell whether a QEMU process of domain '%s' still runs (%s); not starting another",
                                    d->obj.name, f.why);
        /* An emulated TPM's state is made (swtpm_setup, a watched child) the first time. */
        void *arg = (void *) (uintptr_t) flags;
        int r = qemu_tpm_prepare(qd, qd->incoming_def ? qd->incoming_def : domain_current_def(d), start_prepared, arg,
                                 call, err);
        if (r != 0)
                return r;
        return start_prepared(d, NULL, arg, call, err);
}

/* The start's steps, in order; each asynchronous one (qemu-tpm.c, qemu-dac-names.c,
 * qemu-apparmor.c) is handed the step after it and knows nothing of the start. arg: the
 * start's flags. */

/* The TPM's state exists: the DAC label names looked up, in a thread (NSS may block). */
static int start_prepared(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        (void) names;
        QemuDomain *qd = qemu_domain_get(d);
        if (!qd)
                return vb_error_errno(err, -ENOMEM, "domain");
        int r = qemu_dac_names_begin(qd, qd->incoming_def ? qd->incoming_def : domain_current_def(d), start_named,
                                     NULL, arg, call, err);
        if (r != 0)
                return r;
        return start_named(d, NULL, arg, call, err);
}

/* The names known (names: the lookup's answers, kept for the spawn): AppArmor's profile
 * loaded (a watched child) before QEMU is spawned. */
static int start_named(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (names) {
                if (!(qd->dac_names = calloc(1, sizeof *qd->dac_names)))
                        return vb_error_errno(err, -ENOMEM, "DAC label names");
                *qd->dac_names = *names;
                *names = (SecurityDacNames) { 0 };
        }
        if (qd->qc && qd->qc->apparmor &&
            apparmor_confines(qd->incoming_def ? qd->incoming_def : domain_current_def(d)))
                return qemu_apparmor_load(qd, start_loaded, arg, call, err);
        return qemu_domain_start_spawn(d, (unsigned) (uintptr_t) arg, call, err);
}

/* The profile loaded: the spawn; a spawn that fails unloads it. */
static int start_loaded(Domain *d, SecurityDacNames *names, void *arg, Call *call, VbError *err) {
        (void) names;
        int r = qemu_domain_start_spawn(d, (unsigned) (uintptr_t) arg, call, err);
        QemuDomain *qd = d->driver_data;
        if (r < 0 && qd->qc)
                qemu_apparmor_unload(qd->qc, domain_current_def(d));
        return r;
}

/* The start past its checks, the TPM's state, the names and the AppArmor load: QEMU spawned,
 * VERB_PENDING or -1. */
static int qemu_domain_start_spawn(Domain *d, unsigned flags, Call *call, VbError *err) {
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
        /* What runs is a copy: the running definition, with the values the start chooses. */
        DomainDef *live = domain_def_copy(qd->incoming_def ? qd->incoming_def : domain_current_def(d));
        if (!live) {
                free(mon);
                free(logp);
                return vb_error_errno(err, -ENOMEM, "running definition");
        }
        /* Each device's <alias>: the id its command line gives it (qemu-alias.c). */
        if (qemu_aliases_assign(live, true) < 0) {
                domain_def_free(live);
                free(mon);
                free(logp);
                return vb_error_errno(err, -ENOMEM, "device aliases");
        }
        /* Volumes become the files (or block devices) they are now: QEMU, the live XML and the
         * security drivers see those; a UEFI guest's NVRAM is copied from its template. */
        if (domain_resolve_volume_disks(c, live, err) < 0 ||
            qemu_disks_startup_policy(d, live, qd->incoming_def != NULL || qd->incoming, err) < 0 ||
            qemu_nvram_prepare(live->priv->os.nvram, live->priv->os.nvram_template, err) < 0) {
                domain_def_free(live);
                free(mon);
                free(logp);
                return -1;
        }
        /* Who QEMU runs as and its files labelled (undone below when the start goes no further). */
        ProcessCreds creds = { 0 };
        int sr = qemu_security_start(qc, live, qd->dac_names, &creds, err);
        qemu_domain_names_drop(qd);
        if (sr < 0) {
                domain_def_free(live);
                free(mon);
                free(logp);
                return -1;
        }
        /* AppArmor (loaded before this): QEMU executed in the guest's profile. */
        ApparmorPlan aa;
        if (qc->apparmor && apparmor_confines(live)) {
                if (qemu_apparmor_plan(qc, live, &aa, err) < 0) {
                        qemu_security_stop(qc, live);
                        domain_def_free(live);
                        free(mon);
                        free(logp);
                        return -1;
                }
                creds.exec_attr = aa.onexec_attr;
                creds.exec_label = aa.onexec_value;
        }
        bool confined = qemu_security_confined(qc);
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        /* QEMU as another user cannot create its monitor in the daemon's directory: the daemon
         * binds it and QEMU inherits the listening socket. */
        unlink(mon);
        int mon_fd = confined ? qemu_monitor_listen(mon, err) : 0;
        /* Taps are the system daemon's (libvirt's session daemon would need a setuid helper):
         * without them the command line refuses bridge and network interfaces plainly. */
        QemuNics nics = { 0 };
        int serial_fds[QEMU_SERIAL_LOGS_MAX];
        char **argv = NULL, *tpm_sock = NULL;
        QemuDiskFdsets disk_fds = { 0 };
        QemuChannelFds chan_fds = { 0 };
        if (mon_fd < 0)
                goto fail_security;
        /* Its channel sockets likewise (virt-install's guest agent channel has no path). */
        if (confined && qemu_channels_listen(d, live, &chan_fds, err) < 0)
                goto fail_monitor;
        if (qemu_disk_fdsets_prepare(d, live, &disk_fds, err) < 0)
                goto fail_monitor;
        if (c->manager->system_mode && qemu_nics_prepare(c, live, &nics, err) < 0)
                goto fail_monitor;
        /* The automatic display ports, reserved until QEMU is gone (qemu-display.c). */
        if (qemu_display_reserve(qd, live, err) < 0)
                goto fail_nics;
        /* File-backed serials write through log writers too (rotated, kept across restarts). */
        if (qemu_logs_serials(qd, live, serial_fds, QEMU_SERIAL_LOGS_MAX, err) < 0)
                goto fail_ports;
        /* An emulated TPM: its swtpm listens before QEMU connects (qemu-tpm.c). */
        if (qemu_tpm_spawn(qd, live, &tpm_sock, err) < 0)
                goto fail_serials;
        int vnc = qd->display_ports[QEMU_PORT_VNC] ? qd->display_ports[QEMU_PORT_VNC] : -1;
        int spice = qd->display_ports[QEMU_PORT_SPICE] ? qd->display_ports[QEMU_PORT_SPICE] : -1;
        int ws = qd->display_ports[QEMU_PORT_WEBSOCKET] ? qd->display_ports[QEMU_PORT_WEBSOCKET] : -1;
        QemuCommandInput in = {
                .def = live,
                .cfg = &qc->cfg,
                .name = d->obj.name,
                .qmp_socket_path = mon,
                .qmp_socket_fd = mon_fd,
                .seccomp_sandbox = qc->cfg.seccomp_sandbox,
                .log_path = logp,
                .kvm_available = fd >= 0,
                .vnc_port = vnc,
                .spice_port = spice,
                .websocket_port = ws,
                .emulator_default = QEMU_EMULATOR_DEFAULT,
                .channel_dir = c->state_dir,
                .channel_fds = chan_fds.fds,
                .n_channel_fds = chan_fds.n,
                .tap_fds = nics.fds,
                .n_tap_fds = nics.n,
                .tap_queue_fds = nics.queue_fds,
                .incoming_fd = qd->incoming ? qd->incoming_fd : -1,
                .loadvm = qd->loadvm,
                .incoming_defer = qd->incoming && qd->incoming_uri,
                .serial_file_fds = serial_fds,
                .n_serial_file_fds = QEMU_SERIAL_LOGS_MAX,
                .disk_fdsets = disk_fds.sets,
                .n_disk_fdsets = disk_fds.n,
                .tpm_socket_path = tpm_sock,
        };
        argv = qemu_command_build(&in, err);
        if (!argv)
                goto fail_serials;
        qemu_live_set_display_ports(live, qd->display_ports);
        qemu_display_live_listen(qc, live);
        if (qemu_security_live_label(qc, live) < 0)
                log_warning("domain %s: out of memory: its running definition lacks its <seclabel>", d->obj.name);
        /* What QEMU inherits: the monitor's listening socket when confined, and the taps. */
        int keep[QEMU_NICS_TAPS_MAX + 2 + QEMU_SERIAL_LOGS_MAX + QEMU_DISK_FDS_MAX + QEMU_CHANNEL_FDS_MAX];
        size_t n_keep = qemu_disk_fdsets_keep(&disk_fds, keep, QEMU_DISK_FDS_MAX);
        for (size_t i = 0; i < QEMU_SERIAL_LOGS_MAX; i++)
                if (serial_fds[i] >= 0)
                        keep[n_keep++] = serial_fds[i];
        if (confined)
                keep[n_keep++] = mon_fd;
        if (qd->incoming && qd->incoming_fd >= 0)
                keep[n_keep++] = qd->incoming_fd;
        for (size_t i = 0; i < nics.n_all && n_keep < QEMU_NICS_TAPS_MAX + 2 + QEMU_SERIAL_LOGS_MAX; i++)
                keep[n_keep++] = nics.all[i];
        n_keep += qemu_channel_fds_keep(&chan_fds, keep + n_keep, QEMU_CHANNEL_FDS_MAX);
        /* qemu.conf namespaces = [ "mount" ]: a private /dev (qemu-ns.c), as the daemon's user too. */
        QemuMountNs ns;
        int r = qemu_ns_prepare(qc, c, live, &ns, err);
        if (r > 0) {
                creds.mount_ns = &ns.ns;
                creds.keep_ids = !confined;
        }
        if (creds.exec_label && !confined)
                creds.keep_ids = true;  /* an LSM label only: QEMU keeps the daemon's ids */
        /* QEMU's output through a pipe to its log writer, which outlives the daemon. */
        int log_fd = -1;
        if (r >= 0)
                r = qemu_logs_start(qd, logp, on_log_writer_gone, &log_fd, err);
        if (r >= 0) {
                r = process_spawn_fd_as(qc->event, &qemu_program, argv, logp, log_fd, keep, n_keep,
                                        confined || creds.mount_ns || creds.exec_label ? &creds : NULL, on_process_exit,
                                        qd, &qd->proc, err);
                close(log_fd);  /* QEMU holds the write end now: its end is the writer's end of file */
        }
        if (mon_fd > 0)
                close(mon_fd);
        qemu_channel_fds_close(&chan_fds);      /* QEMU holds its own */
        for (size_t i = 0; i < QEMU_SERIAL_LOGS_MAX; i++)
                if (serial_fds[i] >= 0)
                        close(serial_fds[i]);   /* QEMU holds them: its end is their writers' end of file */
        if (r < 0)
                qemu_nics_abandon(&nics);
        qemu_nics_close(&nics);   /* QEMU holds the taps now; they go when it does */
        qemu_argv_free(argv);
        qemu_disk_fdsets_free(&disk_fds);
        free(logp);
        free(tpm_sock);
        if (r < 0) {
                qemu_tpm_stop(qd);
                qemu_display_release(qd);
                if (mon_fd > 0)
                        unlink(mon);
                if (confined)
                        qemu_channels_remove(d, live);
                qemu_security_stop(qc, live);
                domain_def_free(live);
                free(mon);
                return -1;
        }
        log_debug("domain %s: QEMU pid %d spawned", d->obj.name, (int) process_pid(qd->proc));
        free(qd->monitor_path);
        qd->monitor_path = mon;
        qd->start_flags = flags;
        qd->live = live;
        qd->balloon_kib = 0;
        qemu_domain_pending(qd, call);
        qemu_phase_enter(qd, QEMU_PHASE_STARTING);
        /* Without its record a QEMU could not be found again after a restart: no start then. */
        VbError e = { 0 };
        if (qemu_runtime_save(qd, &e) < 0 ||
            qemu_cgroup_start(qc, d->obj.name, qd->live, process_pid(qd->proc), &e) < 0 ||
            qemu_perf_start(qd, qd->live, &e) < 0 ||
            (c->manager->system_mode && qemu_iftune_start(qd->live, &e) < 0))
                qemu_domain_start_fail(qd, &e);
        return VERB_PENDING;

fail_serials:
        qemu_tpm_stop(qd);
        free(tpm_sock);
        for (size_t i = 0; i < QEMU_SERIAL_LOGS_MAX; i++)
                if (serial_fds[i] >= 0)
                        close(serial_fds[i]);
fail_ports:
        qemu_display_release(qd);
fail_nics:
        qemu_nics_abandon(&nics);
        qemu_nics_close(&nics);
fail_monitor:
        qemu_disk_fdsets_free(&disk_fds);
        if (chan_fds.n) {
                qemu_channel_fds_close(&chan_fds);
                qemu_channels_remove(d, live);
        }
        if (mon_fd > 0) {
                close(mon_fd);
                unlink(mon);
        }
fail_security:
        qemu_security_stop(qc, live);
        domain_def_free(live);
        free(mon);
        free(logp);
        return -1;
}
