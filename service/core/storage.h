/* storage.h: StoragePool and StorageVol objects, their verbs and the pool state machine. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "call.h"
#include "domain-conf.h"
#include "error.h"
#include "job.h"
#include "manager.h"
#include "storage-conf.h"
#include "stream.h"

/* virStoragePoolState */
typedef enum PoolState {
        POOL_INACTIVE = 0,
        POOL_BUILDING = 1,
        POOL_RUNNING = 2,
        POOL_DEGRADED = 3,
        POOL_INACCESSIBLE = 4,
} PoolState;

/* virStoragePoolEventLifecycleType */
enum { POOL_EVENT_DEFINED = 0, POOL_EVENT_UNDEFINED = 1, POOL_EVENT_STARTED = 2,
       POOL_EVENT_STOPPED = 3, POOL_EVENT_CREATED = 4, POOL_EVENT_DELETED = 5 };

typedef struct StoragePool {
        Object obj;
        PoolDef *def;
        bool persistent, autostart;
        PoolState state;
        Registry volumes;       /* by name, in creation order */
        Job job;                /* one mutating verb at a time (volume creation included) */
        void *driver_data;
} StoragePool;

/* A long operation on a volume (clone from it, upload, download, wipe): what it is and how
 * far it got, for a progress bar (D-Bus StorageVol.Progress). op is NULL when none runs. */
typedef struct VolProgress {
        const char *op;
        uint64_t done, total;
        uint64_t told_usec;     /* when observers last heard: at most 5 notices a second */
        uint64_t told_done;
        struct sd_event_source *later;  /* tells a count held back by the rate limit */
} VolProgress;

typedef struct StorageVol {
        Object obj;             /* name; uuid unused */
        StoragePool *pool;
        VolDef *def;
        Job job;
        VolProgress progress;
} StorageVol;

/* libvirt's virStoragePoolInfo / virStorageVolInfo */
typedef struct PoolInfo { int state; uint64_t capacity, allocation, available; } PoolInfo;
typedef struct VolInfo { int type; uint64_t capacity, allocation; } VolInfo;

static inline bool pool_is_active(const StoragePool *p) {
        return p->state == POOL_RUNNING || p->state == POOL_DEGRADED;
}

StoragePool *pool_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err);
StoragePool *pool_lookup_name(Connection *c, const char *name, VbError *err);
/* virStoragePoolLookupByTargetPath (storage-pool-path.c): the active pool with that target. */
StoragePool *pool_lookup_target_path(Connection *c, const char *path, VbError *err);
/* virConnectGetStoragePoolCapabilities (storage-pool-caps.c): the XML, or NULL with err set. */
char *pool_capabilities(Connection *c, unsigned flags, VbError *err);
StoragePool *pool_lookup_volume(StorageVol *v);

/* The verbs return 0 when done, VERB_PENDING when call is answered later, or -1 with err set. */
int pool_define(Connection *c, const char *xml, size_t len, unsigned flags, StoragePool **out, VbError *err);
int pool_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call, StoragePool **out,
                    VbError *err);
int pool_undefine(StoragePool *p, VbError *err);
int pool_start(StoragePool *p, unsigned flags, Call *call, VbError *err);
int pool_build(StoragePool *p, unsigned flags, Call *call, VbError *err);
int pool_destroy(StoragePool *p, Call *call, VbError *err);
int pool_delete(StoragePool *p, unsigned flags, Call *call, VbError *err);
int pool_refresh(StoragePool *p, unsigned flags, Call *call, VbError *err);
int pool_set_autostart(StoragePool *p, bool autostart, VbError *err);
/* A PoolOps pool op that answered VERB_PENDING is done: p may be freed on return. */
void pool_job_done(StoragePool *p, int r, const VbError *err);
char *pool_get_xml(StoragePool *p, unsigned flags, VbError *err);
/* virConnectFindStoragePoolSources (storage-sources.c): VERB_PENDING, call completed with the
 * <sources> XML (a const char * valid during the completion), or -1 with err set. */
int pool_find_sources(Connection *c, const char *type, const char *spec, unsigned flags, Call *call, VbError *err);
int pool_get_info(StoragePool *p, PoolInfo *info, VbError *err);
/* An error naming the pool unless it is active. Inline, as pool_busy(): the volumes' verbs ask
 * it, and the pools' own file stays above the volumes' (it frees them). */
