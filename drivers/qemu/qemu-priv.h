/* qemu-priv.h: what the files of drivers/qemu offer each other, by file, above the shared state
 * (qemu-state.h). The driver's entry (qemu-driver.h) stands above them all. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "domain-info.h"
#include "qemu-command.h"
#include "qemu-find.h"
#include "qemu-state.h"

/* qemu-domain.c: the process, its phases and its monitor. */
/* The one writer of qd->phase. */
void qemu_phase_enter(QemuDomain *qd, QemuPhase next);
int qemu_domain_start(Domain *d, unsigned flags, Call *call, VbError *err);
void qemu_domain_forget(Domain *d);
/* Watch a QEMU found again after a restart (process_adopt with the domain's exit handler). */
int qemu_domain_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time, const char *log_path, VbError *err);
/* Let go of every QEMU without signalling it (the daemon is stopping). */
void qemu_domain_release_all(Connection *c);

/* qemu-security.c: the security stack of a connection. */
int qemu_security_init(QemuConn *qc, bool system);
void qemu_security_done(QemuConn *qc);
/* Does QEMU run as another user than the daemon's? */
bool qemu_security_confined(const QemuConn *qc);
/* Label def's files and fill creds; -1 with err (nothing left labelled) on failure. */
/* names: def's DAC label names looked up before (qemu-dac-names.c); NULL: none to look up. */
int qemu_security_start(QemuConn *qc, const DomainDef *def, const SecurityDacNames *names, ProcessCreds *creds,
                        VbError *err);
/* Add the DAC <seclabel> (user and image label) to the running definition. */
int qemu_security_live_label(QemuConn *qc, DomainDef *live);
/* A guest found running after a restart: its security drivers take back what it holds (its MCS pair). */
void qemu_security_reattach(QemuConn *qc, const DomainDef *live);
/* QEMU is gone: give def's files back. */
void qemu_security_stop(QemuConn *qc, const DomainDef *def);
/* virDomainGetSecurityLabelList: none, then DAC (qemu-security.c). */
#include "domain-seclabel.h"
int qemu_security_labels(Domain *d, DomainSecLabel *out, int max, VbError *err);
/* capabilities XML with the DAC <secmodel> added after the primary one (xml is taken). */
char *qemu_security_caps_secmodel(QemuConn *qc, char *xml);
/* virNodeGetSecurityModel: the stack's primary driver (HostOps.security_model). */
void qemu_security_model(const Connection *c, const char **model, const char **doi);
/* A unix socket bound at path (QEMU listens on it) for QEMU to inherit (fd >= 3), or -1 with err. */
int qemu_monitor_listen(const char *path, VbError *err);
/* The same for any socket QEMU listens on; what names it in the error ("monitor", "channel"). */
int qemu_socket_bind(const char *path, const char *what, VbError *err);

/* qemu-apparmor.c: where AppArmor runs, the guest's profile loaded before QEMU is spawned
 * (qemu_apparmor_load answers VERB_PENDING, then next as qemu_dac_names_begin's, names NULL;
 * the start's next spawns QEMU) and removed after. */
int qemu_apparmor_plan(QemuConn *qc, const DomainDef *def, ApparmorPlan *plan, VbError *err);
int qemu_apparmor_load(QemuDomain *qd, QemuNamesNext next, void *arg, Call *call, VbError *err);
void qemu_apparmor_unload(QemuConn *qc, const DomainDef *def);
/* qemu-dac-names.c: def's DAC label names looked up in a thread (NSS may block), then
 * next(d, names, arg, call, err) on the loop, with the call pending meanwhile; next owns arg
 * and answers as a verb (VERB_PENDING, 0, or -1 with err). 0: nothing to look up (go on at
 * once, arg still the caller's); VERB_PENDING; -1 with err (arg still the caller's). */
/* A start's answers, kept in qd->dac_names for the spawn (qemu-domain.c), freed. */
void qemu_domain_names_drop(QemuDomain *qd);
int qemu_dac_names_begin(QemuDomain *qd, const DomainDef *def, QemuNamesNext next, void (*drop)(void *arg), void *arg,
                         Call *call, VbError *err);
/* qemu-apparmor.c, a disk's hotplug into a guest AppArmor confines: its profile regenerated
 * with the disk (extra) and reloaded (apparmor_parser -r, a watched child) before QEMU is asked
 * to open it; then next as qemu_dac_names_begin's (names NULL). A parser that fails fails the
 * attach (the profile file written back as it was). 0: the guest is not confined (go on).
 * qemu_apparmor_refresh: the profile of d's running definition rewritten and reloaded (after
 * an unplug or a failed attach), a failure logged. */
int qemu_apparmor_hotplug(QemuDomain *qd, const DomainDisk *extra, QemuNamesNext next, void (*drop)(void *arg),
                          void *arg, Call *call, VbError *err);
void qemu_apparmor_refresh(QemuConn *qc, Domain *d);

/* qemu-machined.c: guests registered with systemd-machined where it is on the system bus
 * (looked for asynchronously at open); no-ops elsewhere. */
