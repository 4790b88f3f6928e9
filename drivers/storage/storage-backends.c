/* storage-backends.c: the host's storage backends by pool type, and a volume's storage opened by
 * the backend of its pool (dir-stream.c, wipe.c, dir-vol*.c use it for any pool's volume). */
#include <string.h>

#include "storage-backend.h"

static const StorageBackend *const backends[] = {
        &storage_backend_dir, &storage_backend_fs, &storage_backend_logical,
        &storage_backend_iscsi_direct,
};

const StorageBackend *storage_backend_of_type(const char *type) {
        for (size_t i = 0; i < sizeof backends / sizeof *backends; i++)
                if (strcmp(backends[i]->type, type) == 0)
                        return backends[i];
        return NULL;
}

const StorageBackend *storage_backend_of(const StoragePool *p) {
        return storage_backend_of_type(p->def->type);
}

int storage_no_support(const StoragePool *p, const char *what, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s of a '%s' pool", what, p->def->type);
}

int storage_vol_open(StorageVol *v, int flags, uint64_t *size, VbError *err) {
        const StorageBackend *b = storage_backend_of(v->pool);
        if (!b || !b->vol_open)
                return storage_no_support(v->pool, "volume access", err);
        return b->vol_open(v, flags, size, err);
}
