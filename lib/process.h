/* process.h: a program (QEMU, dnsmasq, qemu-img …) as a direct child of the daemon, watched through a pidfd; or a survivor found again after a restart. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "error.h"

typedef struct Process Process;

/* What a program is called in messages and where its errors come from: { "QEMU",
 * VB_FROM_QEMU } gives libvirt's "Cannot find QEMU binary …". */
typedef struct ProcessProgram {
        const char *name;
        int error_from;         /* VbErrorFrom */
} ProcessProgram;

/* The process ended and was reaped. si is waitid()'s answer (si_code CLD_EXITED with
 * si_status the exit code, or CLD_KILLED/CLD_DUMPED with the signal), or, for an adopted
 * process that is not our child, si_code 0: it ended, status unknown. p stays valid until
 * process_free(), which the callback may call. */
typedef void (*ProcessExitedFn)(Process *p, const siginfo_t *si, void *userdata);

/* Start argv[0] (an absolute path, or a name found in /usr/bin:/bin) with a clean environment
 * (PATH=/usr/bin:/bin, LC_ALL=C, HOME=/), stdin from /dev/null, stdout and stderr appended
 * to log_path (created mode 0600; a header line with the command goes first), as a session
 * leader (a signal to the daemon's process group or terminal does not reach it: it outlives
 * the daemon), with the descriptors in keep_fds (each >= 3) inherited and every other one
 * closed. Its exit is seen at once through a pidfd on e. Returns 0, or -1 with err set
 * (libvirt's "Cannot find QEMU binary …", with prog's name, when argv[0] is not there). An exec that fails in
 * the child is written to the log and reported as exit status 127. */
int process_spawn(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path, const int *keep_fds,
                       size_t n_keep_fds, ProcessExitedFn exited, void *userdata, Process **out,
                       VbError *err);

/* Who the program runs as: set in the child between clone and exec, with raw system calls
 * (the values are computed in the parent: no name lookups in the child). The supplementary
 * groups become groups[], then the gid, then the uid (real, effective and saved); every
 * capability is dropped from the bounding set first (no setuid binary can give any back)
 * and, once the uid is not 0, the inheritable and ambient sets are emptied as well (the
 * kernel empties the permitted and effective sets itself). The daemon keeps its own. */
typedef struct ProcessMountNs ProcessMountNs;
typedef struct ProcessCreds {
        uid_t uid;
        gid_t gid;
        const gid_t *groups;
        size_t n_groups;        /* at most PROCESS_MAX_GROUPS */
        bool keep_ids;          /* run as the daemon's user: only mount_ns applies */
        const ProcessMountNs *mount_ns; /* NULL: the daemon's mount namespace (process-ns.c) */
        /* An LSM's exec context, written to exec_attr before the ids change (SELinux's
         * setexeccon: "/proc/thread-self/attr/exec" and a context; AppArmor's
         * aa_change_onexec: "/proc/thread-self/attr/apparmor/exec" and "exec PROFILE").
         * NULL: none. A child that cannot write it never runs the program. */
        const char *exec_attr;
        const char *exec_label;
        /* A helper with no life of its own (the capabilities probe): killed with SIGKILL when the
         * daemon ends, however it ends (PR_SET_PDEATHSIG), so a daemon killed mid-probe leaves
         * nothing behind. Spawn such a child from the event loop's thread only: the signal
         * follows the thread that cloned it. Guests and dnsmasq outlive the daemon: false. */
        bool dies_with_daemon;
} ProcessCreds;
#define PROCESS_MAX_GROUPS 65536

/* process_spawn() with creds (NULL: the daemon's own user and capabilities). A child that
 * cannot take them writes why to the log and exits with status 127 before exec. */
int process_spawn_as(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path,
                     const int *keep_fds, size_t n_keep_fds, const ProcessCreds *creds, ProcessExitedFn exited,
                     void *userdata, Process **out, VbError *err);

/* process_spawn_as() whose stdout and stderr are out_fd (a pipe to a log writer) rather than
 * log_path, which still gets the header line and is what process_log_tail() reads. */
int process_spawn_fd_as(sd_event *e, const ProcessProgram *prog, char *const argv[], const char *log_path,
                        int out_fd, const int *keep_fds, size_t n_keep_fds, const ProcessCreds *creds,
                        ProcessExitedFn exited, void *userdata, Process **out, VbError *err);

/* Restart recovery: watch the running process pid, started at start_time (field 22 of
 * /proc/PID/stat, as process_start_time() gave it). A pid now used by another process
 * (start time differs) or no longer used gives -ESRCH; other failures a negative errno; err
 * says which. log_path (may be NULL) is only used for process_log_tail(). */
int process_adopt(sd_event *e, const ProcessProgram *prog, pid_t pid, uint64_t start_time, const char *log_path,
                       ProcessExitedFn exited, void *userdata, Process **out, VbError *err);

/* Send sig through the pidfd (never to a recycled pid). -ESRCH once the process has ended. */
int process_kill(Process *p, int sig);

pid_t process_pid(const Process *p);
uint64_t process_start_time(const Process *p);
/* True once the exited callback has run. */
bool process_has_exited(const Process *p);

/* What the program wrote to the log since it was spawned (or adopted): at most max bytes, the last
 * ones, from a line start, without trailing white space. *out is "" when there is nothing.
 * Returns 0 or a negative errno. */
int process_log_tail(const Process *p, size_t max, char **out);
/* The same for any file, from byte offset since on. */
int log_file_tail(const char *path, off_t since, size_t max, char **out);

/* The start time (clock ticks after boot) of pid from /proc/PID/stat, or a negative errno. */
int process_read_start_time(pid_t pid, uint64_t *out);

/* Stop watching and free. Never signals the process. Returns NULL. */
Process *process_free(Process *p);

/* What a child made by process_fork() runs: its return value is the exit status. It shares
 * the daemon's memory image at the moment of the fork but not its threads, so it may use
 * async-signal-safe calls only (no malloc, no stdio, no log), and never the event loop. */
typedef int (*ProcessChildFn)(void *arg);

/* Fork a child (clone3 with a pidfd, as process_spawn) that runs fn(arg) and exits with what
 * it returns: stdin from /dev/null, stdout and stderr on out_fd (>= 3), signals at their
 * defaults and unblocked. Unlike process_spawn it keeps every descriptor of the daemon open
 * (the work is on files the daemon opened) and stays in the daemon's session. prog names it
 * in the log and in errors. Returns 0, or -1 with err set. */
int process_fork(sd_event *e, const ProcessProgram *prog, int out_fd, ProcessChildFn fn, void *arg,
                 ProcessExitedFn exited, void *userdata, Process **out, VbError *err);