static inline int pool_check_active(StoragePool *p, VbError *err) {
        if (!pool_is_active(p))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "storage pool '%s' is not active", p->obj.name);
        return 0;
}
/* May the pool's volumes be listed? (libvirt words this refusal differently.) */
int pool_list_volumes(StoragePool *p, VbError *err);

StorageVol *vol_lookup_name(StoragePool *p, const char *name, VbError *err);
StorageVol *vol_lookup_key(Connection *c, const char *key, VbError *err);
StorageVol *vol_lookup_path(Connection *c, const char *path, VbError *err);
/* Pending creation: the volume appears (and the call gets it) when the op is done. */
int vol_create_xml(StoragePool *p, const char *xml, size_t len, unsigned flags, StorageVol *from, Call *call,
                   StorageVol **out, VbError *err);
int vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err);
int vol_wipe(StorageVol *v, unsigned flags, Call *call, VbError *err);
/* virStorageVolWipePattern: algorithm a virStorageVolWipeAlgorithm (0: zero, as vol_wipe). */
int vol_wipe_pattern(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err);
int vol_resize(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);
/* A volume op (delete, wipe, resize) that answered VERB_PENDING is done; v may be freed. A
 * pending vol_create ends with pool_job_done. */
void vol_job_done(StorageVol *v, int r, const VbError *err);
/* virStorageVolDownload / virStorageVolUpload: a stream (*out, referenced) whose other end the
 * door takes; the volume's job is held until the transfer ends. flags: 1 = sparse stream. */
int vol_download(StorageVol *v, uint64_t offset, uint64_t length, unsigned flags, Stream **out, VbError *err);
int vol_upload(StorageVol *v, uint64_t offset, uint64_t length, unsigned flags, Stream **out, VbError *err);
char *vol_get_xml(StorageVol *v, unsigned flags, VbError *err);
int vol_get_info(StorageVol *v, VolInfo *info, VbError *err);

/* Each <disk type='volume'> of def (a running definition being prepared) becomes the file or
 * block disk its pool and volume name (its format given to the disk when it names none), as
 * the live XML then shows it; libvirt's errors for a missing or inactive pool or volume. */
int domain_resolve_volume_disks(Connection *c, DomainDef *def, VbError *err);
/* The same for one disk (a hotplugged one); a disk of another type is left alone. */
struct DomainDisk;
int domain_resolve_volume_disk(Connection *c, struct DomainDisk *disk, VbError *err);

/* Progress of a long operation on v (storage-progress.c): begin (observers told at once),
 * update (told at most every 200 ms; a count held back is told when the 200 ms are over, so a
 * stalled transfer shows where it stalled), end (told the final count, then that none runs).
 * The volume's free must end a running progress (vol_progress_end). */
void vol_progress_begin(StorageVol *v, const char *op, uint64_t total);
void vol_progress_update(StorageVol *v, uint64_t done);
void vol_progress_end(StorageVol *v);

/* A backend's scan: add the volume def describes (taken), or give the existing one of that
 * name this def (a refresh); and forget a volume whose storage has gone. */
int pool_sync_volume(StoragePool *p, VolDef *def, VbError *err);
void pool_drop_volume(StorageVol *v);
/* The persistent pools of a subsystem with a load_all op, once (kinds.c). */
int pool_load_all(Connection *c);

int pool_add(Connection *c, PoolDef *def, bool persistent, bool active, StoragePool **out, VbError *err);
void pool_free_all(Registry *pools);
/* A storage subsystem with its ops and the origin of its lookup errors; its end frees its pools
 * and their volumes. host_pool_ops: the host's default backend, none (the daemon attaches
 * drivers/storage's), so every verb that would change the host answers "not supported". */
extern const PoolOps host_pool_ops;
StorageSubsystem *storage_subsystem_new(const PoolOps *ops, int error_from);
StorageSubsystem *storage_subsystem_free(StorageSubsystem *s);
/* Is a job running on the pool or one of its volumes? (An error naming the job when so.) */
static inline bool pool_busy(StoragePool *p, VbError *err) {
        if (p->job.name)
                return job_begin(&p->job, "?", VB_FROM_STORAGE, err) < 0;
        REGISTRY_FOREACH(o, &p->volumes) {
                StorageVol *v = (StorageVol *) o;
                if (v->job.name)
                        return job_begin(&v->job, "?", VB_FROM_STORAGE, err) < 0;
        }
        return false;
}
