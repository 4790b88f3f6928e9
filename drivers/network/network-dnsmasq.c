/* network-dnsmasq.c: dnsmasq as a watched child of the daemon, one per network. */
#define LOG_MODULE "network"
#include "network-dnsmasq.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "network-gen.h"
#include "persist.h"
#include "process.h"

static const ProcessProgram dnsmasq_program = { "dnsmasq", VB_FROM_NETWORK };

struct Dnsmasq {
        sd_event *event;
        Process *launcher;      /* the daemonizing dnsmasq: it exits once the server serves */
        Process *server;
        sd_event_source *kill_timer;    /* SIGKILL when SIGTERM was not enough */
        char *pid_file, *log;
        DnsmasqStartedFn started;
        DnsmasqEndedFn ended;
        void *userdata;
};

int dnsmasq_files(const char *dir, const char *run_dir, const char *name, DnsmasqFiles *f) {
        *f = (DnsmasqFiles) { 0 };
        if (asprintf(&f->conf, "%s/%s.conf", dir, name) < 0 || asprintf(&f->log, "%s/%s.log", dir, name) < 0 ||
            asprintf(&f->leases, "%s/%s.leases", dir, name) < 0 ||
            asprintf(&f->status, "%s/%s.status", dir, name) < 0 ||
            asprintf(&f->hostsfile, "%s/%s.hostsfile", dir, name) < 0 ||
            asprintf(&f->addnhosts, "%s/%s.addnhosts", dir, name) < 0 || asprintf(&f->pid, "%s/%s.pid", run_dir, name) < 0) {
                dnsmasq_files_done(f);
                return -ENOMEM;
        }
        return 0;
}

void dnsmasq_files_done(DnsmasqFiles *f) {
        free(f->conf);
        free(f->log);
        free(f->leases);
        free(f->status);
        free(f->hostsfile);
        free(f->addnhosts);
        free(f->pid);
        *f = (DnsmasqFiles) { 0 };
}

void dnsmasq_files_remove(const DnsmasqFiles *f) {
        const char *paths[] = { f->conf, f->leases, f->status, f->hostsfile, f->addnhosts };
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
                if (paths[i] && unlink(paths[i]) < 0 && errno != ENOENT)
                        log_warning("cannot remove %s: %s", paths[i], strerror(errno));
}

static Dnsmasq *dnsmasq_new(sd_event *e, const DnsmasqFiles *files, DnsmasqEndedFn ended, void *userdata) {
        Dnsmasq *d = calloc(1, sizeof *d);
        if (!d)
                return NULL;
        d->event = sd_event_ref(e);
        d->pid_file = strdup(files->pid);
        d->log = strdup(files->log);
        d->ended = ended;
        d->userdata = userdata;
        if (!d->pid_file || !d->log)
                return dnsmasq_free(d);
        return d;
}

static void on_server_exited(Process *p, const siginfo_t *si, void *userdata) {
        Dnsmasq *d = userdata;
        log_info("dnsmasq %d ended", (int) process_pid(p));
        unlink(d->pid_file);
        if (d->ended)
                d->ended(d, d->userdata);
}

static int read_pid_file(const char *path, pid_t *pid) {
        char *text = NULL;
        size_t len;
        if (persist_read_file(path, 64, &text, &len, NULL) < 0)
                return -ENOENT;
        long v = strtol(text, NULL, 10);
        free(text);
        if (v <= 1)
                return -EINVAL;
        *pid = (pid_t) v;
        return 0;
}

static void on_launcher_exited(Process *p, const siginfo_t *si, void *userdata) {
        Dnsmasq *d = userdata;
        VbError err = { 0 };
        int r = -1;
        pid_t pid = 0;
        uint64_t st;
        if (si->si_code == CLD_EXITED && si->si_status == 0) {
                if (read_pid_file(d->pid_file, &pid) < 0 || process_read_start_time(pid, &st) < 0)
                        vb_error_set(&err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                     "dnsmasq started but left no usable pid file %s", d->pid_file);
                else
                        r = process_adopt(d->event, &dnsmasq_program, pid, st, d->log, on_server_exited, d,
                                          &d->server, &err) < 0 ? -1 : 0;
        } else {
                char *tail = NULL;
                process_log_tail(p, 400, &tail);
                vb_error_set(&err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK, "dnsmasq failed to start (%s %d): %s",
                             si->si_code == CLD_EXITED ? "exit status" : "signal", si->si_status,
                             tail && tail[0] ? tail : "no message");
                free(tail);
        }
        d->launcher = process_free(d->launcher);
        if (r == 0)
                log_info("dnsmasq %d serves (%s)", (int) pid, d->pid_file);
        d->started(d, r, r < 0 ? &err : NULL, d->userdata);
}

/* dir and base name of path, for persist_write. */
static int write_file(const char *path, const char *text, VbError *err) {
        const char *slash = strrchr(path, '/');
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int) (slash - path), path);
        return persist_write(dir, slash + 1, text, strlen(text), err) < 0 ? -1 : 0;
}

/* dnsmasq reads its hosts files again on SIGHUP as its unprivileged user: root:gid 0640,
 * replaced atomically. */
