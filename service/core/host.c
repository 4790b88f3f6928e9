/* host.c: network and storage subsystems: their registries, their ops, and their end. */
#include "host.h"

#include <stdlib.h>

#include "driver.h"
#include "network.h"
#include "storage.h"

const NetworkOps host_network_ops = { 0 };
const PoolOps host_pool_ops = { 0 };

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

StorageSubsystem *storage_subsystem_new(const PoolOps *ops, int error_from) {
        StorageSubsystem *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        registry_init(&s->pools);
        hashmap_init(&s->vols_by_key);
        hashmap_init(&s->vols_by_path);
        s->ops = ops;
        s->error_from = error_from;
        return s;
}

StorageSubsystem *storage_subsystem_free(StorageSubsystem *s) {
        if (!s)
                return NULL;
        pool_free_all(&s->pools);
        registry_done(&s->pools);
        hashmap_done(&s->vols_by_key);
        hashmap_done(&s->vols_by_path);
        free(s);
        return NULL;
}
