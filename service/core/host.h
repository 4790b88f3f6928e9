/* host.h: the network and storage subsystems. Host-wide ones belong to the Manager (as libvirt's
 * virtnetworkd and virtstoraged: every QEMU connection sees the same networks and pools); a
 * driver that keeps its own in memory (Test) gets private ones inside its connection. */
#pragma once

#include <stdbool.h>

#include "hashmap.h"
#include "object.h"

typedef struct NetworkOps NetworkOps;
typedef struct PoolOps PoolOps;

typedef struct NetworkSubsystem {
        Registry networks;
        const NetworkOps *ops;  /* never NULL; a missing op answers "not supported" */
        int error_from;         /* origin of lookup errors: VB_FROM_NETWORK, or the driver's */
        void *driver_data;      /* the host network driver's state (drivers/network) */
} NetworkSubsystem;

typedef struct StorageSubsystem {
        Registry pools;
        HashMap vols_by_key, vols_by_path;
        const PoolOps *ops;
        int error_from;
        bool loaded;            /* persistent pools read (ops->load_all ran) */
} StorageSubsystem;

/* The host's default backends: none (the daemon attaches drivers/storage's to the storage subsystem), so every
 * verb that would change the host answers "not supported". */
extern const NetworkOps host_network_ops;
extern const PoolOps host_pool_ops;

NetworkSubsystem *network_subsystem_new(const NetworkOps *ops, int error_from);
NetworkSubsystem *network_subsystem_free(NetworkSubsystem *s);
StorageSubsystem *storage_subsystem_new(const PoolOps *ops, int error_from);
StorageSubsystem *storage_subsystem_free(StorageSubsystem *s);
