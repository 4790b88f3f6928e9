/* iscsi-direct-wipe.c: wipe of an iscsi-direct LUN: zeros written over all of it on a session of the wipe's own (its thread does the writes), progress told as it goes; refused while a running guest has the LUN as a disk. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "domain-model.h"
#include "iscsi-direct.h"
#include "log.h"

/* One request zeroes this much (the thread writes it in buffer-sized commands). */
#define WIPE_STEP (4u << 20)
#define WIPE_BUF (256u * 1024u)

typedef struct LunWipe {
        StorageVol *vol;
        IscsiConn *conn;
        unsigned lun;
        uint32_t block_size;
        uint64_t pos, end;
        bool ending;
        int end_r;
        VbError end_err;
        struct LunWipe *next;
} LunWipe;

static LunWipe *live_wipes;

/* A running guest with a <disk type='volume'> on this LUN (its live definition keeps the pool
 * and volume names). */
static const char *lun_user(StorageVol *v) {
        Manager *m = v->obj.conn->manager;
        for (size_t i = 0; i < m->n_conns; i++) {
                Connection *c = m->conns[i];
                if (c->storage != v->obj.conn->storage)
                        continue;
                REGISTRY_FOREACH(o, &c->domains) {
                        Domain *d = (Domain *) o;
                        if (!domain_is_active(d) || !d->live)
                                continue;
                        for (size_t k = 0; k < d->live->priv->devices.n_disks; k++) {
                                const DomainDisk *disk = &d->live->priv->devices.disks[k];
                                if (disk->source_pool && disk->source_volume &&
                                    strcmp(disk->source_pool, v->pool->obj.name) == 0 &&
                                    strcmp(disk->source_volume, v->obj.name) == 0)
                                        return d->obj.name;
                        }
                }
        }
        return NULL;
}

static void wipe_unlink(LunWipe *w) {
        for (LunWipe **pp = &live_wipes; *pp; pp = &(*pp)->next)
                if (*pp == w) {
                        *pp = w->next;
                        return;
                }
}

static void wipe_settle(LunWipe *w, int r, const VbError *err) {
        w->ending = true;
        w->end_r = r;
        if (err)
                w->end_err = *err;
        IscsiReq out = { .op = ISCSI_LOGOUT };
        iscsi_conn_submit(w->conn, &out);
}

static void wipe_next(LunWipe *w) {
        uint64_t n = w->end - w->pos < WIPE_STEP ? w->end - w->pos : WIPE_STEP;
        IscsiReq r = { .op = n ? ISCSI_ZERO : ISCSI_SYNC, .lun = w->lun, .block_size = w->block_size, .pos = w->pos,
                       .len = n };
        iscsi_conn_submit(w->conn, &r);
}

static void on_wipe_io(IscsiConn *c, IscsiReq *r, void *userdata) {
        LunWipe *w = userdata;
        if (r->op == ISCSI_LOGOUT) {
                StorageVol *v = w->vol;
                int rr = w->end_r;
                VbError e = w->end_err;
                wipe_unlink(w);
                iscsi_conn_free(w->conn);
                free(w);
                vol_progress_end(v);
                log_info("volume %s: wipe %s", v->def->path, rr < 0 ? "failed" : "done");
                vol_job_done(v, rr, rr < 0 ? &e : NULL);
                return;
        }
        if (r->errnum) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "cannot wipe volume '%s': %s",
                             w->vol->def->path, r->msg[0] ? r->msg : strerror(r->errnum));
                wipe_settle(w, -1, &e);
                return;
        }
        if (r->op == ISCSI_SYNC) {
                wipe_settle(w, 0, NULL);
                return;
        }
        w->pos += r->len;
        vol_progress_update(w->vol, w->pos);
        wipe_next(w);
}

int iscsi_direct_vol_wipe(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err) {
        if (algorithm != 0) {
                const char *name = storage_wipe_algorithm_name(algorithm);
                if (!name)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE, "wiping algorithm %u not supported",
                                            algorithm);
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "wiping algorithm '%s' on an iscsi-direct pool (only 'zero' is)", name);
        }
        const char *user = lun_user(v);
        if (user)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_STORAGE,
                                    "cannot wipe volume '%s': it is in use by running domain '%s'", v->obj.name, user);
        const IscsiLun *lun = iscsi_direct_vol_lun(v);
        IscsiTarget t;
        if (!lun || iscsi_direct_target(v->pool, &t) < 0)
                return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, VB_FROM_STORAGE,
                                    "no storage vol with matching name '%s'", v->obj.name);
        LunWipe *w = calloc(1, sizeof *w);
        int r = w ? iscsi_conn_new(storage_event(v->pool), &t, WIPE_BUF, on_wipe_io, w, &w->conn) : -ENOMEM;
        if (r < 0) {
                free(w);
                return vb_error_errno(err, r, "volume wipe");
        }
        w->vol = v;
        w->lun = lun->lun;
        w->block_size = lun->block_size;
        w->end = lun->capacity;
        w->next = live_wipes;
        live_wipes = w;
        vol_progress_begin(v, "wipe", w->end);
        wipe_next(w);
        return VERB_PENDING;
}

int iscsi_direct_wipe_shutdown_all(void) {
        int n = 0;
        while (live_wipes) {
                LunWipe *w = live_wipes;
                live_wipes = w->next;
                log_warning("volume %s: wipe cut by the daemon's shutdown after %llu of %llu bytes", w->vol->def->path,
                            (unsigned long long) w->pos, (unsigned long long) w->end);
                iscsi_conn_close(w->conn);
                free(w);
                n++;
        }
        return n;
}
