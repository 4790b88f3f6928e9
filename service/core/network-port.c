/* network-port.c: virNetworkPort in the core: guest NICs' ports from the running guests of every connection, and
 * clients' records persisted under the network's run directory. */
#include "network-port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "domain-iftune.h"
#include "domain-model.h"
#include "host.h"
#include "log.h"
#include "persist.h"
#include "uuid.h"

#define NETWORK_PORTS_MAX 4096u         /* records one network keeps */

typedef struct PortList {
        NetPortDef **ports;
        size_t n;
        int r;
} PortList;

static int list_add(PortList *l, NetPortDef *p) {
        if (!p)
                return -ENOMEM;
        NetPortDef **grown = realloc(l->ports, (l->n + 1) * sizeof *grown);
        if (!grown) {
                netport_def_free(p);
                return -ENOMEM;
        }
        l->ports = grown;
        l->ports[l->n++] = p;
        return 0;
}

void network_ports_free(NetPortDef **ports, size_t n) {
        for (size_t i = 0; i < n; i++)
                netport_def_free(ports[i]);
        free(ports);
}

/* Ports belong to the host's networks; a connection with networks of its own (the test driver) has none. */
static int check_served(Network *n, const char *api, VbError *err) {
        Connection *c = n->obj.conn;
        if (c->net != c->manager->host_networks || !c->manager->run_root)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NETWORK, "%s", api);
        return 0;
}

static char *records_dir(Network *n) {
        char *dir = NULL;
        if (asprintf(&dir, "%s/network/%s.ports", n->obj.conn->manager->run_root, n->obj.name) < 0)
                return NULL;
        return dir;
}

/* A guest NIC's port UUID: the domain's, its last six bytes mixed with the NIC's MAC, as a version 4 UUID, so
 * the same NIC has the same port across daemon restarts. */
void network_port_guest_uuid(const uint8_t dom[16], const uint8_t mac[6], uint8_t out[16]) {
        memcpy(out, dom, 16);
        for (size_t i = 0; i < 6; i++)
                out[10 + i] ^= mac[i];
        out[6] = (uint8_t) ((out[6] & 0x0f) | 0x40);
        out[8] = (uint8_t) ((out[8] & 0x3f) | 0x80);
}

static int dup_str(char **dst, const char *src) {
        *dst = src ? strdup(src) : NULL;
        return src && !*dst ? -1 : 0;
}

static NetPortDef *guest_port(Network *n, const Domain *d, const DomainInterface *nic) {
        NetPortDef *p = calloc(1, sizeof *p);
        if (!p)
                return NULL;
        network_port_guest_uuid(d->obj.uuid, nic->mac, p->uuid);
        memcpy(p->owner_uuid, d->obj.uuid, 16);
        memcpy(p->mac, nic->mac, 6);
        /* the NIC's bandwidth in its running definition (its own, or its portgroup's) */
        p->in = (NetPortRate) { nic->bw_in.average, nic->bw_in.peak, nic->bw_in.floor, nic->bw_in.burst };
        p->out = (NetPortRate) { nic->bw_out.average, nic->bw_out.peak, 0, nic->bw_out.burst };
        const char *mode = n->live ? n->live->forward_mode : NULL;
        bool bridged = mode && strcmp(mode, "bridge") == 0;
        /* a macvtap network's NIC: <plug type='direct' dev='…' mode='…'/>, as libvirt */
        bool direct = network_def_is_macvtap(n->live) && nic->source_dev;
        if (dup_str(&p->owner_name, d->obj.name) < 0 || dup_str(&p->group, nic->source_portgroup) < 0 ||
            dup_str(&p->plug_type, direct ? "direct" : bridged ? "bridge" : "network") < 0 ||
            dup_str(&p->plug_bridge, n->live && !direct ? n->live->bridge : NULL) < 0 ||
            (direct && (dup_str(&p->plug_dev, nic->source_dev) < 0 || dup_str(&p->plug_mode, mode) < 0)))
                return netport_def_free(p);
        return p;
}

/* Call fn for each type-network NIC of a running guest on n; stop at fn's first non-zero answer. */
static int each_guest_nic(Network *n, int (*fn)(Network *n, Domain *d, const DomainInterface *nic, void *data),
                          void *data) {
        Manager *m = n->obj.conn->manager;
        for (size_t c = 0; c < m->n_conns; c++) {
                if (m->conns[c]->net != n->obj.conn->net)
                        continue;
                REGISTRY_FOREACH(o, &m->conns[c]->domains) {
                        Domain *d = (Domain *) o;
                        if (!domain_is_active(d) || !d->live)
                                continue;
                        const DomainDevices *devs = &d->live->priv->devices;
                        for (size_t i = 0; i < devs->n_interfaces; i++) {
                                const DomainInterface *nic = &devs->interfaces[i];
                                if (!nic->type || strcmp(nic->type, "network") != 0 || !nic->source_network ||
                                    strcmp(nic->source_network, n->obj.name) != 0)
                                        continue;
                                int r = fn(n, d, nic, data);
                                if (r != 0)
                                        return r;
                        }
                }
        }
        return 0;
}

