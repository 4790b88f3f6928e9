/* iscsi-direct-stream.c: upload and download of an iscsi-direct LUN through a core Stream: each transfer logs in with a session of its own (its thread does the SCSI reads and writes), zero blocks go out as holes, and it logs out at the end. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi-direct.h"
#include "log.h"
#include "stream.h"

/* One READ or WRITE moves at most this much: the stream window (1 MiB) holds four. */
#define CHUNK (256u * 1024u)

typedef struct LunXfer {
        StorageVol *vol;
        Stream *st;
        IscsiConn *conn;
        unsigned lun;
        uint32_t block_size;
        uint64_t start, pos, end;
        bool upload;
        bool finished;          /* download: stream_finish done; upload: the end was read */
        bool ending;            /* the outcome is decided: log out, then xfer_end */
        int end_r;
        VbError end_err;
        struct LunXfer *next;   /* the live transfers, for the daemon's shutdown */
} LunXfer;

static LunXfer *live_xfers;

static void xfer_unlink(LunXfer *x) {
        for (LunXfer **pp = &live_xfers; *pp; pp = &(*pp)->next)
                if (*pp == x) {
                        *pp = x->next;
                        return;
                }
}

static void xfer_end(LunXfer *x) {
        StorageVol *v = x->vol;
        int r = x->end_r;
        VbError e = x->end_err;
        if (x->upload)
                stream_set_consumer(x->st, NULL, NULL);
        else
                stream_set_producer(x->st, NULL, NULL);
        stream_unref(x->st);
        iscsi_conn_free(x->conn);       /* idle: logged out */
        xfer_unlink(x);
        free(x);
        vol_progress_end(v);
        log_info("volume %s: iSCSI transfer %s", v->obj.name, r < 0 ? "failed" : "done");
        vol_job_done(v, r, r < 0 ? &e : NULL);
}

/* Decide the outcome once; log out as soon as the running request is back. */
static void xfer_settle(LunXfer *x, int r, const VbError *err) {
        if (x->ending)
                return;
        x->ending = true;
        x->end_r = r;
        if (err)
                x->end_err = *err;
        else if (r < 0)
                vb_error_set(&x->end_err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "transfer of volume '%s' failed",
                             x->vol->obj.name);
        if (!iscsi_conn_busy(x->conn)) {
                IscsiReq out = { .op = ISCSI_LOGOUT };
                iscsi_conn_submit(x->conn, &out);
        }
}

static void xfer_fail(LunXfer *x, const IscsiReq *r) {
        VbError e = { 0 };
        vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "%s volume '%s': %s",
                     x->upload ? "cannot write" : "cannot read", x->vol->def->path,
                     r->msg[0] ? r->msg : strerror(r->errnum));
        stream_abort(x->st, &e);
        xfer_settle(x, -1, &e);
}

static void submit(LunXfer *x, IscsiOp op, uint64_t len) {
        IscsiReq r = { .op = op, .lun = x->lun, .block_size = x->block_size, .pos = x->pos, .len = len };
        iscsi_conn_submit(x->conn, &r);
}

static void download_step(LunXfer *x) {
        Stream *st = x->st;
        if (x->ending || iscsi_conn_busy(x->conn))
                return;
        if (stream_is_over(st)) {
                const VbError *e = stream_error(st);
                xfer_settle(x, stream_is_closed(st) || !e ? 0 : -1, e);
                return;
        }
        if (x->finished)
                return;
        if (x->pos >= x->end) {
                stream_finish(st);
                x->finished = true;
                return;
        }
        size_t space = stream_space(st);
        if (space == 0)
                return;         /* the consumer's reads wake us */
        uint64_t n = space < CHUNK ? space : CHUNK;
        if (n > x->end - x->pos)
                n = x->end - x->pos;
        submit(x, ISCSI_READ, n);
}

static void download_wake(Stream *st, void *userdata) {
        download_step(userdata);
}

