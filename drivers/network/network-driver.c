/* network-driver.c: NetworkOps of the host: definitions on disk, start and stop of bridge, firewall and dnsmasq, recovery and autostart. */
#define LOG_MODULE "network"
#include "network-driver.h"
#include "network-driver-priv.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"
#include "host.h"
#include "log.h"
#include "netlink.h"
#include "network-dnsmasq.h"
#include "network-gen.h"
#include "network-host.h"
#include "network-host-job.h"
#include "network-floor-priv.h"
#include "network-leases.h"
#include "network-macvtap.h"
#include "network-update.h"
#include "network.h"
#include "persist.h"
#include "uuid.h"

static NetState *state_of(Network *n) {
        if (!n->driver_data)
                n->driver_data = calloc(1, sizeof(NetState));
        return n->driver_data;
}

static int file_name(char *buf, size_t len, const char *name, const char *suffix) {
        return snprintf(buf, len, "%s%s", name, suffix) >= (int) len ? -ENAMETOOLONG : 0;
}

/* ---- definitions ---- */

static bool bridge_used_by_other(Connection *c, Network *self, const char *name, const char *bridge) {
        REGISTRY_FOREACH(o, &c->net->networks) {
                Network *n = (Network *) o;
                const NetworkDef *d = n->def ? n->def : n->live;
                if (n != self && strcmp(o->name, name) != 0 && d && d->bridge && strcmp(d->bridge, bridge) == 0)
                        return true;
        }
        return false;
}

static int net_post_parse(Connection *c, Network *existing, NetworkDef *def, VbError *err) {
        NetworkPlan plan;
        if (network_plan_build(def, &plan, err) < 0)
                return -1;
        if (network_macvtap_validate(&plan, err) < 0) {
                network_plan_done(&plan);
                return -1;
        }
        bool own = network_mode_own_bridge(&plan);
        network_plan_done(&plan);
        const NetworkDef *old = existing ? (existing->def ? existing->def : existing->live) : NULL;
        if (!def->bridge && own) {
                if (old && old->bridge) {
                        if (network_def_set_bridge(def, old->bridge) < 0)
                                return vb_error_errno(err, -ENOMEM, "network");
                } else {
                        char br[16];
                        for (int i = 0; i < 256; i++) {
                                snprintf(br, sizeof br, "virbr%d", i);
                                if (!bridge_used_by_other(c, existing, def->name, br) && !netlink_link_exists(br))
                                        break;
                        }
                        if (network_def_set_bridge(def, br) < 0)
                                return vb_error_errno(err, -ENOMEM, "network");
                }
        } else if (def->bridge && bridge_used_by_other(c, existing, def->name, def->bridge)) {
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK, "bridge name '%s' already in use.",
                                    def->bridge);
        }
        if (own && !network_def_mac(def)) {
                const char *keep = old ? network_def_mac(old) : NULL;
                uint8_t mac[6] = { 0x52, 0x54, 0x00 };
                char text[18];
                if (!keep) {
                        if (getrandom(mac + 3, 3, 0) != 3)
                                return vb_error_errno(err, -errno, "getrandom");
                        mac_format(mac, text);
                        keep = text;
                }
                if (network_def_set_mac(def, keep) < 0)
                        return vb_error_errno(err, -ENOMEM, "network");
        }
        return 0;
}

