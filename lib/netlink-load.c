/* netlink-load.c: the functions of netlink.h, forwarded to virtbus-netlink.so, which is loaded
 * on the first call (see netlink-module.h). */
#define LOG_MODULE "netlink"
#include "netlink-module.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"

static const NetlinkOps *ops;
static char load_error[PATH_MAX + 128];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Beside the running binary first (a build tree), then the installed module directory. */
static void load(void) {
        char exe[PATH_MAX], path[PATH_MAX + 64];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
        if (slash) {
                *slash = '\0';
                snprintf(path, sizeof path, "%s/%s", exe, NETLINK_MODULE_NAME);
        }
        if (!slash || access(path, R_OK) != 0)
                snprintf(path, sizeof path, "%s/%s", MODULE_DIR, NETLINK_MODULE_NAME);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                snprintf(load_error, sizeof load_error, "cannot load the netlink module: %s", dlerror());
                log_error("%s", load_error);
                return;
        }
        const NetlinkOps *t = dlsym(h, NETLINK_MODULE_TABLE);
        if (!t || t->abi != NETLINK_MODULE_ABI) {
                snprintf(load_error, sizeof load_error, "%s is not this virtbusd's netlink module", path);
                log_error("%s", load_error);
                dlclose(h);
                return;
        }
        ops = t;
}

/* The table, or NULL with err set (err may be NULL). */
static const NetlinkOps *nl(VbError *err) {
        pthread_once(&load_once, load);
        if (!ops)
                vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "%s", load_error);
        return ops;
}

int netlink_link_exists(const char *name) {
        return nl(NULL) ? ops->link_exists(name) : 0;       /* 0 or 1 only, as netlink.c answers */
}

int netlink_link_index(const char *name) {
        return nl(NULL) ? ops->link_index(name) : 0;
}

int netlink_bridge_create(const NetlinkBridge *br, VbError *err) {
        return nl(err) ? ops->bridge_create(br, err) : -1;
}

int netlink_veth_create(const char *a, const char *b, VbError *err) {
        return nl(err) ? ops->veth_create(a, b, err) : -1;
}

int netlink_macvtap_create(const char *name, const char *lower, const char *mode, const uint8_t mac[6],
                           VbError *err) {
        return nl(err) ? ops->macvtap_create(name, lower, mode, mac, err) : -1;
}

int netlink_link_delete(const char *name, VbError *err) {
        return nl(err) ? ops->link_delete(name, err) : -1;
}

bool netlink_link_is_macvtap(const char *name) {
        return nl(NULL) ? ops->link_is_macvtap(name) : false;
}

int netlink_link_set_up(const char *name, bool up, VbError *err) {
        return nl(err) ? ops->link_set_up(name, up, err) : -1;
}

int netlink_link_set_mtu(const char *name, unsigned mtu, VbError *err) {
        return nl(err) ? ops->link_set_mtu(name, mtu, err) : -1;
}

int netlink_link_set_mac(const char *name, const uint8_t mac[6], VbError *err) {
        return nl(err) ? ops->link_set_mac(name, mac, err) : -1;
}

int netlink_link_set_master(const char *name, const char *bridge, VbError *err) {
        return nl(err) ? ops->link_set_master(name, bridge, err) : -1;
}

int netlink_link_setup(const char *name, const uint8_t mac[6], unsigned mtu, const char *bridge, bool up,
                       VbError *err) {
        return nl(err) ? ops->link_setup(name, mac, mtu, bridge, up, err) : -1;
}

int netlink_link_get_master(const char *name, char *out, VbError *err) {
        return nl(err) ? ops->link_get_master(name, out, err) : -1;
}

bool netlink_link_is_up(const char *name) {
        return nl(NULL) ? ops->link_is_up(name) : false;
}

unsigned netlink_link_mtu(const char *name) {
        return nl(NULL) ? ops->link_mtu(name) : 0;
}

int netlink_link_stats(const char *name, NetlinkLinkStats *st, VbError *err) {
        return nl(err) ? ops->link_stats(name, st, err) : -1;
}

int netlink_addr_add(const char *name, const char *address, unsigned prefix, VbError *err) {
        return nl(err) ? ops->addr_add(name, address, prefix, err) : -1;
}

int netlink_addr_has(const char *name, const char *address) {
        return nl(NULL) ? ops->addr_has(name, address) : 0;
}

int netlink_route_conflict(const char *address, unsigned prefix, char *dev, VbError *err) {
        return nl(err) ? ops->route_conflict(address, prefix, dev, err) : -1;
}

int tc_egress_shape(const char *dev, const TcRate *r, VbError *err) {
        return nl(err) ? ops->tc_egress_shape(dev, r, err) : -1;
}

int tc_ingress_shape(const char *dev, const char *ifb, const TcRate *r, VbError *err) {
        return nl(err) ? ops->tc_ingress_shape(dev, ifb, r, err) : -1;
}

int tc_tree_shape(const char *dev, const TcRate *r, VbError *err) {
        return nl(err) ? ops->tc_tree_shape(dev, r, err) : -1;
}

int tc_tree_set_default(const char *dev, const TcRate *r, VbError *err) {
        return nl(err) ? ops->tc_tree_set_default(dev, r, err) : -1;
}

int tc_tree_plug(const char *dev, unsigned id, const uint8_t mac[6], const TcRate *r, VbError *err) {
        return nl(err) ? ops->tc_tree_plug(dev, id, mac, r, err) : -1;
}

int tc_tree_unplug(const char *dev, unsigned id, VbError *err) {
        return nl(err) ? ops->tc_tree_unplug(dev, id, err) : -1;
}

int tc_tree_unplug_others(const char *dev, const unsigned *keep, size_t n_keep, VbError *err) {
        return nl(err) ? ops->tc_tree_unplug_others(dev, keep, n_keep, err) : -1;
}