void qemu_machined_init(QemuConn *qc, bool system);
void qemu_machined_done(QemuConn *qc);
void qemu_machined_start(QemuDomain *qd);     /* the guest runs: RegisterMachineWithNetwork */
void qemu_machined_stop(QemuDomain *qd);      /* QEMU is gone: TerminateMachine */
/* qemu-nodedev-events.c: the host's node devices followed through kernel uevents (after the
 * connection is set up; a failure only logs: the listings stay right, the events are missing). */
void qemu_nodedev_events_init(QemuConn *qc);
void qemu_nodedev_events_done(QemuConn *qc);

/* qemu-cgroup.c: a cgroup per guest. */
void qemu_cgroup_init(QemuConn *qc, bool system);
int qemu_cgroup_start(QemuConn *qc, const char *name, const DomainDef *def, pid_t pid, VbError *err);
void qemu_cgroup_stop(QemuConn *qc, const char *name);
int qemu_cgroup_set_memtune(Domain *d, const DomainMemtune *m, VbError *err);
int qemu_cgroup_cpu_time(Domain *d, uint64_t *ns);
int qemu_cgroup_cpu_stat(Domain *d, uint64_t *total, uint64_t *user, uint64_t *system);

/* qemu-stats.c: the runtime part of virDomainListGetStats (DomainOps.get_stats). */
int qemu_domain_get_stats(Domain *d, DomainStats *st, Call *call, VbError *err);
/* A whole proc file, NUL-terminated (malloc'd; NULL on failure or beyond max bytes). */
char *qemu_read_all(const char *path, size_t max);
/* dev's line of /proc/net/dev's text: rx bytes, packets, errs, drop, tx bytes, packets, errs, drop. */
bool qemu_net_dev_counters(const char *text, const char *dev, uint64_t v[8]);

/* qemu-info.c: the QEMU connection's per-request domain information (Driver.info). */
extern const DomainInfoOps qemu_info_ops;
int qemu_cgroup_set_cputune(Domain *d, const DomainCputune *t, VbError *err);
/* The guest's group below the cgroup root: machine.slice/virtbus-qemu-NAME.scope. */
int qemu_cgroup_group(const char *name, char *buf, size_t len);
/* <numatune> (cpuset.mems) and <blkiotune> into the guest's group (at start and live). */
int qemu_cgroup_apply_numatune(const char *group, const DomainNumatune *nt, VbError *err);
int qemu_cgroup_apply_blkiotune(const char *group, const DomainBlkiotune *bt, VbError *err);
int qemu_cgroup_set_blkiotune(Domain *d, const DomainBlkiotune *t, VbError *err);
int qemu_cgroup_set_numatune(Domain *d, const DomainNumatune *t, VbError *err);

/* qemu-ns.c: qemu.conf namespaces = [ "mount" ]: the private /dev of one QEMU. */
/* Unset in qemu.conf: [ "mount" ] for the system daemon, none for the session. */
int qemu_ns_init(QemuConn *qc, bool system);
#include "process-ns.h"
#define QEMU_DEV_NODES_MAX 64
typedef struct QemuMountNs {
        ProcessMountNs ns;
        ProcessDevNode nodes[QEMU_DEV_NODES_MAX];
        char staging[512];
} QemuMountNs;
/* 1 with out filled (the host's nodes QEMU needs: null, zero, full, random, urandom, ptmx,
 * kvm and net/tun where present, the definition's block disks), 0 when qemu.conf asks for no
 * mount namespace, -1 with err. */
int qemu_ns_prepare(QemuConn *qc, Connection *c, const DomainDef *def, QemuMountNs *out, VbError *err);


/* qemu-pin.c: vCPU and emulator threads (query-cpus-fast, after the IOThreads'). placed NULL:
 * only learn them (a QEMU found again); else (STARTING) put them in their cgroups and pin them,
 * then the start goes on with placed, or is given up when they cannot be placed. */
int qemu_threads_query(QemuDomain *qd, Qmp *q, QemuStartNext placed);
int qemu_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
int qemu_pin_emulator(Domain *d, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
/* ... and their reports (qemu_info_ops in qemu-info.c). */
int qemu_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err);
int qemu_vcpu_pin_info(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err);
int qemu_emulator_pin_info(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err);
/* qemu-iothread-tids.c: the IOThreads' threads (query-iothreads, its answer kept; the id's
 * thread or 0; is tid one of them; forgotten when QEMU is gone). */
int qemu_iothreads_query(QemuDomain *qd, Qmp *q);
void qemu_iothreads_set(QemuDomain *qd, json_object *ret);
pid_t qemu_iothread_tid(const QemuDomain *qd, unsigned id);
bool qemu_is_iothread(const QemuDomain *qd, pid_t tid);
void qemu_iothreads_forget(QemuDomain *qd);
/* qemu-ksm.c: virNodeSetMemoryParameters (KSM's files, written off the loop). */
int qemu_node_set_memory_parameters(Connection *c, const bool set[3], const unsigned v[3], Call *call, VbError *err);
/* qemu-threshold.c: virDomainSetBlockThreshold and QEMU's BLOCK_WRITE_THRESHOLD event. */
int qemu_set_block_threshold(Domain *d, size_t index, uint64_t threshold, Call *call, VbError *err);
void qemu_threshold_event(QemuDomain *qd, json_object *data);
/* qemu-events.c: RTC_CHANGE, WATCHDOG, BLOCK_IO_ERROR, DEVICE_TRAY_MOVED,
 * MIGRATION_PASS, VNC_* and SPICE_* as domain events; false for any other event. */
