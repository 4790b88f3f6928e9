/* storage-conf.h: storage pool and volume definitions (<pool>, <volume>), parsed and formatted as pure functions. */
#pragma once

#include <stdint.h>
#include <stddef.h>

#include "error.h"

typedef struct PoolDefPrivate PoolDefPrivate;

typedef struct PoolDef {
        char *type;                 /* dir, fs, netfs, logical, disk, iscsi, … */
        char *name;
        uint8_t uuid[16];
        uint64_t capacity, allocation, available;   /* bytes */
        char *target_path;          /* <target><path>, may be NULL */
        PoolDefPrivate *priv;       /* source, permissions, … */
} PoolDef;

enum { POOL_PARSE_VALIDATE = 1u << 0 };        /* refuse unknown elements and attributes */

/* <permissions> as a storage backend applies them: -1 where the XML says nothing. */
typedef struct StoragePermsView {
        int mode;
        long long owner, group;
} StoragePermsView;

void pool_def_get_perms(const PoolDef *def, StoragePermsView *out);

/* The network source of an iSCSI pool as a backend reads it: the first <host> (port -1 when
 * not given), the first <device path>, <initiator><iqn name>; NULL where the XML has none. */
typedef struct PoolIscsiSourceView {
        const char *host;
        long long port;
        const char *device;
        const char *initiator_iqn;
        size_t n_hosts, n_devices;
        /* <auth type='chap'>: the user name and the secret holding the password, named by its
         * iSCSI usage or its UUID (one of them); NULL without <auth> */
        const char *chap_username, *chap_secret_usage, *chap_secret_uuid;
} PoolIscsiSourceView;

void pool_def_get_iscsi_source(const PoolDef *def, PoolIscsiSourceView *out);
/* <source> as a storage backend reads it: NULL or 0 where the XML says nothing. The strings
 * belong to def. */
typedef struct PoolSourceView {
        const char *name;           /* <name>: the volume group of a logical pool */
        const char *format;         /* <format type='…'>: ext4, lvm2, … */
        size_t n_devices;
        const char *devices[16];    /* <device path='…'>, the first 16 */
} PoolSourceView;

void pool_def_get_source(const PoolDef *def, PoolSourceView *out);
/* Set <source><name> and <format type> (NULL leaves one as it is); -ENOMEM. */
int pool_def_set_source(PoolDef *def, const char *name, const char *format);

PoolDef *pool_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
char *pool_def_format(const PoolDef *def, unsigned flags);
PoolDef *pool_def_copy(const PoolDef *def);
PoolDef *pool_def_free(PoolDef *def);

typedef struct VolDefPrivate VolDefPrivate;

typedef struct VolDef {
        char *name;
        char *key;                  /* set by the pool when created (the path for dir pools) */
        char *path;                 /* <target><path>, set by the pool */
        char *type;                 /* file, block, dir, … (default file) */
        char *format;               /* <target><format type='…'>: raw, qcow2, … may be NULL */
        uint64_t capacity, allocation;   /* bytes */
        char *backing_path;         /* <backingStore><path>, may be NULL */
        char *backing_format;       /* <backingStore><format type='…'>, may be NULL */
        VolDefPrivate *priv;
} VolDef;

enum { VOL_PARSE_VALIDATE = 1u << 0 };         /* refuse unknown elements and attributes */

void vol_def_get_perms(const VolDef *def, StoragePermsView *out);

VolDef *vol_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
char *vol_def_format(const VolDef *def, unsigned flags);
VolDef *vol_def_copy(const VolDef *def);
VolDef *vol_def_free(VolDef *def);
