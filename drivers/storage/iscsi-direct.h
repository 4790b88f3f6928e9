/* iscsi-direct.h: iscsi-direct pools: an iSCSI target reached in user space through libiscsi (no kernel initiator, no block device); each disk LUN is a volume. */
#pragma once

#include "iscsi-direct-io.h"
#include "storage-backend.h"

/* The iSCSI port when <host> names none. */
#define ISCSI_DEFAULT_PORT 3260
/* libvirt's volume name prefix: LUN n is "unit:0:0:n". */
#define ISCSI_VOL_PREFIX "unit:0:0:"

/* An active (or starting) iscsi-direct pool: the session it keeps logged in for its life, and
 * the LUNs the last scan saw. */
typedef struct IscsiPool {
        IscsiConn *conn;
        char *portal;                   /* "host:port" */
        char *chap_password;            /* <auth type='chap'>: the secret's value, read at start; wiped when freed */
        IscsiLun *luns;
        size_t n_luns;
        bool stopping;                  /* the logout runs */
        int fail_r;                     /* a failed start: logging out before answering */
        VbError fail_err;
} IscsiPool;

/* Is it an iscsi-direct pool? */
bool iscsi_direct_is(const StoragePool *p);
/* Checks of a definition (the backend's check): one host, one device (the target's IQN), an
 * initiator IQN. */
int iscsi_direct_post_parse(PoolDef *def, VbError *err);
/* The target of an active pool's session (strings owned by the pool). */
int iscsi_direct_target(const StoragePool *p, IscsiTarget *t);
/* The LUN of volume v (NULL: gone). */
const IscsiLun *iscsi_direct_vol_lun(const StorageVol *v);

/* iscsi-direct-pool.c */
int iscsi_direct_pool_start(StoragePool *p, Call *call, VbError *err);
int iscsi_direct_pool_stop(StoragePool *p, Call *call, VbError *err);
int iscsi_direct_pool_refresh(StoragePool *p, Call *call, VbError *err);
/* A guest disk on LUN volume v: QEMU's own iSCSI client logs in there. */
int iscsi_direct_network_source(StorageVol *v, DomainDiskNet *net, VbError *err);

/* iscsi-direct-stream.c: upload and download through a session of their own, under vol-stream.c
 * (vol_stream_shutdown_all() logs them out at the daemon's shutdown). */
int iscsi_direct_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
int iscsi_direct_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
/* iscsi-direct-wipe.c: zeros over the whole LUN (refused while a running guest uses it); any
 * other algorithm is refused as not supported. */
int iscsi_direct_vol_wipe(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err);
/* At the daemon's shutdown: every wipe still running logged out, joined and freed. */
int iscsi_direct_wipe_shutdown_all(void);
/* iscsi-direct-pool.c: an active pool's session logged out and its thread joined (shutdown). */
void iscsi_direct_pool_shutdown(StoragePool *p);