bool qemu_guest_event(QemuDomain *qd, const char *event, json_object *data);
/* qemu-startup-policy.c: the disks of live whose <source startupPolicy> meets a missing source:
 * the start fails (mandatory; requisite unless incoming) or the source, or the whole disk, is
 * dropped from live with a DISK_CHANGE event. */
int qemu_disks_startup_policy(Domain *d, DomainDef *live, bool incoming, VbError *err);
/* qemu-iftune.c: a NIC's bandwidth on its tap (lib/tc.c): virDomainSetInterfaceParameters' op, the
 * running definition's at start (-1: the start fails), the IFB devices removed when the guest ends. */
typedef struct DomainBandwidthRate DomainBandwidthRate;
int qemu_set_interface_bandwidth(Domain *d, size_t index, const DomainBandwidthRate *in,
                                 const DomainBandwidthRate *out, Call *call, VbError *err);
int qemu_iftune_start(const DomainDef *live, VbError *err);
void qemu_iftune_release(const DomainDef *live);
/* qemu-iothread.c: IOThreads added and removed, their polling values (the calls of qemu_tune_ops). */
struct DomainIothreadParams;
int qemu_add_iothread(Domain *d, unsigned id, Call *call, VbError *err);
int qemu_del_iothread(Domain *d, unsigned id, Call *call, VbError *err);
int qemu_set_iothread_params(Domain *d, unsigned id, const struct DomainIothreadParams *p, Call *call, VbError *err);
/* qemu-pin.c: IOThread id's thread into its cgroup (GROUP/iothreadN) with its pin (cpuset, or
 * its <iothreadpin>, else <vcpu cpuset>); group NULL: the guest's. Live pinning. */
int qemu_iothread_place(QemuDomain *qd, unsigned id, const char *cpuset, VbError *err);
int qemu_pin_iothread(Domain *d, unsigned id, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);

/* qemu-ops.c */
extern const DomainOps qemu_domain_ops;

/* qemu-channel.c: QEMU is gone: the sockets of live's unix channels the daemon named
 * (qemu_channel_default_path()) go too; a killed QEMU leaves them behind. */
void qemu_channels_remove(Domain *d, const DomainDef *live);
/* qemu-channel-listen.c: for a QEMU running as another user (which cannot create a socket in
 * the daemon's state directory), the daemon binds the sockets of live's unix channels without
 * <source path> at their default paths (0600, the daemon's) and QEMU inherits them. */
#define QEMU_CHANNEL_FDS_MAX 32
typedef struct QemuChannelFds {
        int *fds;       /* fds[i]: channel i's bound socket, or -1 */
        size_t n;       /* = live's channels (0: none bound) */
} QemuChannelFds;
int qemu_channels_listen(Domain *d, const DomainDef *live, QemuChannelFds *out, VbError *err);
/* Append the bound sockets to keep (at most max); returns how many. */
size_t qemu_channel_fds_keep(const QemuChannelFds *f, int *keep, size_t max);
/* Close the daemon's copies (QEMU holds its own once spawned) and free. */
void qemu_channel_fds_close(QemuChannelFds *f);
/* One channel's socket at path: unlinked first, bound, 0600; fd >= 3, or -1 with err. */
int qemu_channel_bind(const char *path, VbError *err);
/* qemu-nwfilter.c: before a starting guest runs, are its NICs' filter rules still loading?
 * true: the start goes on with next once they are loaded, or is given up when they cannot be
 * (as libvirt, a guest does not run without its filters). */
bool qemu_nics_filters_wait(QemuDomain *qd, Qmp *q, QemuStartNext next);

/* qemu-save.c: virDomainSave and restore through QEMU's migration stream. */
int qemu_domain_save(Domain *d, int fd, const char *path, Call *call, VbError *err);
/* DomainOps.dump_state: the same stream into a dump; the guest goes on afterwards. */
int qemu_domain_dump_state(Domain *d, int fd, const char *path, unsigned flags, Call *call, VbError *err);
int qemu_domain_restore(Domain *d, DomainDef *live, int fd, bool paused, const char *remove_path, Call *call,
                        VbError *err);
char *qemu_domain_managed_save_path(Domain *d);
/* An external snapshot's memory: the save image's stream into fd (its header written), QEMU
 * kept. live: the CPUs run while it streams. then runs once, perhaps before this returns:
 * err NULL, the image is whole and the guest stopped; else the image is gone and the guest
 * goes on as it was. -1 (then never runs) when the stream could not begin. */
typedef void (*QemuSaveThen)(QemuDomain *qd, const VbError *err, void *data);
int qemu_domain_save_memory(Domain *d, int fd, const char *path, bool live, QemuSaveThen then, void *data,
                            VbError *err);
/* qemu-save-state.c: the save reached the image (the exit that follows is its end, not a
 * failure); the save is over: an image that is not whole is removed. */
bool qemu_save_done(const QemuDomain *qd);
void qemu_save_free(QemuDomain *qd);
/* virDomainGetJobStats / AbortJob of the save in flight (none: type 0 / "no job is active"). */
struct DomainJobStats;
int qemu_save_job_stats(const QemuDomain *qd, struct DomainJobStats *out);
int qemu_save_abort(QemuDomain *qd, VbError *err);
/* qemu-dump.c: virDomainCoreDumpWithFormat --memory-only; QEMU's DUMP_COMPLETED; the dump in
 * flight dropped (failed: its file removed) when QEMU goes. */
