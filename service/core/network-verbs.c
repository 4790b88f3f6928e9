/* network-verbs.c: the network verbs (define, undefine, start, destroy, update, XML, leases) and the two-state machine (inactive ↔ active) they drive. */
#define LOG_MODULE "core"
#include "network.h"
#include "network-usage.h"
#include "network-port.h"

#include <errno.h>
#include <stdlib.h>

#include "driver.h"
#include "log.h"
#include "network-update.h"
#include "uuid.h"

static const NetworkOps *ops_of(Connection *c) {
        return c->net->ops;
}

/* libvirt's answer when the subsystem has no op for an API. */
static int not_supported(const char *api, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NETWORK, "%s", api);
}

void network_recovered_stopped(Network *n) {
        network_def_free(n->live);
        n->live = NULL;
        n->active = false;
        network_ports_drop(n);
        if (!n->persistent) {
                network_remove(n, false);
        }
}

static NetworkDef *network_parse_for(Connection *c, const char *xml, size_t len, Network **existing,
                                     VbError *err) {
        NetworkDef *def = network_def_parse(xml, len, 0, err);
        if (!def) {
                if (err && err->code == VB_ERR_XML_DETAIL)
                        err->from = VB_FROM_NETWORK;
                return NULL;
        }
        char s[UUID_STRING_LEN];
        Network *by_uuid = (Network *) registry_find_uuid(&c->net->networks, def->uuid);
        Network *by_name = (Network *) registry_find_name(&c->net->networks, def->name);
        if (by_name && by_name != by_uuid) {
                uuid_format(by_name->obj.uuid, s);
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                             "network '%s' already exists with uuid %s", def->name, s);
                return network_def_free(def);
        }
        if (by_uuid && !by_name) {
                uuid_format(by_uuid->obj.uuid, s);
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                             "network '%s' is already defined with uuid %s", by_uuid->obj.name, s);
                return network_def_free(def);
        }
        const NetworkOps *ops = ops_of(c);
        if (ops->post_parse && ops->post_parse(c, by_uuid, def, err) < 0)
                return network_def_free(def);
        *existing = by_uuid;
        return def;
}

/* The end of a start, now or later: active with its running definition, or back as it was. */
static void *finish_start(Object *o, void *data, int *r, VbError *err) {
        Network *n = (Network *) o;
        if (*r < 0) {
                if (n->persistent) {
                        network_def_free(n->live);
                        n->live = NULL;
                }
                return NULL;
        }
        n->active = true;
        log_info("network %s: inactive → active", n->obj.name);
        notify_lifecycle(&n->obj, NETWORK_EVENT_STARTED, 0);
        notify_changed(&n->obj, PROP_ACTIVE);
        return n;
}

/* A transient network that did not start leaves no trace. */
static void *finish_create(Object *o, void *data, int *r, VbError *err) {
        Network *n = finish_start(o, data, r, err);
        if (*r < 0)
                network_remove((Network *) o, true);
        return n;
}

static void *finish_stop(Object *o, void *data, int *r, VbError *err) {
        Network *n = (Network *) o;
        if (*r < 0)
                return NULL;
        if (n->persistent) {
                network_def_free(n->live);
                n->live = NULL;
        }
        n->active = false;
        network_ports_drop(n);
        log_info("network %s: active → inactive", n->obj.name);
        notify_lifecycle(&n->obj, NETWORK_EVENT_STOPPED, 0);
        notify_changed(&n->obj, PROP_ACTIVE);
        if (!n->persistent)
                network_remove(n, true);
        return NULL;
}

/* Run a start/stop op inside the network's job; the job has been taken. */
static int network_run(Network *n, int (*op)(Network *, Call *, VbError *), JobFinishFn finish, Call *call,
                       VbError *err) {
        n->job.finish = finish;
        n->job.call = call ? call_ref(call) : NULL;
        log_debug("network %s: job %s begins", n->obj.name, n->job.name);
        return job_settle(&n->job, &n->obj, op(n, call, err), err);
}

void network_job_done(Network *n, int r, const VbError *err) {
        job_done(&n->job, &n->obj, r, err);
}

static int network_start_job(Network *n, JobFinishFn finish, Call *call, VbError *err) {
        if (job_begin(&n->job, "start", VB_FROM_NETWORK, err) < 0)
                return -1;
        if (!n->live && !(n->live = network_def_copy(n->def))) {
                job_settle(&n->job, &n->obj, -1, NULL);
                return vb_error_errno(err, -ENOMEM, "network");
        }
        return network_run(n, ops_of(n->obj.conn)->start, finish, call, err);
}

