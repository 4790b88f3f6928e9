/* qemu-ops.c: the QEMU domain ops: lifecycle verbs as QMP commands or signals, the balloon, runtime information (stats: qemu-stats.c). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-persist.h"
#include "log.h"
#include "qemu-live.h"
#include "qemu-agent.h"

/* ---- verbs as QMP commands ---- */

static void on_op_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp || !qd->job)
                return;
        Domain *d = domain_ref(qd->domain);
        if (cls) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
                if (qd->phase == QEMU_PHASE_REBOOTING)
                        qemu_phase_enter(qd, QEMU_PHASE_RUNNING);       /* no reboot after all */
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
        qd->after_reply = after;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* VIR_DOMAIN_SHUTDOWN_GUEST_AGENT / VIR_DOMAIN_REBOOT_GUEST_AGENT; with no flag the agent when
 * it is connected, as libvirt does. */
#define QEMU_MODE_ACPI 1u
#define QEMU_MODE_AGENT 2u
static bool use_agent(Domain *d, unsigned flags) {
        return (flags & QEMU_MODE_AGENT) || (!(flags & QEMU_MODE_ACPI) && qemu_agent_connected(d->driver_data));
}

static int qemu_domain_shutdown(Domain *d, unsigned flags, Call *call, VbError *err) {
        if (use_agent(d, flags))
                return qemu_agent_shutdown(d, false, call, err);
        return qemu_domain_command(d, call, "system_powerdown", _DOMAIN_INPUT_MAX, err);
}

static int qemu_domain_reboot(Domain *d, unsigned flags, Call *call, VbError *err) {
        if (use_agent(d, flags))
                return qemu_agent_shutdown(d, true, call, err);
        int r = qemu_domain_command(d, call, "system_powerdown", _DOMAIN_INPUT_MAX, err);
        if (r >= 0)
                qemu_phase_enter(d->driver_data, QEMU_PHASE_REBOOTING);
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

static int qemu_domain_destroy(Domain *d, unsigned flags, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (qd && qd->phase == QEMU_PHASE_LOST)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "cannot destroy domain '%s': %s; it is looked for again", d->obj.name, qd->lost_why);
        if (!qd || !qd->proc || process_has_exited(qd->proc)) {
                domain_transition(d, DOMAIN_INPUT_DESTROYED);
                return 0;
        }
        int r = process_kill(qd->proc, SIGTERM);
        if (r < 0 && r != -ESRCH)
                return vb_error_errno(err, r, "kill QEMU");
        qemu_phase_enter(qd, QEMU_PHASE_DESTROYING);
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* CPU time from /proc/PID/stat (utime + stime); memory from the balloon's last report. */
static int qemu_domain_runtime(Domain *d, DomainRuntimeInfo *info, VbError *err) {
        QemuDomain *qd = d->driver_data;
        info->memory_kib = qd && qd->balloon_kib ? qd->balloon_kib : domain_current_def(d)->current_memory_kib;
        if (!qd || !qd->proc)
                return 0;
        if (qemu_cgroup_cpu_time(d, &info->cpu_time_ns) == 0)
                return 0;
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) process_pid(qd->proc));
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
        if (q != qd->qmp || !qd->job)
                return;
        Domain *d = domain_ref(qd->domain);
        VbError e = { 0 };
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "%s", desc ? desc : cls);
                qemu_domain_finish(qd, -1, &e);
        } else {
                /* The guest's balloon driver moves later (BALLOON_CHANGE); the target is what
                 * the running definition and GetInfo show meanwhile. */
                qd->balloon_kib = qd->balloon_target_kib;
                int r = 0;
                if (d->live) {
                        d->live->current_memory_kib = qd->balloon_target_kib;
                        r = domain_save_status(d, &e);
                }
                qemu_domain_finish(qd, r, r < 0 ? &e : NULL);
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
        qd->after_reply = _DOMAIN_INPUT_MAX;
        qd->balloon_target_kib = kib;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

const DomainOps qemu_domain_ops = {
        .set_memory = qemu_domain_set_memory,
        .set_interface_link = qemu_domain_set_interface_link,
        .set_graphics_password = qemu_domain_set_graphics_password,
        .attach_disk = qemu_domain_attach_disk,
        .detach_disk = qemu_domain_detach_disk,
        .disk_by_alias = qemu_disk_by_alias,
        .attach_interface = qemu_domain_attach_interface,
        .detach_interface = qemu_domain_detach_interface,
        .interface_by_alias = qemu_interface_by_alias,
        .prepare_device = qemu_domain_prepare_device,
        .attach_device = qemu_domain_attach_device,
        .detach_device = qemu_domain_detach_device,
        .check_detach = qemu_domain_check_detach,
        .device_by_alias = qemu_device_by_alias,
        .inject_nmi = qemu_domain_inject_nmi,
        .block_peek = qemu_domain_block_peek,
        .memory_peek = qemu_domain_memory_peek,
        .pm_wakeup = qemu_domain_pm_wakeup,
        .pm_suspend = qemu_domain_pm_suspend,
        .set_vcpus = qemu_domain_set_vcpus,
        .change_media = qemu_domain_change_media,
        .set_memtune = qemu_cgroup_set_memtune,
        .set_cputune = qemu_cgroup_set_cputune,
        .pin_vcpu = qemu_pin_vcpu,
        .pin_emulator = qemu_pin_emulator,
        .set_blkiotune = qemu_cgroup_set_blkiotune,
        .set_numatune = qemu_cgroup_set_numatune,
        .security_labels = qemu_security_labels,
        .get_stats = qemu_domain_get_stats,
        .start = qemu_domain_start,
        .shutdown = qemu_domain_shutdown,
        .reboot = qemu_domain_reboot,
        .reset = qemu_domain_reset,
        .suspend = qemu_domain_suspend,
        .resume = qemu_domain_resume,
        .destroy = qemu_domain_destroy,
        .get_runtime_info = qemu_domain_runtime,
        .open_console = qemu_domain_open_console,
        .open_channel = qemu_domain_open_channel,
        .screenshot = qemu_domain_screenshot,
        .send_key = qemu_domain_send_key,
        .open_graphics_fd = qemu_domain_open_graphics_fd,
        .open_graphics = qemu_domain_open_graphics,
        .undefine_check = qemu_domain_undefine_check,
        .undefined = qemu_domain_undefined,
        .save = qemu_domain_save,
        .restore = qemu_domain_restore,
        .managed_save_path = qemu_domain_managed_save_path,
        .core_dump = qemu_domain_core_dump,
        .dump_state = qemu_domain_dump_state,
        .rename = qemu_domain_rename,
        .forget = qemu_domain_forget,
        .fd_groups = true,
        .snapshot_create = qemu_snapshot_create,
        .snapshot_revert = qemu_snapshot_revert,
        .snapshot_delete = qemu_snapshot_delete,
        .checkpoint_create = qemu_checkpoint_create,
        .checkpoint_delete = qemu_checkpoint_delete,
        .backup_begin = qemu_backup_begin,
};
