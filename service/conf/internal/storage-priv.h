/* storage-priv.h: the parts of PoolDef and VolDef owned by conf/ (source, permissions); the storage driver may read them. */
#pragma once

#include "storage-conf.h"
#include "xml-util.h"

/* <permissions>: mode is octal in the XML; owner and group are numeric ids. */
typedef struct StoragePerms {
        ConfInt mode, owner, group;
        char *label;
} StoragePerms;

typedef struct PoolSourceHost {
        char *name;
        ConfInt port;
} PoolSourceHost;

typedef struct PoolSourceDevice {
        char *path;
} PoolSourceDevice;

struct PoolDefPrivate {
        PoolSourceHost *hosts;
        size_t n_hosts;
        PoolSourceDevice *devices;
        size_t n_devices;
        char *source_dir;
        char *source_name;
        char *source_format;
        char *initiator_iqn;        /* <initiator><iqn name='…'/> (iscsi, iscsi-direct) */
        /* <auth type='chap' username='…'><secret usage='…'|uuid='…'/></auth> (iscsi, iscsi-direct) */
        char *auth_type, *auth_username, *auth_secret_usage, *auth_secret_uuid;
        StoragePerms perms;
};

struct VolDefPrivate {
        StoragePerms perms;
};

/* Shared by pools and volumes (storage-conf.c). */
int storage_parse_perms(StoragePerms *perms, xmlNodePtr node, unsigned flags, VbError *err);
void storage_format_perms(XmlBuf *b, const StoragePerms *perms);
void storage_free_perms(StoragePerms *perms);
void storage_perms_view(const StoragePerms *perms, StoragePermsView *out);
/* <capacity unit='…'>N</capacity> → bytes; absent leaves *bytes alone and returns 0. */
int storage_parse_size(xmlNodePtr parent, const char *name, uint64_t *bytes, bool *present,
                       VbError *err);
void storage_format_size(XmlBuf *b, const char *name, uint64_t bytes);
