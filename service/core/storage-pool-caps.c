/* storage-pool-caps.c: virConnectGetStoragePoolCapabilities: libvirt 9.0's <storagepoolCapabilities>, every pool type in its order with its format options, supported='yes' where the host's storage has a backend for it. */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "driver.h"
#include "host.h"
#include "manager.h"

static const char *const file_formats[] = { "none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat",
                                            "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk", NULL };
static const char *const fs_formats[] = { "auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2",
                                          "vfat", "hfs+", "xfs", "ocfs2", "vmfs", NULL };
static const char *const netfs_formats[] = { "auto", "nfs", "glusterfs", "cifs", NULL };
static const char *const lvm_formats[] = { "unknown", "lvm2", NULL };
static const char *const disk_formats[] = { "unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2", NULL };
static const char *const part_formats[] = { "none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm",
                                            "linux-raid", "extended", NULL };
static const char *const no_formats[] = { NULL };

/* libvirt's table: type, the pool's source formats (default, values) and its volumes'. */
static const struct {
        const char *type;
        const char *pool_default;
        const char *const *pool_formats;
        const char *vol_default;
        const char *const *vol_formats;
} types[] = {
        { "dir", NULL, NULL, "raw", file_formats },
        { "fs", "auto", fs_formats, "raw", file_formats },
        { "netfs", "auto", netfs_formats, "raw", file_formats },
        { "logical", "lvm2", lvm_formats, NULL, NULL },
        { "disk", "unknown", disk_formats, "none", part_formats },
        { "iscsi", NULL, NULL, NULL, NULL },
        { "iscsi-direct", NULL, NULL, NULL, NULL },
        { "scsi", NULL, NULL, NULL, NULL },
        { "mpath", NULL, NULL, NULL, NULL },
        { "rbd", NULL, NULL, "raw", no_formats },
        { "sheepdog", NULL, NULL, NULL, NULL },
        { "gluster", NULL, NULL, "raw", file_formats },
        { "zfs", NULL, NULL, NULL, NULL },
        { "vstorage", NULL, NULL, "raw", file_formats },
};

static void put_options(FILE *f, const char *element, const char *enum_name, const char *def,
                        const char *const *values) {
        fprintf(f, "    <%s>\n      <defaultFormat type='%s'/>\n      <enum name='%s'>\n", element, def, enum_name);
        for (size_t i = 0; values[i]; i++)
                fprintf(f, "        <value>%s</value>\n", values[i]);
        fprintf(f, "      </enum>\n    </%s>\n", element);
}

char *pool_capabilities(Connection *c, unsigned flags, VbError *err) {
        if (c->driver->own_pools) {
                /* The connection's own pools are libvirt's test driver's, which has no such call. */
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s",
                             api_row(API_CONNECT_GET_STORAGE_POOL_CAPABILITIES)->name);
                return NULL;
        }
        if (vb_check_flags(flags, 0, "storageConnectGetStoragePoolCapabilities", err) < 0)
                return NULL;
        const PoolOps *ops = c->storage ? c->storage->ops : NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f) {
                vb_error_errno(err, -ENOMEM, "storage pool capabilities");
                return NULL;
        }
        fputs("<storagepoolCapabilities>\n", f);
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
                bool yes = ops && ops->has_type && ops->has_type(types[i].type);
                fprintf(f, "  <pool type='%s' supported='%s'>\n", types[i].type, yes ? "yes" : "no");
                if (types[i].pool_formats)
                        put_options(f, "poolOptions", "sourceFormatType", types[i].pool_default, types[i].pool_formats);
                if (types[i].vol_formats)
                        put_options(f, "volOptions", "targetFormatType", types[i].vol_default, types[i].vol_formats);
                fputs("  </pool>\n", f);
        }
        fputs("</storagepoolCapabilities>\n", f);
        if (fclose(f) != 0) {
                free(buf);
                vb_error_errno(err, -ENOMEM, "storage pool capabilities");
                return NULL;
        }
        return buf;
}
