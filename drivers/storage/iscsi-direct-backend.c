/* iscsi-direct-backend.c: the iscsi-direct entry of the storage backend table: its LUNs are made by the target's admin, so what would create, resize or delete one is refused with libvirt's texts. */
#include "iscsi-direct.h"

static int refuse(VbError *err, const char *what) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", what);
}

static int iscsi_direct_build(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        (void) p, (void) flags, (void) call;
        return refuse(err, "virStoragePoolBuild: an iscsi-direct pool has nothing to build");
}

static int iscsi_direct_remove(StoragePool *p, unsigned flags, Call *call, VbError *err) {
        (void) p, (void) flags, (void) call;
        return refuse(err, "pool does not support pool deletion");
}

static int iscsi_direct_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        (void) p, (void) def, (void) from, (void) call;
        return refuse(err, "storage pool does not support volume creation");
}

static int iscsi_direct_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        (void) v, (void) flags, (void) call;
        return refuse(err, "storage pool does not support volume deletion");
}

static int iscsi_direct_vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err) {
        (void) v, (void) capacity, (void) flags, (void) call;
        return refuse(err, "storage pool does not support changing of volume capacity");
}

const StorageBackend storage_backend_iscsi_direct = {
        .type = "iscsi-direct",
        .no_target_path = true,
        .check = iscsi_direct_post_parse,
        .build = iscsi_direct_build,
        .start = iscsi_direct_pool_start,
        .stop = iscsi_direct_pool_stop,
        .refresh = iscsi_direct_pool_refresh,
        .remove = iscsi_direct_remove,
        .vol_create = iscsi_direct_vol_create,
        .vol_delete = iscsi_direct_vol_delete,
        .vol_wipe = iscsi_direct_vol_wipe,
        .vol_resize = iscsi_direct_vol_resize,
        .vol_download = iscsi_direct_vol_download,
        .vol_upload = iscsi_direct_vol_upload,
        .network_source = iscsi_direct_network_source,
        /* no vol_open: a LUN is no descriptor (a clone from it is refused as not supported) */
};
