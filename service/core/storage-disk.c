/* storage-disk.c: a guest disk of type 'volume' resolved through the connection's storage: the pool and volume it names become the file or block device QEMU opens. */
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "driver.h"
#include "storage.h"

static int resolve_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_STORAGE, NULL);
}

static bool pool_ops_network_source(StoragePool *p) {
        return p->obj.conn->storage->ops->network_source != NULL;
}

/* A network volume (an iscsi-direct LUN): the backend says where it is; the disk keeps
 * type='volume' in the XML and carries the location for the QEMU command line. */
static int resolve_network(StoragePool *p, StorageVol *v, DomainDisk *disk, VbError *err) {
        DomainDiskNet *net = calloc(1, sizeof *net);
        if (!net)
                return resolve_oom(err);
        if (p->obj.conn->storage->ops->network_source(v, net, err) < 0) {
                domain_disk_net_free(net);
                return -1;
        }
        domain_disk_net_free(disk->net);
        disk->net = net;
        if (!disk->driver_type && !(disk->driver_type = strdup("raw")))
                return resolve_oom(err);
        return 0;
}

static int resolve_disk(Connection *c, DomainDisk *disk, VbError *err) {
        if (!disk->source_pool || !disk->source_volume)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                    "disk '%s' of type 'volume' needs <source pool='…' volume='…'/>",
                                    disk->target_dev ? disk->target_dev : "");
        StoragePool *p = pool_lookup_name(c, disk->source_pool, err);
        if (!p)
                return -1;
        if (!pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' containing volume '%s' is not active", disk->source_pool,
                                    disk->source_volume);
        StorageVol *v = vol_lookup_name(p, disk->source_volume, err);
        if (!v)
                return -1;
        const char *vtype = v->def->type ? v->def->type : "file";
        if (strcmp(vtype, "network") == 0 && pool_ops_network_source(p))
                return resolve_network(p, v, disk, err);
        bool block = strcmp(vtype, "block") == 0;
        if (!block && strcmp(vtype, "file") != 0)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_STORAGE,
                                    "volume '%s' of pool '%s' is of type '%s': only file and block volumes can be disks",
                                    disk->source_volume, disk->source_pool, vtype);
        char *path = strdup(v->def->path), *type = strdup(block ? "block" : "file");
        char *format = !disk->driver_type && v->def->format ? strdup(v->def->format) : NULL;
        if (!path || !type || (!disk->driver_type && v->def->format && !format)) {
                free(path);
                free(type);
                free(format);
                return resolve_oom(err);
        }
        free(disk->type);
        disk->type = type;
        free(block ? disk->source_dev : disk->source_file);
        *(block ? &disk->source_dev : &disk->source_file) = path;
        free(disk->source_pool);
        free(disk->source_volume);
        disk->source_pool = disk->source_volume = NULL;
        /* The volume's own format unless the disk names one: QEMU never probes a format. */
        if (format) {
                free(disk->driver_type);
                disk->driver_type = format;
        }
        return 0;
}

int domain_resolve_volume_disk(Connection *c, DomainDisk *disk, VbError *err) {
        if (!disk->type || strcmp(disk->type, "volume") != 0)
                return 0;
        return resolve_disk(c, disk, err);
}

int domain_resolve_volume_disks(Connection *c, DomainDef *def, VbError *err) {
        if (!def->priv)
                return 0;
        DomainDevices *dev = &def->priv->devices;
        for (size_t i = 0; i < dev->n_disks; i++) {
                DomainDisk *disk = &dev->disks[i];
                if (disk->type && strcmp(disk->type, "volume") == 0 && resolve_disk(c, disk, err) < 0)
                        return -1;
        }
        return 0;
}