static void upload_step(LunXfer *x) {
        Stream *st = x->st;
        if (x->ending || iscsi_conn_busy(x->conn) || x->finished)
                return;
        size_t n = 0;
        uint64_t hole = 0;
        StreamItem it = stream_read(st, iscsi_conn_buf(x->conn), CHUNK, &n, &hole);
        if (it == STREAM_ITEM_NONE)
                return;
        if (it == STREAM_ITEM_ERROR) {
                xfer_settle(x, -1, stream_error(st));
                return;
        }
        if (it == STREAM_ITEM_END) {
                x->finished = true;
                submit(x, ISCSI_SYNC, 0);
                return;
        }
        uint64_t len = it == STREAM_ITEM_DATA ? n : hole;
        if (len > x->end - x->pos) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                             "upload to volume '%s' goes past the end it asked for (%llu bytes)", x->vol->obj.name,
                             (unsigned long long) x->end);
                stream_abort(st, &e);
                xfer_settle(x, -1, &e);
                return;
        }
        submit(x, it == STREAM_ITEM_DATA ? ISCSI_WRITE : ISCSI_ZERO, len);
}

static void upload_wake(Stream *st, void *userdata) {
        upload_step(userdata);
}

static void on_io_done(IscsiConn *c, IscsiReq *r, void *userdata) {
        LunXfer *x = userdata;
        if (r->op == ISCSI_LOGOUT) {
                xfer_end(x);
                return;
        }
        if (x->ending) {        /* the outcome was decided while this ran */
                IscsiReq out = { .op = ISCSI_LOGOUT };
                iscsi_conn_submit(x->conn, &out);
                return;
        }
        if (r->errnum) {
                xfer_fail(x, r);
                return;
        }
        switch (r->op) {
        case ISCSI_READ:
                if (r->hole)
                        stream_write_hole(x->st, r->hole);
                else
                        stream_write(x->st, iscsi_conn_buf(c), r->got);  /* fits: space only grew */
                x->pos += r->len;
                break;
        case ISCSI_WRITE:
        case ISCSI_ZERO:
                x->pos += r->len;
                break;
        case ISCSI_SYNC:
                stream_close(x->st);
                xfer_settle(x, 0, NULL);
                return;
        default:
                break;
        }
        vol_progress_update(x->vol, x->pos - x->start);
        if (x->upload)
                upload_step(x);
        else
                download_step(x);
}

static int xfer_start(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, bool upload, VbError *err) {
        const IscsiLun *lun = iscsi_direct_vol_lun(v);
        IscsiTarget t;
        if (!lun || iscsi_direct_target(v->pool, &t) < 0)
                return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, VB_FROM_STORAGE,
                                    "no storage vol with matching name '%s'", v->obj.name);
        uint64_t size = lun->capacity;
        if (offset > size || (length && length > size - offset))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "range [%llu, +%llu) is outside volume '%s' of %llu bytes",
                                    (unsigned long long) offset, (unsigned long long) length, v->obj.name,
                                    (unsigned long long) size);
        LunXfer *x = calloc(1, sizeof *x);
        int r = x ? iscsi_conn_new(storage_event(v->pool), &t, CHUNK, on_io_done, x, &x->conn) : -ENOMEM;
        if (r < 0) {
                free(x);
                return vb_error_errno(err, r, "volume transfer");
        }
        x->vol = v;
        x->st = stream_ref(st);
        x->lun = lun->lun;
        x->block_size = lun->block_size;
        x->start = x->pos = offset;
        x->end = length ? offset + length : size;
        x->upload = upload;
        x->next = live_xfers;
        live_xfers = x;
        vol_progress_begin(v, upload ? "upload" : "download", x->end - offset);
        if (upload)
                stream_set_consumer(st, upload_wake, x);
        else
                stream_set_producer(st, download_wake, x);
        return 0;
}

int iscsi_direct_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, false, err);
}

int iscsi_direct_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, true, err);
}

int iscsi_direct_xfer_shutdown_all(void) {
        int n = 0;
        while (live_xfers) {
                LunXfer *x = live_xfers;
                live_xfers = x->next;
                if (x->upload && !x->finished)
                        log_warning("volume %s: upload cut by the daemon's shutdown after %llu of %llu bytes: "
                                    "the LUN is half written",
                                    x->vol->def->path, (unsigned long long) (x->pos - x->start),
                                    (unsigned long long) (x->end - x->start));
                else
                        log_info("volume %s: %s cut by the daemon's shutdown", x->vol->def->path,
                                 x->upload ? "upload" : "download");
                iscsi_conn_close(x->conn);      /* the running request, a logout, the thread joined */
                if (x->upload)
                        stream_set_consumer(x->st, NULL, NULL);
                else
                        stream_set_producer(x->st, NULL, NULL);
                stream_unref(x->st);
                free(x);
                n++;
        }
        return n;
}