int network_define(Connection *c, const char *xml, size_t len, unsigned flags, Network **out, VbError *err) {
        if (vb_check_flags(flags, 1, "virNetworkDefineXMLFlags", err) < 0)
                return -1;
        const NetworkOps *ops = ops_of(c);
        if (!ops->define)
                return not_supported(flags ? "virNetworkDefineXMLFlags" : "virNetworkDefineXML", err);
        Network *n = NULL;
        NetworkDef *def = network_parse_for(c, xml, len, &n, err);
        if (!def)
                return -1;
        if (!n) {
                if (network_add(c, def, true, false, &n, err) < 0) {
                        network_def_free(def);
                        return -1;
                }
                if (ops->define(n, def, err) < 0) {
                        network_remove(n, false);
                        return -1;
                }
                notify_simple(&n->obj, NOTICE_ADDED);
                notify_lifecycle(&n->obj, NETWORK_EVENT_DEFINED, 0);
        } else {
                if (job_begin(&n->job, "define", VB_FROM_NETWORK, err) < 0) {
                        network_def_free(def);
                        return -1;
                }
                int r = ops->define(n, def, err);
                job_settle(&n->job, &n->obj, r < 0 ? -1 : 0, NULL);
                if (r < 0) {
                        network_def_free(def);
                        return -1;
                }
                bool was_persistent = n->persistent;
                network_def_free(n->def);
                n->def = def;
                n->persistent = true;
                notify_lifecycle(&n->obj, NETWORK_EVENT_DEFINED, 0);
                notify_changed(&n->obj, (was_persistent ? 0 : PROP_PERSISTENT) | (n->active ? 0 : PROP_BRIDGE));
        }
        if (out)
                *out = n;
        return 0;
}

int network_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call, Network **out,
                       VbError *err) {
        if (vb_check_flags(flags, 1, "virNetworkCreateXMLFlags", err) < 0)
                return -1;
        if (!ops_of(c)->start)
                return not_supported(flags ? "virNetworkCreateXMLFlags" : "virNetworkCreateXML", err);
        Network *n = NULL;
        NetworkDef *def = network_parse_for(c, xml, len, &n, err);
        if (!def)
                return -1;
        if (n) {
                network_def_free(def);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "network '%s' already exists", n->obj.name);
        }
        if (network_add(c, def, false, false, &n, err) < 0) {
                network_def_free(def);
                return -1;
        }
        n->live = def;
        notify_simple(&n->obj, NOTICE_ADDED);
        Network *created = n;
        int r = network_start_job(n, finish_create, call, err);
        if (r >= 0 && out)
                *out = created;
        return r;
}

int network_undefine(Network *n, VbError *err) {
        const NetworkOps *ops = ops_of(n->obj.conn);
        if (!ops->undefine)
                return not_supported("virNetworkUndefine", err);
        if (!n->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "network '%s' is not persistent", n->obj.name);
        if (job_begin(&n->job, "undefine", VB_FROM_NETWORK, err) < 0)
                return -1;
        int r = ops->undefine(n, err);
        job_settle(&n->job, &n->obj, r < 0 ? -1 : 0, NULL);
        if (r < 0)
                return -1;
        notify_lifecycle(&n->obj, NETWORK_EVENT_UNDEFINED, 0);
        if (n->active) {
                network_def_free(n->def);
                n->def = NULL;
                unsigned changed = PROP_PERSISTENT | (n->autostart ? PROP_AUTOSTART : 0);
                n->persistent = n->autostart = false;
                notify_changed(&n->obj, changed);
        } else {
                network_remove(n, true);
        }
        return 0;
}

int network_start(Network *n, Call *call, VbError *err) {
        if (!ops_of(n->obj.conn)->start)
                return not_supported("virNetworkCreate", err);
        if (n->active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, n->obj.conn->net->error_from,
                                    "Network '%s' is already running", n->obj.name);
        return network_start_job(n, finish_start, call, err);
}

int network_destroy(Network *n, Call *call, VbError *err) {
        const NetworkOps *ops = ops_of(n->obj.conn);
        if (!ops->stop)
                return not_supported("virNetworkDestroy", err);
        if (!n->active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "network '%s' is not active", n->obj.name);
        if (job_begin(&n->job, "destroy", VB_FROM_NETWORK, err) < 0)
                return -1;
        return network_run(n, ops->stop, finish_stop, call, err);
}

int network_set_autostart(Network *n, bool autostart, VbError *err) {
        if (!ops_of(n->obj.conn)->define)
                return not_supported("virNetworkSetAutostart", err);
        if (!n->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "cannot set autostart for transient network");
        if (n->job.name)
                return job_begin(&n->job, "autostart", VB_FROM_NETWORK, err);
        if (n->autostart == autostart)
                return 0;
        const NetworkOps *ops = ops_of(n->obj.conn);
        if (ops->set_autostart && ops->set_autostart(n, autostart, err) < 0)
                return -1;
        n->autostart = autostart;
        notify_changed(&n->obj, PROP_AUTOSTART);
        return 0;
}

