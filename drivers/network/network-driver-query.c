/* network-driver-query.c: the host networks' DHCP leases (from the helper's status file) and net-update (definitions, dnsmasq's hosts files and a SIGHUP). */
#define LOG_MODULE "network"
#include "network-driver-priv.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "network-leases.h"
#include "network-update.h"
#include "persist.h"

/* ---- leases, from the status file virtbus-leases-helper keeps ---- */

int network_driver_leases(Network *n, const char *mac, NetworkLease **out, size_t *n_out, VbError *err) {
        const NetworkDef *def = n->live ? n->live : n->def;
        NetworkPlan plan;
        DnsmasqFiles f;
        if (network_plan_build(def, &plan, err) < 0)
                return -1;
        if (net_files_of(n, &f, err) < 0) {
                network_plan_done(&plan);
                return -1;
        }
        char *text = NULL;
        size_t len;
        int r = persist_read_file(f.status, PERSIST_FILE_MAX, &text, &len, NULL);
        /* A network that never handed out a lease has no file: no leases. */
        r = r == -ENOENT ? 0 : r;
        if (r < 0)
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NETWORK, "cannot read the leases of network '%s' (%s)",
                             n->obj.name, f.status);
        else if ((r = network_leases_parse(text, &plan, (int64_t) time(NULL), mac, out, n_out)) == -2)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                             "the lease status file %s of network '%s' is not a JSON array", f.status, n->obj.name);
        else if (r < 0)
                vb_error_errno(err, -ENOMEM, "leases");
        free(text);
        dnsmasq_files_done(&f);
        network_plan_done(&plan);
        return r < 0 ? -1 : 0;
}

/* ---- net-update ---- */

/* A running network learns new DHCP and DNS hosts through its hosts files and a SIGHUP; the
 * rest of dnsmasq's configuration is read at its start only: dnsmasq starts again. A portgroup
 * is nothing to dnsmasq (NICs read it when they are plugged): only the definition changes. */
static bool live_section_ok(unsigned section) {
        return section == NETWORK_SECTION_IP_DHCP_HOST || section == NETWORK_SECTION_DNS_HOST;
}

int network_driver_update(Network *n, const NetworkDef *config, const NetworkDef *live, unsigned section,
                          VbError *err) {
        NetDriver *d = net_driver_of(n);
        NetworkPlan cplan = { 0 }, lplan = { 0 };
        int r = 0;
        if (config && network_plan_build(config, &cplan, err) < 0)
                return -1;
        if (live && network_plan_build(live, &lplan, err) < 0)
                r = -1;
        NetState *st = n->driver_data;
        bool has_dnsmasq = live && st && st->dnsmasq && section != NETWORK_SECTION_PORTGROUP;
        bool restart = has_dnsmasq && !live_section_ok(section);
        if (r == 0 && config)
                r = net_save_def(d, config, d->config_dir, NETWORK_FORMAT_INACTIVE, err);
        if (r == 0 && live) {
                DnsmasqFiles f;
                r = net_save_def(d, live, d->run_dir, 0, err);
                if (r == 0 && has_dnsmasq && !restart && (r = net_files_of(n, &f, err)) == 0) {
                        r = dnsmasq_write_hosts(&lplan, &f, err);
                        if (r == 0 && dnsmasq_reload(st->dnsmasq) < 0)
                                log_warning("network %s: dnsmasq is gone; the update takes effect at its next start",
                                            n->obj.name);
                        dnsmasq_files_done(&f);
                }
        }
        if (config)
                network_plan_done(&cplan);
        if (live)
                network_plan_done(&lplan);
        if (r == 0 && restart)
                r = net_dnsmasq_restart(n, live, err);
        return r;
}