int net_save_def(NetDriver *d, const NetworkDef *def, const char *dir, unsigned flags, VbError *err) {
        char fn[512];
        char *xml = network_def_format(def, flags);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "format network XML");
        int r = file_name(fn, sizeof fn, def->name, ".xml");
        if (r == 0)
                r = persist_write(dir, fn, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

static int net_define(Network *n, const NetworkDef *def, VbError *err) {
        return net_save_def(net_driver_of(n), def, net_driver_of(n)->config_dir, NETWORK_FORMAT_INACTIVE, err);
}

static void forget_dhcp_state(Network *n);

static int net_undefine(Network *n, VbError *err) {
        NetDriver *d = net_driver_of(n);
        char fn[512];
        if (file_name(fn, sizeof fn, n->obj.name, ".xml") < 0)
                return vb_error_errno(err, -ENAMETOOLONG, "network file name");
        if (persist_remove(d->config_dir, fn, err) < 0 || persist_remove(d->autostart_dir, fn, err) < 0)
                return -1;
        if (!n->active)
                forget_dhcp_state(n);
        return 0;
}

static int net_set_autostart(Network *n, bool on, VbError *err) {
        NetDriver *d = net_driver_of(n);
        char fn[512];
        if (file_name(fn, sizeof fn, n->obj.name, ".xml") < 0)
                return vb_error_errno(err, -ENAMETOOLONG, "network file name");
        int r = on ? persist_write(d->autostart_dir, fn, "", 0, err) : persist_remove(d->autostart_dir, fn, err);
        return r < 0 ? -1 : 0;
}

/* ---- runtime status: the live definition and dnsmasq's identity ---- */

static void status_remove(Network *n) {
        NetDriver *d = net_driver_of(n);
        char fn[512];
        if (file_name(fn, sizeof fn, n->obj.name, ".xml") == 0)
                persist_remove(d->run_dir, fn, NULL);
        if (file_name(fn, sizeof fn, n->obj.name, ".dnsmasq") == 0)
                persist_remove(d->run_dir, fn, NULL);
        net_floors_forget(n);
}

static int status_save_dnsmasq(Network *n, Dnsmasq *dm, VbError *err) {
        char fn[512], text[64];
        snprintf(text, sizeof text, "%d %llu\n", (int) dnsmasq_pid(dm), (unsigned long long) dnsmasq_start_time(dm));
        if (file_name(fn, sizeof fn, n->obj.name, ".dnsmasq") < 0)
                return vb_error_errno(err, -ENAMETOOLONG, "network file name");
        return persist_write(net_driver_of(n)->run_dir, fn, text, strlen(text), err) < 0 ? -1 : 0;
}

int net_files_of(Network *n, DnsmasqFiles *f, VbError *err) {
        NetDriver *d = net_driver_of(n);
        if (dnsmasq_files(d->dnsmasq_dir, d->run_dir, n->obj.name, f) < 0)
                return vb_error_errno(err, -ENOMEM, "dnsmasq files");
        f->helper = d->lease_helper;
        f->user = d->dnsmasq_user;
        f->group = d->dnsmasq_group;
        f->gid = d->dnsmasq_gid;
        return 0;
}

/* A network that is neither defined nor running keeps no DHCP state. */
static void forget_dhcp_state(Network *n) {
        DnsmasqFiles f;
        if (net_files_of(n, &f, NULL) == 0) {
                dnsmasq_files_remove(&f);
                dnsmasq_files_done(&f);
        }
}

/* ---- start and stop ---- */

/* After a restart, for a network found broken: the host side down at once (the daemon does
 * not serve yet). */
static void teardown(Network *n) {
        NetworkPlan plan;
        if (n->live && network_plan_build(n->live, &plan, NULL) == 0) {
                network_host_down(&plan);
                network_plan_done(&plan);
        }
        status_remove(n);
}

static void plan_drop(NetState *st) {
        if (st->planned)
                network_plan_done(&st->plan);
        st->planned = false;
}

static void on_host_down(int r, const VbError *err, void *userdata) {
        Network *n = userdata;
        NetState *st = n->driver_data;
        int end_r = st->end_r;
        VbError end_err = st->end_err;
        status_remove(n);
        if (!n->persistent)
                forget_dhcp_state(n);
        plan_drop(st);
        network_job_done(n, end_r, end_r < 0 ? &end_err : NULL);
}

/* The bridge and table down off the event loop, then the job ends with r (err). 0: pending;
 * -1: no thread could run, the host side was taken down here and the job is the caller's. */
static int teardown_async(Network *n, int r, const VbError *err) {
        NetState *st = n->driver_data;
        st->end_r = r;
        st->end_err = err ? *err : (VbError) { 0 };
        if (!st->planned && n->live && network_plan_build(n->live, &st->plan, NULL) == 0)
                st->planned = true;
        VbError e = { 0 };
        if (st->planned && network_host_run(net_driver_of(n)->event, &st->plan, false, on_host_down, n, &e) == 0)
                return 0;
        if (st->planned)
                network_host_down(&st->plan);
        status_remove(n);
        plan_drop(st);
        return -1;
}

/* teardown_async from a callback: the job ends either way. */
static void teardown_and_end(Network *n, int r, const VbError *err) {
        VbError copy = err ? *err : (VbError) { 0 };
        if (teardown_async(n, r, err) < 0)
                network_job_done(n, r, r < 0 ? &copy : NULL);
}

static void on_dnsmasq_started(Dnsmasq *dm, int r, const VbError *err, void *userdata);
static void on_dnsmasq_ended(Dnsmasq *dm, void *userdata);

/* net-update's restart: dnsmasq again, with the configuration of st->plan. */
static int restart_start(Network *n, VbError *err) {
        NetState *st = n->driver_data;
        DnsmasqFiles f;
        int r = net_files_of(n, &f, err);
        if (r == 0) {
                r = dnsmasq_start(net_driver_of(n)->event, &st->plan, &f, on_dnsmasq_started, on_dnsmasq_ended, n,
                                  &st->dnsmasq, err);
                dnsmasq_files_done(&f);
        }
        st->restart_pending = r == 0;
        return r;
}

/* The restart failed: the network runs on without dnsmasq, its files as before the update. */
static void restart_failed(Network *n, const VbError *err) {
        NetState *st = n->driver_data;
        NetDriver *d = net_driver_of(n);
        VbError copy = err ? *err : (VbError) { 0 };
        st->dnsmasq = dnsmasq_free(st->dnsmasq);
        plan_drop(st);
        net_save_def(d, n->live, d->run_dir, 0, NULL);
        if (n->persistent)
                net_save_def(d, n->def, d->config_dir, NETWORK_FORMAT_INACTIVE, NULL);
        log_warning("network %s: dnsmasq did not start again after the update: %s", n->obj.name, copy.message);
        network_job_done(n, -1, &copy);
}

int net_dnsmasq_restart(Network *n, const NetworkDef *live, VbError *err) {
        NetState *st = n->driver_data;
        if (network_plan_build(live, &st->plan, err) < 0)
                return -1;
        st->planned = true;
        if (dnsmasq_stop(st->dnsmasq) == 0) {
                st->restarting = true;
                return VERB_PENDING;
        }
        st->dnsmasq = dnsmasq_free(st->dnsmasq);
        if (restart_start(n, err) < 0) {
                NetDriver *d = net_driver_of(n);
                plan_drop(st);
                net_save_def(d, n->live, d->run_dir, 0, NULL);
                if (n->persistent)
                        net_save_def(d, n->def, d->config_dir, NETWORK_FORMAT_INACTIVE, NULL);
                return -1;
        }
        return VERB_PENDING;
}

static void on_dnsmasq_ended(Dnsmasq *dm, void *userdata) {
        Network *n = userdata;
        NetState *st = n->driver_data;
        st->dnsmasq = dnsmasq_free(dm);
        if (st->restarting) {
                VbError e = { 0 };
                st->restarting = false;
                if (restart_start(n, &e) < 0)
                        restart_failed(n, &e);
                return;
        }
        if (st->stopping) {
                st->stopping = false;
                teardown_and_end(n, 0, NULL);
                return;
        }
        log_warning("network %s: dnsmasq ended: no DHCP and DNS on %s until the network is restarted", n->obj.name,
                    n->live && n->live->bridge ? n->live->bridge : "its bridge");
}

static void on_dnsmasq_started(Dnsmasq *dm, int r, const VbError *err, void *userdata) {
        Network *n = userdata;
        NetState *st = n->driver_data;
        VbError e = { 0 };
        if (r == 0 && status_save_dnsmasq(n, dm, &e) < 0) {
                dnsmasq_stop(dm);
                err = &e;
                r = -1;
        }
        bool restart = st->restart_pending;
        st->restart_pending = false;
        if (r < 0 && restart) {
                restart_failed(n, err);
                return;
        }
        if (r < 0) {
                st->dnsmasq = dnsmasq_free(st->dnsmasq);
                teardown_and_end(n, -1, err);
                return;
        }
        plan_drop(st);
        network_job_done(n, 0, NULL);
}

/* The bridge and table are up (built in a thread): the status file, then dnsmasq. */
static void on_host_up(int r, const VbError *err, void *userdata) {
        Network *n = userdata;
        NetState *st = n->driver_data;
        NetDriver *d = net_driver_of(n);
        VbError e = { 0 };
        if (r < 0) {
                plan_drop(st);
                network_job_done(n, -1, err);
                return;
        }
        if (net_save_def(d, n->live, d->run_dir, 0, &e) < 0) {
                teardown_and_end(n, -1, &e);
                return;
        }
        net_floors_reconcile(n);        /* no tap is on a new bridge: no floors, 1:2 gets the peak */
        if (!network_mode_dnsmasq(&st->plan)) {
                plan_drop(st);
                network_job_done(n, 0, NULL);
                return;
        }
        DnsmasqFiles f;
        r = net_files_of(n, &f, &e);
        if (r == 0) {
                r = dnsmasq_start(d->event, &st->plan, &f, on_dnsmasq_started, on_dnsmasq_ended, n, &st->dnsmasq, &e);
                dnsmasq_files_done(&f);
        }
        if (r < 0)
                teardown_and_end(n, -1, &e);
}

static int net_start(Network *n, Call *call, VbError *err) {
        NetDriver *d = net_driver_of(n);
        NetState *st = state_of(n);
        if (!st)
                return vb_error_errno(err, -ENOMEM, "network");
        if (network_plan_build(n->live, &st->plan, err) < 0)
                return -1;
        st->planned = true;
        if (network_mode_dnsmasq(&st->plan) && !d->lease_helper) {
                plan_drop(st);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                    "Cannot find %s beside virtbusd: DHCP leases could not be kept", LEASE_HELPER);
        }
        if (network_host_run(d->event, &st->plan, true, on_host_up, n, err) < 0) {
                plan_drop(st);
                return -1;
        }
        return VERB_PENDING;
}