char *network_get_xml(Network *n, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, NETWORK_FORMAT_INACTIVE, "virNetworkGetXMLDesc", err) < 0)
                return NULL;
        const NetworkDef *def = (flags & NETWORK_FORMAT_INACTIVE) && n->def ? n->def : (n->live ? n->live : n->def);
        if (def == n->live && n->obj.conn->net == n->obj.conn->manager->host_networks)
                network_usage_count(n, NULL);   /* <network connections='N'>, as libvirt shows them */
        char *xml = network_def_format(def, flags);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format network XML");
        return xml;
}

const char *network_bridge_name(Network *n, VbError *err) {
        const NetworkDef *def = n->live ? n->live : n->def;
        if (!def->bridge) {
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK,
                             "network '%s' does not have a bridge name.", n->obj.name);
                return NULL;
        }
        return def->bridge;
}

int network_get_dhcp_leases(Network *n, const char *mac, unsigned flags, NetworkLease **out, size_t *n_out,
                            VbError *err) {
        *out = NULL;
        *n_out = 0;
        if (vb_check_flags(flags, 0, "virNetworkGetDHCPLeases", err) < 0)
                return -1;
        const NetworkOps *ops = ops_of(n->obj.conn);
        if (!ops->get_dhcp_leases)
                return not_supported("virNetworkGetDHCPLeases", err);
        return ops->get_dhcp_leases(n, mac, out, n_out, err);
}

void network_leases_free(NetworkLease *leases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(leases[i].iface);
                free(leases[i].mac);
                free(leases[i].iaid);
                free(leases[i].ipaddr);
                free(leases[i].hostname);
                free(leases[i].clientid);
        }
        free(leases);
}

/* A copy of def with the update applied, or NULL with err set. */
static NetworkDef *updated_copy(const NetworkDef *def, unsigned command, unsigned section, int parent_index,
                                const char *xml, VbError *err) {
        NetworkDef *copy = network_def_copy(def);
        if (!copy) {
                vb_error_errno(err, -ENOMEM, "network");
                return NULL;
        }
        for (size_t i = 0; i < copy->n_forward_ifs; i++) {   /* the live counts (a device in use stays) */
                const NetworkForwardIf *was = network_def_forward_if(def, copy->forward_ifs[i].dev);
                copy->forward_ifs[i].connections = was ? was->connections : 0;
        }
        if (network_def_update(copy, command, section, parent_index, xml, err) < 0)
                return network_def_free(copy);
        return copy;
}

typedef struct UpdateData {
        NetworkDef *def, *live;         /* the edited definitions, installed when the op succeeds */
        unsigned section, command;
        bool config, live_too;
} UpdateData;

static void *finish_update(Object *o, void *data, int *r, VbError *err) {
        Network *n = (Network *) o;
        UpdateData *u = data;
        if (*r == 0) {
                if (u->def) {
                        network_def_free(n->def);
                        n->def = u->def;
                        u->def = NULL;
                }
                if (u->live) {
                        network_def_free(n->live);
                        n->live = u->live;
                        u->live = NULL;
                }
                log_info("network %s: updated (section %u, command %u,%s%s)", n->obj.name, u->section, u->command,
                         u->config ? " config" : "", u->live_too ? " live" : "");
        }
        network_def_free(u->def);
        network_def_free(u->live);
        free(u);
        return NULL;
}

int network_update(Network *n, unsigned command, unsigned section, int parent_index, const char *xml,
                   unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, NETWORK_UPDATE_AFFECT_LIVE | NETWORK_UPDATE_AFFECT_CONFIG, "virNetworkUpdate",
                           err) < 0)
                return -1;
        const NetworkOps *ops = ops_of(n->obj.conn);
        if (!ops->update)
                return not_supported("virNetworkUpdate", err);
        bool live = flags & NETWORK_UPDATE_AFFECT_LIVE, config = flags & NETWORK_UPDATE_AFFECT_CONFIG;
        if (!live && !config) {
                live = n->active;
                config = !n->active;
        }
        if (live && !n->active)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK, "network is not running");
        if (config && !n->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_NETWORK,
                                    "cannot change persistent config of a transient network");
        UpdateData *u = calloc(1, sizeof *u);
        if (!u)
                return vb_error_errno(err, -ENOMEM, "network");
        *u = (UpdateData) { .section = section, .command = command, .config = config, .live_too = live };
        if (live && n->obj.conn->net == n->obj.conn->manager->host_networks)
                network_usage_count(n, NULL);
        if ((config && !(u->def = updated_copy(n->def, command, section, parent_index, xml, err))) ||
            (live && !(u->live = updated_copy(n->live, command, section, parent_index, xml, err)))) {
                finish_update(&n->obj, u, &(int) { -1 }, err);
                return -1;
        }
        if (job_begin(&n->job, "update", VB_FROM_NETWORK, err) < 0) {
                finish_update(&n->obj, u, &(int) { -1 }, err);
                return -1;
        }
        n->job.finish = finish_update;
        n->job.data = u;
        n->job.call = call ? call_ref(call) : NULL;
        return job_settle(&n->job, &n->obj, ops->update(n, u->def, u->live, section, err), err);
}