int qemu_domain_core_dump(Domain *d, int fd, const char *path, unsigned format, unsigned flags, Call *call,
                          VbError *err);
void qemu_dump_event(QemuDomain *qd, json_object *data);
void qemu_dump_free(QemuDomain *qd, bool failed);
/* qemu-rename.c: DomainOps.rename (the NVRAM named after the domain). */
int qemu_domain_rename(Domain *d, const char *from, const char *to, DomainDef *def, VbError *err);
/* qemu-incoming.c: a start from a stream (QemuDomain.incoming). From a save image: wait until
 * QEMU has loaded it; for a migration (incoming_uri): tell QEMU where to listen; then the start
 * goes on with next, or is given up. */
void qemu_incoming_wait(QemuDomain *qd, Qmp *q, QemuStartNext next);
void qemu_incoming_listen(QemuDomain *qd, Qmp *q, QemuStartNext next);
/* The start from a stream has been reported (or has failed): its fields go (a managed image
 * too, once restored). */
void qemu_incoming_done(QemuDomain *qd, bool restored);
/* query-migrate's answer: its "status" (NULL: none) and *error_desc. */
const char *qemu_migration_status(json_object *ret, const char **error_desc);
/* How often query-migrate is asked while a save's or a restore's stream moves. */
#define QEMU_STREAM_POLL_USEC (20 * 1000ULL)
/* qemu-migrate-params.c: QEMU ends (qd->migration is forgotten): after a completed outgoing
 * migration not cancelled, that is DOMAIN_INPUT_MIGRATED, else input. */
DomainInput qemu_migrate_exit_input(QemuDomain *qd, DomainInput input);

/* qemu-console.c: virDomainOpenConsole. */
int qemu_domain_open_console(Domain *d, const char *dev_name, unsigned flags, Stream *out, Stream *in,
                             VbError *err);
/* qemu-chr-stream.c: the console's client closed, its session ended (why NULL: an end). */
void qemu_console_close(QemuDomain *qd, const VbError *why);
/* A chardev's fd (taken: closed on failure too) between out and in, as the client in *slot;
 * one there already is told it was taken over. */
int qemu_chr_stream_attach(QemuDomain *qd, int fd, QemuConsole **slot, Stream *out, Stream *in, VbError *err);
void qemu_chr_stream_close(QemuConsole *cc, const VbError *why);
/* qemu-channel.c: virDomainOpenChannel on a pty or unix <channel>; the clients end with the domain. */
int qemu_domain_open_channel(Domain *d, const char *name, unsigned flags, Stream *out, Stream *in, VbError *err);
void qemu_channels_close(QemuDomain *qd, const VbError *why);
/* virDomainOpenConsole on a pty <channel> named by its alias (libvirt's `virsh console
 * --devname channel0`), sharing the channel's one client. */
int qemu_channel_open_console(Domain *d, const char *alias, unsigned flags, Stream *out, Stream *in, VbError *err);
/* qemu-screenshot.c: virDomainScreenshot through QMP screendump (PNG). */
int qemu_domain_screenshot(Domain *d, unsigned screen, Stream *st, char **mime, VbError *err);

/* Define-time settling of a definition (qemu-define.c): the versioned machine type. */
int qemu_domain_post_parse(Connection *c, DomainDef *def, VbError *err);
/* Undefine and the guest's NVRAM (qemu-define.c). */
int qemu_domain_undefine_check(Domain *d, unsigned flags, VbError *err);
void qemu_domain_undefined(Domain *d, const DomainDef *def, unsigned flags);

/* LOST: the delays between two looks for its QEMU (qemu-recover.c's, on the phase's timer). */
#define QEMU_RECOVER_RETRY_MIN_USEC (2 * 1000000ULL)
#define QEMU_RECOVER_RETRY_MAX_USEC (60 * 1000000ULL)
/* qemu-runtime.c: the runtime record beside the core's status file, the monitor's path. */
typedef struct QemuRuntime {
        pid_t pid;
        uint64_t start_time;
        char *monitor;
        pid_t swtpm_pid;                /* its swtpm (qemu-tpm.c); 0: none */
        uint64_t swtpm_start_time;
} QemuRuntime;
int qemu_runtime_save(QemuDomain *qd, VbError *err);
/* 0 with *rt (qemu_runtime_clear() it), -ENOENT without a record, -EBADMSG for one that does
 * not read as ours, or another negative errno; why says what. */
int qemu_runtime_read(Connection *c, const char *name, QemuRuntime *rt, char *why, size_t whylen);
void qemu_runtime_clear(QemuRuntime *rt);
/* Is a QEMU of d alive? Its runtime record (a live process with the recorded start time),
 * else qemu_find_running(). 1 found, 0 none, -1 cannot tell (out->why). */
int qemu_domain_find(Domain *d, QemuFound *out);
void qemu_runtime_remove(Connection *c, const char *name);
int qemu_monitor_path(Connection *c, const char *name, char **out);
/* qemu-recover.c: every QEMU found again after a restart (a lost one looked for again later). */
int qemu_recover_all(QemuConn *qc);

