/* logical-pool.c: logical pools: an LVM volume group through Debian's lvm2 tools. */
#define LOG_MODULE "storage"
#include "storage-backend.h"

const StorageBackend storage_backend_logical = {
        .type = "logical",
};
