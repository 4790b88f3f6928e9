/* network.c: Network objects (made, found, removed) and the network subsystem that holds them; network-verbs.c changes them. */
#include "network.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "uuid.h"

static Network *network_new(Connection *c, const NetworkDef *def) {
        Network *n = calloc(1, sizeof *n);
        if (!n)
                return NULL;
        n->obj.kind = OBJECT_NETWORK;
        n->obj.conn = c;
        n->obj.id = -1;
        memcpy(n->obj.uuid, def->uuid, 16);
        n->obj.name = strdup(def->name);
        if (!n->obj.name) {
                free(n);
                return NULL;
        }
        return n;
}

static void network_free(Network *n) {
        network_def_free(n->def);
        network_def_free(n->live);
        free(n->obj.name);
        free(n->driver_data);
        free(n);
}

void network_remove(Network *n, bool announce) {
        if (announce)
                notify_simple(&n->obj, NOTICE_REMOVED);
        registry_remove(&n->obj.conn->net->networks, &n->obj);
        network_free(n);
}

void network_free_all(Registry *networks) {
        while (networks->first) {
                Network *n = (Network *) networks->first;
                registry_remove(networks, &n->obj);
                network_free(n);
        }
}

const NetworkOps host_network_ops = { 0 };

NetworkSubsystem *network_subsystem_new(const NetworkOps *ops, int error_from) {
        NetworkSubsystem *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        registry_init(&s->networks);
        s->ops = ops;
        s->error_from = error_from;
        return s;
}

NetworkSubsystem *network_subsystem_free(NetworkSubsystem *s) {
        if (!s)
                return NULL;
        network_free_all(&s->networks);
        registry_done(&s->networks);
        free(s);
        return NULL;
}

int network_add(Connection *c, NetworkDef *def, bool persistent, bool active, Network **out, VbError *err) {
        Network *n = network_new(c, def);
        if (!n)
                return vb_error_errno(err, -ENOMEM, "network");
        if (registry_add(&c->net->networks, &n->obj) < 0) {
                network_free(n);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NETWORK,
                                    "network '%s' already exists", def->name);
        }
        n->persistent = persistent;
        if (persistent)
                n->def = def;
        if (active) {
                n->live = persistent ? network_def_copy(def) : def;
                n->active = n->live != NULL;
        }
        if (out)
                *out = n;
        return 0;
}

Network *network_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err) {
        Network *n = (Network *) registry_find_uuid(&c->net->networks, uuid);
        if (!n) {
                char s[UUID_STRING_LEN];
                uuid_format(uuid, s);
                vb_error_set(err, VB_ERR_NO_NETWORK, c->net->error_from, "no network with matching uuid '%s'", s);
        }
        return n;
}

Network *network_lookup_name(Connection *c, const char *name, VbError *err) {
        Network *n = (Network *) registry_find_name(&c->net->networks, name);
        if (!n)
                vb_error_set(err, VB_ERR_NO_NETWORK, c->net->error_from, "no network with matching name '%s'", name);
        return n;
}
