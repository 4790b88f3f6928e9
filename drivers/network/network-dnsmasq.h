/* network-dnsmasq.h: a network's dnsmasq, started daemonized (so that its readiness and its errors are known) and then watched through a pidfd; found again after a restart. */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "network-plan.h"

typedef struct Dnsmasq Dnsmasq;

/* started: dnsmasq serves (r = 0) or failed to start (r = -1, err says why, with its own
 * words). stopped: it ended (after dnsmasq_stop, or on its own). */
typedef void (*DnsmasqStartedFn)(Dnsmasq *d, int r, const VbError *err, void *userdata);
typedef void (*DnsmasqEndedFn)(Dnsmasq *d, void *userdata);

typedef struct DnsmasqFiles {
        char *conf, *log, *leases, *status, *pid;
        char *hostsfile, *addnhosts;    /* static DHCP hosts and DNS hosts: re-read on SIGHUP */
        const char *helper;     /* virtbus-leases-helper, beside the daemon's binary (not owned) */
        const char *user, *group;       /* dnsmasq's unprivileged user and group (not owned) */
        gid_t gid;                      /* group's id: the hosts files are root:gid 0640 */
} DnsmasqFiles;

/* The files of network name: dir/name.{conf,log,leases,status,hostsfile,addnhosts} and
 * run_dir/name.pid; status
 * is kept by virtbus-leases-helper, which dnsmasq runs for each lease change. */
int dnsmasq_files(const char *dir, const char *run_dir, const char *name, DnsmasqFiles *f);
void dnsmasq_files_done(DnsmasqFiles *f);
/* Forget a network's DHCP state (configuration, leases, status, hosts files; the log stays):
 * when it is undefined, or when a transient network stops, as libvirt does. */
void dnsmasq_files_remove(const DnsmasqFiles *f);

/* Write the configuration (0600) and start dnsmasq; started is called later. */
int dnsmasq_start(sd_event *e, const NetworkPlan *p, const DnsmasqFiles *files, DnsmasqStartedFn started,
                  DnsmasqEndedFn ended, void *userdata, Dnsmasq **out, VbError *err);
/* After a restart: the dnsmasq of pid, started at start_time. -ESRCH when it is gone. */
int dnsmasq_adopt(sd_event *e, pid_t pid, uint64_t start_time, const DnsmasqFiles *files, DnsmasqEndedFn ended,
                  void *userdata, Dnsmasq **out, VbError *err);
/* Write the DHCP and DNS hosts files of p (0600, atomically). */
int dnsmasq_write_hosts(const NetworkPlan *p, const DnsmasqFiles *files, VbError *err);
/* SIGHUP: dnsmasq reads its hosts files again. -ESRCH when it is gone. */
int dnsmasq_reload(Dnsmasq *d);
/* SIGTERM; ended is called when it is gone. Returns 1 when it was already gone. */
int dnsmasq_stop(Dnsmasq *d);
pid_t dnsmasq_pid(const Dnsmasq *d);
uint64_t dnsmasq_start_time(const Dnsmasq *d);
Dnsmasq *dnsmasq_free(Dnsmasq *d);
