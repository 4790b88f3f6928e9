/* kinds.c: the per-kind table of a connection's objects (domains, networks, pools, volumes). */
#include "kinds.h"

#include "domain.h"
#include "domain-load.h"
#include "host.h"
#include "network.h"
#include "nwfilter.h"
#include "secret.h"
#include "storage.h"

static Registry *domains_of(Connection *c) {
        return &c->domains;
}

static Registry *networks_of(Connection *c) {
        return c->net ? &c->net->networks : NULL;
}

static Registry *pools_of(Connection *c) {
        return c->storage ? &c->storage->pools : NULL;
}

static void release_domains(Connection *c) {
        domain_free_all(c);
        registry_done(&c->domains);
}

static void release_networks(Connection *c) {
        if (c->net != c->manager->host_networks)
                network_subsystem_free(c->net);
        c->net = NULL;
}

static void release_pools(Connection *c) {     /* and their volumes */
        if (c->storage != c->manager->host_storage)
                storage_subsystem_free(c->storage);
        c->storage = NULL;
}

static const ObjectKindOps kinds[_OBJECT_KIND_MAX] = {
        [OBJECT_DOMAIN] = { "domain", domains_of, domain_load_all, release_domains },
        [OBJECT_NETWORK] = { "network", networks_of, NULL, release_networks },
        [OBJECT_POOL] = { "pool", pools_of, pool_load_all, release_pools },
        [OBJECT_VOLUME] = { "volume", NULL, NULL, NULL },
        [OBJECT_SECRET] = { "secret", secret_registry_of, secret_load_all, secret_release },
        [OBJECT_NWFILTER] = { "nwfilter", nwfilter_registry_of, nwfilter_load_all, nwfilter_release },
};

const ObjectKindOps *object_kind_ops(ObjectKind kind) {
        return kind < _OBJECT_KIND_MAX ? &kinds[kind] : NULL;
}

Registry *connection_registry(Connection *c, ObjectKind kind) {
        const ObjectKindOps *k = object_kind_ops(kind);
        return k && k->registry ? k->registry(c) : NULL;
}

int connection_load_all(Connection *c) {
        int refused = 0;
        for (int k = 0; k < _OBJECT_KIND_MAX; k++) {
                if (!kinds[k].load_all)
                        continue;
                int r = kinds[k].load_all(c);
                if (r < 0)
                        return r;
                refused += r;
        }
        return refused;
}

void connection_release_all(Connection *c) {
        for (int k = _OBJECT_KIND_MAX - 1; k >= 0; k--)
                if (kinds[k].release)
                        kinds[k].release(c);
}
