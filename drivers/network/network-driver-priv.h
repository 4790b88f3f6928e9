/* network-driver-priv.h: the host network driver's state, shared by its files (network-driver.c: lifecycle; network-driver-query.c: leases and net-update). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "network-dnsmasq.h"
#include "network-plan.h"
#include "network.h"

#define LEASE_HELPER "virtbus-leases-helper"

typedef struct NetDriver {
        sd_event *event;
        char *config_dir, *autostart_dir, *run_dir, *dnsmasq_dir;
        char *lease_helper;     /* virtbus-leases-helper beside the daemon's binary; NULL: not found */
        char *dnsmasq_user, *dnsmasq_group;     /* dnsmasq's unprivileged identity */
        gid_t dnsmasq_gid;
} NetDriver;

/* A network's host side while it runs. */
typedef struct NetState {
        Dnsmasq *dnsmasq;
        bool stopping;
        bool restarting;        /* net-update: dnsmasq stops to start again with st->plan */
        bool restart_pending;   /* ... and is starting again */
        NetworkPlan plan;       /* of n->live, while a start or stop is under way */
        bool planned;
        int end_r;              /* how the job ends once the host side is down */
        VbError end_err;
} NetState;

/* The driver of n's connection (the network subsystem's driver_data). Inline, so that the
 * driver's files below network-driver.c (floors, queries) need nothing from it. */
static inline NetDriver *net_driver_of(Network *n) {
        return n->obj.conn->net->driver_data;
}
/* Write def (formatted with flags) to dir/NAME.xml, 0600. */
int net_save_def(NetDriver *d, const NetworkDef *def, const char *dir, unsigned flags, VbError *err);
/* The dnsmasq files of n, with the helper and dnsmasq's identity filled in. */
int net_files_of(Network *n, DnsmasqFiles *f, VbError *err);

/* net-update of what dnsmasq reads at its start only: stop it and start it again with
 * live's configuration. VERB_PENDING (network_job_done follows) or -1. */
int net_dnsmasq_restart(Network *n, const NetworkDef *live, VbError *err);

/* NetworkOps.get_dhcp_leases and .update */
int network_driver_leases(Network *n, const char *mac, NetworkLease **out, size_t *n_out, VbError *err);
int network_driver_update(Network *n, const NetworkDef *config, const NetworkDef *live, unsigned section,
                          VbError *err);