static int net_stop(Network *n, Call *call, VbError *err) {
        NetState *st = state_of(n);
        if (!st)
                return vb_error_errno(err, -ENOMEM, "network");
        if (st->dnsmasq && dnsmasq_stop(st->dnsmasq) == 0) {
                st->stopping = true;
                return VERB_PENDING;
        }
        st->dnsmasq = dnsmasq_free(st->dnsmasq);
        return teardown_async(n, 0, NULL) == 0 ? VERB_PENDING : 0;
}

static const NetworkOps network_host_ops = {
        .update = network_driver_update,
        .get_dhcp_leases = network_driver_leases,
        .post_parse = net_post_parse,
        .define = net_define,
        .undefine = net_undefine,
        .start = net_start,
        .stop = net_stop,
        .set_autostart = net_set_autostart,
        .floor_plug = net_floor_plug,
        .floor_unplug = net_floor_unplug,
};

/* ---- open: load, recover, autostart ---- */

/* dnsmasq drops root for Debian's "dnsmasq" user (or "nobody") and its group, named in its
 * configuration; that group may enter the dnsmasq directory (0710) and read the hosts files
 * (0640), nothing else there (configuration, leases and status stay 0600). Looked up once, at
 * the daemon's start. */
static int dnsmasq_identity(NetDriver *d, VbError *err) {
        struct passwd *pw = getpwnam("dnsmasq");
        if (!pw)
                pw = getpwnam("nobody");
        if (!pw)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                    "neither a 'dnsmasq' nor a 'nobody' user exists for dnsmasq to run as");
        d->dnsmasq_user = strdup(pw->pw_name);
        d->dnsmasq_gid = pw->pw_gid;
        struct group *gr = getgrgid(pw->pw_gid);
        char gid[32];
        snprintf(gid, sizeof gid, "%u", (unsigned) pw->pw_gid);
        d->dnsmasq_group = strdup(gr ? gr->gr_name : gid);
        if (!d->dnsmasq_user || !d->dnsmasq_group)
                return vb_error_errno(err, -ENOMEM, "network driver");
        if (chown(d->dnsmasq_dir, 0, d->dnsmasq_gid) < 0 || chmod(d->dnsmasq_dir, 0710) < 0)
                return vb_error_errno(err, -errno, d->dnsmasq_dir);
        return 0;
}

