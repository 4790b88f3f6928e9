/* host.h: the network and storage subsystems, their types (network.c and storage-pool.c make and
 * free them). Host-wide ones belong to the Manager (as libvirt's virtnetworkd and and
 * virtstoraged: every QEMU connection sees the same networks and pools); a driver that keeps its
 * own in memory (Test) gets private ones inside its connection. */
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