/* qemu-cpu.c: virConnectCompareCPU (libvirt's result: 0 incompatible, 1 identical, 2
 * superset; -1 with err) and virConnectBaselineCPU against QEMU's CPU models (HostOps). */
#define QEMU_BASELINE_EXPAND_FEATURES 1u
int qemu_compare_cpu(Connection *c, const char *xml, unsigned flags, VbError *err);
char *qemu_baseline_cpu(Connection *c, const char *const *xmls, size_t n, unsigned flags, VbError *err);
/* The same against the CPU the hypervisor provides (HostOps.compare_hypervisor_cpu). */
int qemu_compare_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags,
                                VbError *err);
char *qemu_baseline_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                   unsigned flags, VbError *err);

/* qemu-sysinfo.c: virConnectGetSysinfo from the host's DMI (HostOps). */
char *qemu_sysinfo(Connection *c, VbError *err);

/* qemu-host.c: node statistics from /proc and /sys (HostOps). */
int qemu_node_memory_stats(Connection *c, int cell, uint64_t out[4], VbError *err);
int qemu_node_memory_parameters(Connection *c, uint64_t out[8], VbError *err);
int qemu_node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells,
                         uint64_t *counts, VbError *err);
int qemu_node_cpu_stats(Connection *c, int cpu, uint64_t out[4], VbError *err);
int qemu_node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err);
int qemu_node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err);
extern const struct HostIfaceOps qemu_iface_ops;
extern const struct NodeDevOps qemu_nodedev_ops;
/* qemu-nic-link.c: a running NIC's link (DomainOps.set_interface_link), and the links written
 * down in the definition set so before the guest runs. */
int qemu_domain_set_interface_link(Domain *d, size_t index, bool up, Call *call, VbError *err);
/* qemu-graphics-password.c: a running display's password and expiry (DomainOps.set_graphics_password),
 * and expire_password's arguments for passwdValidTo (NULL: never). */
int qemu_domain_set_graphics_password(Domain *d, size_t index, const char *passwd, const char *valid_to,
                                      Call *call, VbError *err);
json_object *qemu_expire_password_args(const char *protocol, const char *valid_to);
void qemu_nics_start_links(QemuDomain *qd, Qmp *q);
/* qemu-iotune.c: block_set_io_throttle's arguments for disk (its device alias) with the limits t, and STARTING: each disk's
 * <iotune> sent before the guest runs (a refusal fails the start). */
typedef struct DomainDiskIotune DomainDiskIotune;
json_object *qemu_iotune_args(const DomainDisk *disk, const char *alias, const DomainDiskIotune *t);
void qemu_iotune_start(QemuDomain *qd, Qmp *q);
/* qemu-info.c: per-request information (a NIC's counters). */
extern const struct DomainInfoOps qemu_info_ops;
extern const struct DomainTuneOps qemu_tune_ops;      /* qemu-tune.c */

/* qemu-perf.c: perf events. Counters for live's enabled events on QEMU's threads (at spawn and
 * when found again after a restart); all closed when QEMU is gone. The ops of qemu_tune_ops. */
int qemu_perf_start(QemuDomain *qd, const DomainDef *live, VbError *err);
void qemu_perf_stop(QemuDomain *qd);
int qemu_set_perf_events(Domain *d, const bool *on, VbError *err);
void qemu_read_perf_events(Domain *d, uint32_t *open, uint64_t *counts);
/* qemu-blockjob.c: block jobs; QEMU's BLOCK_JOB_* events; forget a domain's jobs when its QEMU goes. */
extern const struct DomainBlockJobOps qemu_blockjob_ops;
void qemu_blockjob_event(QemuDomain *qd, const char *event, json_object *data);
void qemu_blockjob_release(Domain *d);
/* A job QEMU runs for disk alias, found after a restart: kind (DOMAIN_BLOCK_JOB_TYPE_*, < 0:
 * from QEMU's type) and the pivot's target from the record. 0, or -1 when alias is no disk. */
int qemu_blockjob_adopt(Domain *d, const char *alias, const char *qemu_type, int kind, const char *new_top,
                        const char *new_format, bool ready);
/* The daemon's own active commit of disk index into base (an image of its chain), pivoted when
 * ready: VERB_PENDING, call answered once the disk writes to base (or the job failed). */
int qemu_blockjob_commit_pivot(Domain *d, size_t index, const char *base, Call *call, VbError *err);
/* The record of d's jobs, written again (qemu-blockjob-record.c). */
void qemu_blockjob_record_save(Domain *d);
/* qemu-blockjob-record.c: the jobs' record across a daemon restart. */
typedef struct QemuBlockJobRecord {
        const char *alias;
        int type;               /* DOMAIN_BLOCK_JOB_TYPE_*, -1 when not recorded */
        const char *new_top, *new_format;
} QemuBlockJobRecord;
void qemu_blockjob_record_write(Domain *d, const QemuBlockJobRecord *recs, size_t n);
void qemu_blockjob_record_remove(Domain *d);
/* The record as the daemon finds it at a restart in *rec (json_object_put it; NULL: none, or
 * unreadable), or -1 when d's name can have no record. */