/* virtbus-leases-helper beside the running binary (build/service/ or the installed sbin). */
static char *find_lease_helper(void) {
        char exe[4096], *path = NULL;
        ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (len <= 0)
                return NULL;
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (!slash)
                return NULL;
        *slash = '\0';
        if (asprintf(&path, "%s/%s", exe, LEASE_HELPER) < 0)
                return NULL;
        if (access(path, X_OK) < 0) {
                log_warning("%s not found: networks with DHCP cannot start", path);
                free(path);
                return NULL;
        }
        return path;
}

typedef struct LoadCtx {
        Connection *c;
        NetDriver *d;
} LoadCtx;

static int load_def(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        LoadCtx *ctx = userdata;
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(data, len, 0, &err);
        Network *n = NULL;
        if (!def || network_add(ctx->c, def, true, false, &n, &err) < 0) {
                network_def_free(def);
                log_error("network definition %s/%s refused: %s", dir, name, err.message);
                return -1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", ctx->d->autostart_dir, name);
        n->autostart = access(path, F_OK) == 0;
        return 0;
}

static void recover_dnsmasq(Network *n, NetState *st) {
        NetDriver *d = net_driver_of(n);
        char fn[512], *text = NULL;
        size_t len;
        int pid = 0;
        unsigned long long start = 0;
        DnsmasqFiles f;
        VbError err = { 0 };
        if (net_files_of(n, &f, &err) < 0)
                return;
        if (file_name(fn, sizeof fn, n->obj.name, ".dnsmasq") == 0 &&
            persist_read(d->run_dir, fn, 64, &text, &len, NULL) == 0 && sscanf(text, "%d %llu", &pid, &start) == 2 &&
            dnsmasq_adopt(d->event, pid, start, &f, on_dnsmasq_ended, n, &st->dnsmasq, &err) == 0) {
                log_info("network %s: dnsmasq %d adopted", n->obj.name, pid);
        } else {
                log_warning("network %s: dnsmasq is gone; no DHCP and DNS until the network is restarted",
                            n->obj.name);
        }
        free(text);
        dnsmasq_files_done(&f);
}

static int load_live(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        LoadCtx *ctx = userdata;
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(data, len, 0, &err);
        if (!def) {
                log_error("network status %s/%s refused: %s", dir, name, err.message);
                return -1;
        }
        Network *n = (Network *) registry_find_uuid(&ctx->c->net->networks, def->uuid);
        if (n) {
                n->live = def;
                n->active = true;
        } else if (network_add(ctx->c, def, false, true, &n, &err) < 0) {
                log_error("network status %s/%s refused: %s", dir, name, err.message);
                network_def_free(def);
                return -1;
        }
        NetState *st = state_of(n);
        NetworkPlan plan;
        int r = st ? network_plan_build(n->live, &plan, &err) : -1;
        if (r == 0) {
                r = network_host_reattach(&plan, &err);
                if (r == 0 && network_mode_dnsmasq(&plan))
                        recover_dnsmasq(n, st);
                network_plan_done(&plan);
        }
        if (r < 0) {
                log_warning("network %s was running but is not any more: %s", n->obj.name, err.message);
                teardown(n);
                network_recovered_stopped(n);
                return 0;
        }
        log_info("network %s: running on %s", n->obj.name, n->live->bridge ? n->live->bridge : "(no bridge)");
        net_floors_reconcile(n);        /* the guests found again (or not) by the QEMU driver, just before */
        return 0;
}

/* The first start of the system daemon on a host without networks defines 'default' (NAT,
 * virbr0, 192.168.122.0/24 or the first free 192.168.x.0/24, DHCP .2-.254) with autostart, as
 * Debian's libvirt-daemon-config-network does at install. Once: a marker in the config dir
 * remembers it, so a deleted default stays deleted. */
#define DEFAULT_MARKER "default-network.created"

static void create_default(Connection *c, NetDriver *d) {
        char marker[4096];
        snprintf(marker, sizeof marker, "%s/%s", d->config_dir, DEFAULT_MARKER);
        if (access(marker, F_OK) == 0 || c->net->networks.first)
                return;
        int x = 122;
        for (; x < 255; x++) {
                char subnet[32], dev[IF_NAMESIZE];
                snprintf(subnet, sizeof subnet, "192.168.%d.0", x);
                if (netlink_route_conflict(subnet, 24, dev, NULL) == 0)
                        break;
        }
        VbError err = { 0 };
        if (x == 255) {
                log_warning("no free 192.168.x.0/24 for the default network: not defined");
        } else {
                char xml[1024];
                snprintf(xml, sizeof xml,
                         "<network><name>default</name><forward mode='nat'/>"
                         "<ip address='192.168.%d.1' netmask='255.255.255.0'><dhcp>"
                         "<range start='192.168.%d.2' end='192.168.%d.254'/></dhcp></ip></network>", x, x, x);
                Network *n = NULL;
                if (network_define(c, xml, strlen(xml), 0, &n, &err) < 0 || network_set_autostart(n, true, &err) < 0)
                        log_error("cannot define the default network: %s", err.message);
                else
                        log_info("network default defined on 192.168.%d.0/24, autostart", x);
        }
        persist_write(d->config_dir, DEFAULT_MARKER, "", 0, NULL);
}

int network_driver_open(Connection *c, bool want_default, VbError *err) {
        Manager *m = c->manager;
        NetDriver *d = calloc(1, sizeof *d);
        if (!d)
                return vb_error_errno(err, -ENOMEM, "network driver");
        d->event = m->event;
        if (asprintf(&d->config_dir, "%s/network", m->config_root) < 0 ||
            asprintf(&d->autostart_dir, "%s/network/autostart", m->config_root) < 0 ||
            asprintf(&d->run_dir, "%s/network", m->run_root) < 0 ||
            asprintf(&d->dnsmasq_dir, "%s/dnsmasq", m->state_root) < 0)
                return vb_error_errno(err, -ENOMEM, "network driver");
        if (persist_ensure_dir(d->autostart_dir, err) < 0 || persist_ensure_dir(d->run_dir, err) < 0 ||
            persist_ensure_dir(d->dnsmasq_dir, err) < 0)
                return -1;
        d->lease_helper = find_lease_helper();
        if (dnsmasq_identity(d, err) < 0)
                return -1;
        c->net->driver_data = d;
        c->net->ops = &network_host_ops;
        LoadCtx ctx = { c, d };
        persist_load_dir(d->config_dir, ".xml", load_def, &ctx);
        persist_load_dir(d->run_dir, ".xml", load_live, &ctx);
        if (want_default)
                create_default(c, d);
        REGISTRY_FOREACH(o, &c->net->networks) {
                Network *n = (Network *) o;
                VbError e = { 0 };
                if (!n->autostart || n->active)
                        continue;
                if (network_start(n, NULL, &e) < 0)
                        log_error("autostart of network %s failed: %s", o->name, e.message);
                else
                        log_info("network %s: autostarted", o->name);
        }
        return 0;
}