typedef struct FloorUses {
        NetworkFloorUse *out;
        size_t n, max;
} FloorUses;

static int add_floor_use(Network *n, Domain *d, const DomainInterface *nic, void *data) {
        FloorUses *u = data;
        if (!nic->bw_in.floor)
                return 0;
        if (u->n == u->max)
                return 1;
        NetworkFloorUse *f = &u->out[u->n++];
        memcpy(f->mac, nic->mac, 6);
        f->floor = nic->bw_in.floor;
        f->tap = nic->target_dev;
        return 0;
}

size_t network_port_floors(Network *n, NetworkFloorUse *out, size_t max) {
        FloorUses u = { out, 0, max };
        if (n->active)
                each_guest_nic(n, add_floor_use, &u);
        return u.n;
}

static int add_guest_port(Network *n, Domain *d, const DomainInterface *nic, void *data) {
        int r = list_add(data, guest_port(n, d, nic));
        return r < 0 ? r : 0;
}

static int add_guest_ports(Network *n, PortList *l) {
        return each_guest_nic(n, add_guest_port, l);
}

typedef struct GuestMatch {
        const uint8_t *uuid;
        Domain *d;
        uint8_t mac[6];
} GuestMatch;

static int match_guest_port(Network *n, Domain *d, const DomainInterface *nic, void *data) {
        GuestMatch *g = data;
        uint8_t u[16];
        network_port_guest_uuid(d->obj.uuid, nic->mac, u);
        if (memcmp(u, g->uuid, 16) != 0)
                return 0;
        g->d = d;
        memcpy(g->mac, nic->mac, 6);
        return 1;
}

/* The running guest whose NIC is the port with uuid (mac_out: the NIC's MAC), or NULL (a client's
 * record, or no such port). */
static Domain *port_guest(Network *n, const uint8_t uuid[16], uint8_t mac_out[6]) {
        GuestMatch g = { .uuid = uuid };
        if (!n->active || each_guest_nic(n, match_guest_port, &g) != 1)
                return NULL;
        memcpy(mac_out, g.mac, 6);
        return g.d;
}

/* What a change of the port with uuid first asks: flags 0 (api names the call) and the port there. */
static int port_change_check(Network *n, const uint8_t uuid[16], unsigned flags, const char *api, VbError *err) {
        if (vb_check_flags(flags, 0, api, err) < 0)
                return -1;
        NetPortDef *p = network_port_get(n, uuid, err);
        if (!p)
                return -1;
        netport_def_free(p);
        return 0;
}

int network_port_set_parameters(Network *n, const uint8_t uuid[16], const DomainTuneParam *params, size_t count,
                                unsigned flags, Call *call, VbError *err) {
        if (port_change_check(n, uuid, flags, "networkPortSetParameters", err) < 0 ||
            domain_iftune_params_check(params, count, err) < 0)
                return -1;
        if (count == 0)
                return 0;
        uint8_t mac[6];
        Domain *d = port_guest(n, uuid, mac);
        if (!d)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NETWORK, "%s",
                                    "virNetworkPortSetParameters: virtbus shapes only the ports of running guests' "
                                    "interfaces");
        char dev[18];
        mac_format(mac, dev);
        return domain_set_interface_params(d, dev, params, count, DOMAIN_AFFECT_LIVE, call, err);
}

static int load_record(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        PortList *l = userdata;
        VbError err = { 0 };
        NetPortDef *p = netport_def_parse(data, len, &err);
        if (!p) {
                log_warning("network port record %s/%s: %s", dir, name, err.message);
                vb_error_clear(&err);
                return -1;
        }
        l->r = list_add(l, p);
        return 0;
}

static int add_records(Network *n, PortList *l) {
        char *dir = records_dir(n);
        if (!dir)
                return -ENOMEM;
        int r = persist_load_dir(dir, ".xml", load_record, l);
        free(dir);
        return r < 0 ? r : l->r;
}

static int collect(Network *n, PortList *l, VbError *err) {
        if (check_served(n, "virNetworkListAllPorts", err) < 0)
                return -1;
        if (!n->active)
                return 0;
        int r = add_guest_ports(n, l);
        if (r >= 0)
                r = add_records(n, l);
        if (r < 0) {
                network_ports_free(l->ports, l->n);
                return vb_error_errno(err, r, "network ports");
        }
        return 0;
}

int network_ports_list(Network *n, unsigned flags, NetPortDef ***out, size_t *n_out, VbError *err) {
        PortList l = { 0 };
        if (vb_check_flags(flags, 0, "networkListAllPorts", err) < 0 || collect(n, &l, err) < 0)
                return -1;
        *out = l.ports;
        *n_out = l.n;
        return 0;
}

