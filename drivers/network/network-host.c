/* network-host.c: bridge and addresses through lib/netlink, the firewall table through libnftables. */
#define LOG_MODULE "network"
#include "network-host.h"

#include <errno.h>
#include <net/if.h>
#include "nft-load.h"             /* libnftables, loaded on first use */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "netlink.h"
#include "network-macvtap.h"
#include "network-gen.h"
#include "network-qos-host.h"
#include "uuid.h"

int network_nft_run(const char *script, VbError *err) {
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return vb_error_errno(err, -12, "nftables context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        int r = nft_run_cmd_from_buffer(ctx, script);
        if (r != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                char msg[600];
                snprintf(msg, sizeof msg, "%s", e && e[0] ? e : "unknown error");
                msg[strcspn(msg, "\n")] = 0;
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NETWORK, "cannot apply firewall rules: %s", msg);
        }
        nft_ctx_free(ctx);
        return r != 0 ? -1 : 0;
}

static int firewall_up(const NetworkPlan *p, VbError *err) {
        char *script = NULL;
        if (network_nft_script(p, &script) < 0)
                return vb_error_errno(err, -12, "nftables rules");
        int r = script ? network_nft_run(script, err) : 0;
        free(script);
        return r;
}

static void firewall_down(const NetworkPlan *p) {
        char *script = NULL;
        VbError err = { 0 };
        if (!p->bridge || network_nft_delete_script(p->bridge, &script) < 0)
                return;
        if (network_nft_run(script, &err) < 0)
                log_warning("network %s: %s", p->name, err.message);
        free(script);
}

/* nat and route networks forward between the bridge and the rest of the host, as libvirt
 * turns on: the namespace's (or host's) forwarding for each family the network routes. */
static int enable_forwarding(const NetworkPlan *p, VbError *err) {
        const char *m = p->forward_mode;
        if (!m || (strcmp(m, "nat") != 0 && strcmp(m, "route") != 0))
                return 0;
        for (size_t i = 0; i < p->n_ips; i++) {
                const char *path = p->ips[i].ipv6 ? "/proc/sys/net/ipv6/conf/all/forwarding"
                                                  : "/proc/sys/net/ipv4/ip_forward";
                FILE *f = fopen(path, "we");
                if (!f || fputs("1\n", f) < 0 || fclose(f) != 0) {
                        int e = errno;
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NETWORK,
                                            "cannot enable forwarding (%s): %s", path, strerror(e));
                }
        }
        return 0;
}

static int check_free(const NetworkPlan *p, VbError *err) {
        if (netlink_link_exists(p->bridge))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK, "bridge name '%s' already in use.",
                                    p->bridge);
        for (size_t i = 0; i < p->n_ips; i++) {
                char dev[IF_NAMESIZE] = "";
                int r = netlink_route_conflict(p->ips[i].subnet, p->ips[i].prefix, dev, err);
                if (r < 0)
                        return -1;
                if (r > 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                            "Network is already in use by interface %s", dev);
        }
        return 0;
}

int network_host_up(const NetworkPlan *p, VbError *err) {
        if (p->macvtap)
                return network_macvtap_up(p, err);
        if (network_hostdev_refuse(p, err) < 0)
                return -1;
        if (!network_mode_own_bridge(p)) {
                if (p->bridge && !netlink_link_exists(p->bridge))
                        return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                            "bridge '%s' of network '%s' does not exist on the host", p->bridge,
                                            p->name);
                return 0;
        }
        if (!p->bridge)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                                    "network '%s' does not have a bridge name.", p->name);
        if (check_free(p, err) < 0)
                return -1;
        uint8_t mac[6];
        NetlinkBridge br = { .name = p->bridge, .mtu = p->mtu, .stp = p->stp, .delay = p->delay };
        if (p->mac && mac_parse(p->mac, mac) == 0)
                br.mac = mac;
        if (netlink_bridge_create(&br, err) < 0)
                return -1;
        for (size_t i = 0; i < p->n_ips; i++)
                if (netlink_addr_add(p->bridge, p->ips[i].address, p->ips[i].prefix, err) < 0)
                        goto undo;
        if (netlink_link_set_up(p->bridge, true, err) < 0 || firewall_up(p, err) < 0 || enable_forwarding(p, err) < 0 ||
            network_qos_up(p, err) < 0)
                goto undo;
        log_info("network %s: bridge %s up", p->name, p->bridge);
        return 0;
undo:
        firewall_down(p);
        network_qos_down(p);
        netlink_link_delete(p->bridge, NULL);
        return -1;
}

void network_host_down(const NetworkPlan *p) {
        if (!network_mode_own_bridge(p) || !p->bridge)
                return;
        firewall_down(p);
        network_qos_down(p);
        VbError err = { 0 };
        if (netlink_link_exists(p->bridge) && netlink_link_delete(p->bridge, &err) < 0)
                log_warning("network %s: %s", p->name, err.message);
}

int network_host_reattach(const NetworkPlan *p, VbError *err) {
        if (!network_mode_own_bridge(p))
                return 0;
        if (!p->bridge || !netlink_link_exists(p->bridge))
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK, "bridge '%s' of network '%s' is gone",
                                    p->bridge ? p->bridge : "", p->name);
        return firewall_up(p, err);
}