int qemu_blockjob_record_read(Domain *d, json_object **rec);
/* What rec (may be NULL) kept of alias's job; its strings live as long as rec. */
QemuBlockJobRecord qemu_blockjob_record_find(json_object *rec, const char *alias);
size_t qemu_blockjob_record_count(json_object *rec);
/* qemu-blockjob-recover.c: the jobs QEMU still runs, taken over after a restart. */
void qemu_blockjob_recover(QemuDomain *qd);

/* qemu-display.c: the automatic ports of a guest's displays, and its graphics verbs. */
enum { QEMU_PORT_VNC, QEMU_PORT_SPICE, QEMU_PORT_WEBSOCKET };
/* Reserve the automatic ports live's <graphics> need into qd->display_ports. */
int qemu_display_reserve(QemuDomain *qd, const DomainDef *live, VbError *err);
/* After a restart: hold again the ports the live definition of a running guest shows. */
void qemu_display_hold_live(QemuDomain *qd, const DomainDef *live);
/* STARTING: the <graphics passwd> of the running definition through QMP set_password (a
 * refusal fails the start). */
void qemu_display_set_passwords(QemuDomain *qd, Qmp *q);
/* The listen address of each display into the running definition (qemu.conf's by default). */
void qemu_display_live_listen(QemuConn *qc, DomainDef *live);
/* QEMU is gone (or never came): its ports are free for the next guest. */
void qemu_display_release(QemuDomain *qd);

/* qemu-graphics-fd.c: virDomainOpenGraphicsFD (QMP getfd + add_client). */
int qemu_domain_open_graphics_fd(Domain *d, unsigned idx, unsigned flags, Call *call, VbError *err);
/* virDomainOpenGraphics: QEMU takes the caller's socket fd (taken in every case). */
int qemu_domain_open_graphics(Domain *d, unsigned idx, int fd, unsigned flags, Call *call, VbError *err);
/* qemu-logs.c: QEMU's stdout/stderr through a pipe (*write_fd, the daemon closes it once QEMU
 * has it) to virtbus-qemu-log, which appends to log_path, rotates it (qemu.conf max_size,
 * max_backups) and outlives the daemon; gone(qd) runs when that writer has ended (NULL: none). */
int qemu_logs_start(QemuDomain *qd, const char *log_path, void (*gone)(QemuDomain *qd), int *write_fd, VbError *err);
/* The same for the first QEMU_SERIAL_LOGS_MAX <serial type='file'> of live: fds[i] the write
 * end for serial i, -1 for the others (the caller closes them once QEMU has them). */
int qemu_logs_serials(QemuDomain *qd, const DomainDef *live, int *fds, size_t n, VbError *err);

/* qemu-fdgroup.c: for each disk of live with <source fdgroup='NAME'>, the descriptors d keeps
 * under NAME (the core's, not duplicated: QEMU inherits them), sets[i] for disk i. A group not
 * associated: libvirt's "file descriptor group 'NAME' was not associated with the domain". */
#define QEMU_DISK_FDS_MAX 64
typedef struct QemuDiskFdsets {
        QemuDiskFdset *sets;
        size_t n, n_fds;
} QemuDiskFdsets;
int qemu_disk_fdsets_prepare(Domain *d, const DomainDef *live, QemuDiskFdsets *out, VbError *err);
/* Their descriptors into keep (at most room); returns how many. */
size_t qemu_disk_fdsets_keep(const QemuDiskFdsets *s, int *keep, size_t room);
void qemu_disk_fdsets_free(QemuDiskFdsets *s);
/* Stop watching every writer (they end by themselves with QEMU's output). */
void qemu_logs_release(QemuDomain *qd);
/* qemu-keys.c: virDomainSendKey through QMP send-key. */
int qemu_domain_send_key(Domain *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                         Call *call, VbError *err);
/* qemu-hotplug.c: disks attached and detached live (DomainOps.attach_disk/detach_disk), the
 * DEVICE_DELETED / DEVICE_UNPLUG_GUEST_ERROR events, and the pending removal dropped when QEMU
 * is gone. */