static NetPortDef *take(PortList *l, const uint8_t uuid[16]) {
        NetPortDef *found = NULL;
        for (size_t i = 0; i < l->n; i++)
                if (!found && memcmp(l->ports[i]->uuid, uuid, 16) == 0) {
                        found = l->ports[i];
                        l->ports[i] = NULL;
                }
        network_ports_free(l->ports, l->n);
        return found;
}

static int not_found(const uint8_t uuid[16], VbError *err) {
        char s[UUID_STRING_LEN];
        uuid_format(uuid, s);
        return vb_error_set(err, VB_ERR_NO_NETWORK_PORT, VB_FROM_NETWORK, "Network port with UUID %s does not exist", s);
}

NetPortDef *network_port_get(Network *n, const uint8_t uuid[16], VbError *err) {
        PortList l = { 0 };
        if (collect(n, &l, err) < 0)
                return NULL;
        NetPortDef *p = take(&l, uuid);
        if (!p)
                not_found(uuid, err);
        return p;
}

static bool is_guest_port(Network *n, const uint8_t uuid[16]) {
        PortList l = { 0 };
        bool found = false;
        if (add_guest_ports(n, &l) == 0)
                for (size_t i = 0; i < l.n && !found; i++)
                        found = memcmp(l.ports[i]->uuid, uuid, 16) == 0;
        network_ports_free(l.ports, l.n);
        return found;
}

int network_port_create(Network *n, const char *xml, size_t len, unsigned flags, uint8_t uuid_out[16],
                        VbError *err) {
        if (vb_check_flags(flags, 0, "networkPortCreateXML", err) < 0 || check_served(n, "virNetworkPortCreateXML", err) < 0)
                return -1;
        if (!n->active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK, "network '%s' is not active",
                                    n->obj.name);
        NetPortDef *def = netport_def_parse(xml, len, err);
        if (!def)
                return -1;
        PortList l = { 0 };
        int r = collect(n, &l, err);
        size_t count = l.n;
        NetPortDef *same = r < 0 ? NULL : take(&l, def->uuid);
        char s[UUID_STRING_LEN];
        uuid_format(def->uuid, s);
        if (r >= 0 && same)
                r = vb_error_set(err, VB_ERR_NETWORK_PORT_EXIST, VB_FROM_NETWORK,
                                 "Network port with UUID %s already exists", s);
        else if (r >= 0 && count >= NETWORK_PORTS_MAX)
                r = vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                 "network '%s' has %u ports already, the most it keeps", n->obj.name,
                                 NETWORK_PORTS_MAX);
        netport_def_free(same);
        char *text = r < 0 ? NULL : netport_def_format(def);
        char *dir = r < 0 ? NULL : records_dir(n);
        char name[UUID_STRING_LEN + 4];
        snprintf(name, sizeof name, "%s.xml", s);
        if (r >= 0 && (!text || !dir))
                r = vb_error_errno(err, -ENOMEM, "network_port_create");
        if (r >= 0 && (persist_ensure_dir(dir, err) < 0 || persist_write(dir, name, text, strlen(text), err) < 0))
                r = -1;
        if (r >= 0)
                memcpy(uuid_out, def->uuid, 16);
        free(text);
        free(dir);
        netport_def_free(def);
        return r < 0 ? -1 : 0;
}

int network_port_delete(Network *n, const uint8_t uuid[16], unsigned flags, VbError *err) {
        if (port_change_check(n, uuid, flags, "networkPortDelete", err) < 0)
                return -1;
        char s[UUID_STRING_LEN];
        uuid_format(uuid, s);
        if (is_guest_port(n, uuid))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "network port %s belongs to a running guest's interface: detach the interface "
                                    "or stop the guest instead", s);
        char *dir = records_dir(n);
        char name[UUID_STRING_LEN + 4];
        snprintf(name, sizeof name, "%s.xml", s);
        int r = dir ? persist_remove(dir, name, err) : vb_error_errno(err, -ENOMEM, "network_port_delete");
        free(dir);
        return r < 0 ? -1 : 0;
}

static int drop_record(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        (void) data, (void) len, (void) userdata;
        VbError err = { 0 };
        if (persist_remove(dir, name, &err) < 0)
                log_warning("network port record %s/%s: %s", dir, name, err.message);
        vb_error_clear(&err);
        return 0;
}

void network_ports_drop(Network *n) {
        Connection *c = n->obj.conn;
        if (c->net != c->manager->host_networks || !c->manager->run_root)
                return;
        char *dir = records_dir(n);
        if (dir) {
                persist_load_dir(dir, ".xml", drop_record, NULL);
                rmdir(dir);
        }
        free(dir);
}