static int write_group_file(const char *path, const char *text, gid_t gid, VbError *err) {
        char *tmp = NULL;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return vb_error_errno(err, -ENOMEM, "dnsmasq hosts file");
        int fd = mkostemp(tmp, O_CLOEXEC), r = 0;
        if (fd < 0) {
                r = vb_error_errno(err, -errno, tmp);
                free(tmp);
                return r;
        }
        size_t len = strlen(text), done = 0;
        if (fchown(fd, 0, gid) < 0 || fchmod(fd, 0640) < 0)
                r = -errno;
        while (r == 0 && done < len) {
                ssize_t n = write(fd, text + done, len - done);
                if (n < 0 && errno != EINTR)
                        r = -errno;
                done += n > 0 ? (size_t) n : 0;
        }
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        close(fd);
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                vb_error_errno(err, r, path);
        }
        free(tmp);
        return r < 0 ? -1 : 0;
}

int dnsmasq_write_hosts(const NetworkPlan *p, const DnsmasqFiles *files, VbError *err) {
        char *dhcp = NULL, *dns = NULL;
        if (network_dnsmasq_hosts(p, &dhcp, &dns) < 0)
                return vb_error_errno(err, -ENOMEM, "dnsmasq hosts files");
        int r = write_group_file(files->hostsfile, dhcp, files->gid, err);
        if (r == 0)
                r = write_group_file(files->addnhosts, dns, files->gid, err);
        free(dhcp);
        free(dns);
        return r;
}

int dnsmasq_reload(Dnsmasq *d) {
        if (!d->server || process_has_exited(d->server))
                return -ESRCH;
        return process_kill(d->server, SIGHUP);
}

int dnsmasq_start(sd_event *e, const NetworkPlan *p, const DnsmasqFiles *files, DnsmasqStartedFn started,
                  DnsmasqEndedFn ended, void *userdata, Dnsmasq **out, VbError *err) {
        char *conf = NULL;
        DnsmasqPaths paths = { .pid_file = files->pid, .lease_file = files->leases, .lease_helper = files->helper,
                               .hostsfile = files->hostsfile, .addnhosts = files->addnhosts,
                               .user = files->user, .group = files->group };
        if (network_dnsmasq_conf(p, &paths, &conf) < 0)
                return vb_error_errno(err, -ENOMEM, "dnsmasq configuration");
        int r = write_file(files->conf, conf, err);
        free(conf);
        if (r < 0 || dnsmasq_write_hosts(p, files, err) < 0)
                return -1;
        unlink(files->pid);
        /* dnsmasq would create its lease file with its own umask: the daemon's files are 0600. */
        int lfd = open(files->leases, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lfd >= 0)
                close(lfd);
        Dnsmasq *d = dnsmasq_new(e, files, ended, userdata);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "dnsmasq");
        d->started = started;
        char arg[4200];
        snprintf(arg, sizeof arg, "--conf-file=%s", files->conf);
        char *argv[] = { "/usr/sbin/dnsmasq", arg, NULL };
        if (process_spawn(e, &dnsmasq_program, argv, files->log, NULL, 0, on_launcher_exited, d, &d->launcher, err) < 0) {
                dnsmasq_free(d);
                return -1;
        }
        *out = d;
        return 0;
}

int dnsmasq_adopt(sd_event *e, pid_t pid, uint64_t start_time, const DnsmasqFiles *files, DnsmasqEndedFn ended,
                  void *userdata, Dnsmasq **out, VbError *err) {
        Dnsmasq *d = dnsmasq_new(e, files, ended, userdata);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "dnsmasq");
        int r = process_adopt(e, &dnsmasq_program, pid, start_time, files->log, on_server_exited, d, &d->server, err);
        if (r < 0) {
                dnsmasq_free(d);
                return r;
        }
        *out = d;
        return 0;
}

#define DNSMASQ_STOP_TIMEOUT_USEC (5 * 1000000ULL)

static int on_kill_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Dnsmasq *d = userdata;
        log_warning("dnsmasq %d ignored SIGTERM for 5 s: SIGKILL", (int) process_pid(d->server));
        process_kill(d->server, SIGKILL);
        return 0;
}

int dnsmasq_stop(Dnsmasq *d) {
        if (!d->server || process_has_exited(d->server))
                return 1;
        if (process_kill(d->server, SIGTERM) == -ESRCH)
                return 1;
        if (!d->kill_timer)
                sd_event_add_time_relative(d->event, &d->kill_timer, CLOCK_MONOTONIC, DNSMASQ_STOP_TIMEOUT_USEC, 0,
                                           on_kill_timer, d);
        return 0;
}

pid_t dnsmasq_pid(const Dnsmasq *d) {
        return d->server ? process_pid(d->server) : 0;
}

uint64_t dnsmasq_start_time(const Dnsmasq *d) {
        return d->server ? process_start_time(d->server) : 0;
}

Dnsmasq *dnsmasq_free(Dnsmasq *d) {
        if (!d)
                return NULL;
        sd_event_source_disable_unref(d->kill_timer);
        process_free(d->launcher);
        process_free(d->server);
        sd_event_unref(d->event);
        free(d->pid_file);
        free(d->log);
        free(d);
        return NULL;
}