int qemu_domain_attach_disk(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_domain_detach_disk(Domain *d, size_t index, Call *call, VbError *err);
long qemu_disk_by_alias(const DomainDef *def, const char *alias);
int qemu_domain_change_media(Domain *d, size_t index, const char *path, const char *format, Call *call, VbError *err);
void qemu_hotplug_event(QemuDomain *qd, const char *event, json_object *data);
void qemu_unplug_forget(QemuDomain *qd);

/* qemu-snapshot-ops.c: DomainOps.snapshot_* (routed to the files below); qemu-snapshot.c: internal snapshots. */
int qemu_snapshot_create(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err);
int qemu_snapshot_revert(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err);
int qemu_snapshot_delete(Domain *d, const SnapshotDef *def, Call *call, VbError *err);
void qemu_snapshot_job_event(QemuDomain *qd, json_object *data);
void qemu_snapshot_release(Domain *d);
/* A shut-off domain's disks to an internal snapshot (qemu-img snapshot -a); 0 or VERB_PENDING. */
int qemu_snapshot_disks_revert(Domain *d, const SnapshotDef *def, Call *call, VbError *err);
/* What the ops route here: an internal snapshot created, reverted to (after: the QMP command
 * that then sets the wanted state, or NULL) or deleted, by QMP jobs on a running guest, by
 * qemu-img per qcow2 disk on a stopped one; a stopped guest's disk-only snapshot (overlays by
 * qemu-img create); how many of def's disks are external. */
typedef enum QemuSnapshotOp { QEMU_SNAPSHOT_CREATE, QEMU_SNAPSHOT_REVERT, QEMU_SNAPSHOT_DELETE } QemuSnapshotOp;
int qemu_snapshot_internal(Domain *d, QemuSnapshotOp op, const SnapshotDef *def, const char *after, Call *call,
                           VbError *err);
int qemu_snapshot_offline_overlays(Domain *d, const SnapshotDef *def, bool reuse, Call *call, VbError *err);
size_t qemu_snapshot_count_external(const SnapshotDef *def);
/* qemu-snapshot-delete.c: a shut-off domain's external snapshot merged into the image below. */
int qemu_snapshot_delete_external(Domain *d, const SnapshotDef *def, Call *call, VbError *err);
/* qemu-snapshot-state.c: a revert between a running and a shut-off state. */
int qemu_snapshot_revert_across(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err);
/* qemu-snapshot-live.c: a running guest's external disks (overlays, one transaction of
 * blockdev-snapshot); reuse: REUSE_EXT, the overlay files are the user's. _check: the same
 * refusals, nothing done. */
int qemu_snapshot_live_overlays(Domain *d, const SnapshotDef *snap, bool reuse, Call *call, VbError *err);
int qemu_snapshot_live_check(Domain *d, const SnapshotDef *snap, bool reuse, VbError *err);
/* libvirt's checks of an overlay's path: missing with reuse, not a file, a non-empty file
 * without reuse; *existed: the file is there. 0 or -1. */
int qemu_snapshot_check_target(const char *disk, const char *path, bool reuse, bool *existed, VbError *err);
/* qemu-snapshot-ext.c: a running guest's external snapshot (quiesce, memory, disks, resume). */
int qemu_snapshot_external_active(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err);
/* --halt of a running guest's snapshot: taken, then the guest destroyed (STOPPED, FROM_SNAPSHOT). */
int qemu_snapshot_create_halt(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err);
/* qemu-checkpoint.c: checkpoint bitmaps (DomainOps.checkpoint_*). */
int qemu_checkpoint_create(Domain *d, const CheckpointDef *def, Call *call, VbError *err);
int qemu_checkpoint_delete(Domain *d, const CheckpointDef *def, Call *call, VbError *err);
/* qemu-backup.c: push backups (DomainOps.backup_begin); their job for domjobinfo and domjobabort. */
int qemu_backup_begin(Domain *d, BackupDef *def, const CheckpointDef *chk, Call *call, VbError *err);
int qemu_backup_job_stats(Domain *d, struct DomainJobStats *out);
int qemu_backup_abort(Domain *d, VbError *err);
/* What the driver does once the guest let device alias go (target: what a message names). */
typedef void (*QemuUnplugDone)(QemuDomain *qd, const char *alias, const char *target);
/* device_del of alias, then up to 5 s for DEVICE_DELETED (done runs when it comes, also
 * after the call answered); VERB_PENDING, or -1 with err. One removal at a time. */
int qemu_unplug_begin(QemuDomain *qd, const char *alias, const char *what, const char *target, QemuUnplugDone done,
                      Call *call, VbError *err);
/* The same, for a kind whose end may take over the waiting call: end(qd, alias, target, finish)
 * with finish the QemuDomain whose call waits (NULL: none waits); true: end answers it. */
typedef bool (*QemuUnplugHandover)(QemuDomain *qd, const char *alias, const char *target, QemuDomain *finish);
int qemu_unplug_begin_handover(QemuDomain *qd, const char *alias, const char *what, const char *target,
                               QemuUnplugHandover end, Call *call, VbError *err);
/* qemu-unplug.c too: a device joined d->live as alias: the status file saved, device-added sent. */
void qemu_hotplug_added(Domain *d, const char *alias);
/* qemu-hotplug-pci.c: the place of a PCI device plugged into a running guest: q35, slot 0 of
 * the first empty pcie-root-port; i440fx, the lowest free slot of bus 0 (not the video's).
 * false when there is none. Its <address> (libvirt's form) for the live XML; -1: no memory. */
typedef struct QemuHotplugPci {
        bool set;
        char bus[32], addr[8];          /* device_add's bus and addr */
        unsigned index, slot;           /* the XML's bus (the controller index) and slot */
} QemuHotplugPci;
bool qemu_hotplug_pci_place(json_object *ret, bool q35, QemuHotplugPci *p);
struct DomainAddress;
int qemu_hotplug_pci_write(struct DomainAddress *a, const QemuHotplugPci *p);
/* "cannot attach WHAT: no free pcie-root-port (…)" / "… no free PCI slot"; -1. */
int qemu_hotplug_pci_none(VbError *err, bool q35, const char *what);
/* The id ("pci.N") of the first pcie-root-port of query-pci's answer with no device behind it. */
bool qemu_hotplug_free_root_port(json_object *ret, char *out, size_t len);
/* qemu-hotplug-nic.c: NICs attached and detached live (DomainOps.attach_interface /
 * detach_interface); the QEMU device id of interface i of def (its <alias>, else net<i> as
 * the command line names it). */
int qemu_domain_attach_interface(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_domain_detach_interface(Domain *d, size_t index, Call *call, VbError *err);
long qemu_interface_by_alias(const DomainDef *def, const char *alias);
void qemu_nic_alias(const DomainDef *def, size_t i, char *buf, size_t len);
/* qemu-live-calls.c: virDomainInjectNMI (QMP inject-nmi). */
int qemu_domain_inject_nmi(Domain *d, Call *call, VbError *err);
/* qemu-peek.c: DomainOps.block_peek and .memory_peek. */
int qemu_domain_block_peek(Domain *d, const DomainDef *def, size_t index, const char *name, uint64_t offset,
                           size_t size, Call *call, VbError *err);
int qemu_domain_memory_peek(Domain *d, uint64_t start, size_t size, bool physical, uint8_t *out, Call *call,
                            VbError *err);
/* qemu-pm.c: DomainOps.pm_wakeup and .pm_suspend; QEMU's SUSPEND and WAKEUP events. */
int qemu_domain_pm_wakeup(Domain *d, Call *call, VbError *err);
int qemu_domain_pm_suspend(Domain *d, unsigned target, Call *call, VbError *err);
void qemu_pm_event(QemuDomain *qd, const char *event);
/* qemu-hotplug-dev.c: DomainOps.prepare_device / attach_device / detach_device, by kind. */
int qemu_domain_prepare_device(const DomainDef *def, DomainDevices *dev, VbError *err);
int qemu_domain_attach_device(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_domain_detach_device(Domain *d, const char *kind, size_t index, Call *call, VbError *err);
int qemu_domain_check_detach(const DomainDef *def, const char *kind, size_t index, VbError *err);
/* The index of def's USB input or hub, controller, channel or DIMM whose QEMU id is alias
 * (its kind in *kind), or -1. */
long qemu_device_by_alias(const DomainDef *def, const char *alias, const char **kind);
/* qemu-hotplug-ctrl.c: virtio-scsi and virtio-serial controllers: an index (the lowest free of
 * its type when the XML gave none; "target scsi:1 already exists"), device_add, device_del of
 * controller index of d->live; check_detach: "device cannot be detached: device is busy". */
int qemu_ctrl_prepare(const DomainDef *def, DomainDevices *dev, VbError *err);
int qemu_ctrl_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_ctrl_detach(Domain *d, size_t index, Call *call, VbError *err);
int qemu_ctrl_check_detach(const DomainDef *def, size_t index, VbError *err);
/* Controller idx of type is in def: written, or added by the command line for devices that
 * need it (virtio-serial 0 for virtio channels and consoles, scsi 0 for SCSI disks). */
bool qemu_ctrl_index_used(const DomainDef *def, const char *type, long long idx);
/* A controller that can be hotplugged (scsi, virtio-serial) and its QEMU id (scsiN, …). */
struct DomainController;
bool qemu_ctrl_hotpluggable(const struct DomainController *c);
void qemu_ctrl_id(const struct DomainController *c, char *buf, size_t len);
/* qemu-hotplug-chan.c: virtio channels: a target name def has not (prepare), chardev-add and
 * device_add virtserialport (a virtio-serial controller first when the guest has none),
 * device_del of channel index of d->live then chardev-remove and the daemon-named socket gone. */
int qemu_chan_prepare(const DomainDef *def, DomainDevices *dev, VbError *err);
/* QEMU's id of channel i of def: its alias (the driver's channelN, a user's ua-), else
 * channel<i> (qemu-alias.c's rule, the command line's). */
void qemu_chan_id(const DomainDef *def, size_t i, char *buf, size_t len);
int qemu_chan_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_chan_detach(Domain *d, size_t index, Call *call, VbError *err);
/* A guest found again after a restart: a channel whose user ua- alias QEMU does not know as a
 * device but whose channel<i> it does (an older virtbusd started it: its command line said
 * id=channel<i>) takes that id as its alias, so a detach and the agent name what QEMU has. Asks
 * QEMU (qom-list) on q, before anything else is sent on it; nothing when no channel has a ua-. */
void qemu_chan_reconnected(QemuDomain *qd, Qmp *q);
/* qemu-hotplug-mem.c: DIMMs: a slot of <maxMemory> and libvirt's refusals (prepare),
 * object-add memory-backend-ram memdimmN + device_add pc-dimm dimmN, device_del of DIMM index
 * of d->live then object-del; the live <memory>/<currentMemory> follow. */
int qemu_mem_prepare(const DomainDef *def, DomainDevices *dev, VbError *err);
int qemu_mem_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_mem_detach(Domain *d, size_t index, Call *call, VbError *err);
/* qemu-hotplug-usb.c: USB inputs and hubs: a port of bus 0 in def for dev's one element (the
 * one its <address> names when free), device_add of it, device_del of element index of kind. */
int qemu_usb_prepare(const DomainDef *def, DomainDevices *dev, VbError *err);
int qemu_usb_attach(Domain *d, DomainDevices *dev, Call *call, VbError *err);
int qemu_usb_detach(Domain *d, const char *kind, size_t index, Call *call, VbError *err);
/* qemu-vcpus.c: setvcpus --live (query-hotpluggable-cpus, device_add / device_del vcpuN). */
int qemu_domain_set_vcpus(Domain *d, unsigned n, Call *call, VbError *err);
