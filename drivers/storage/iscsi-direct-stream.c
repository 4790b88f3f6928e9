/* iscsi-direct-stream.c: the iscsi-direct backend's I/O for a LUN's upload and download (vol-stream.c runs the transfer): a session of the transfer's own logs in, its thread does the SCSI reads and writes (zero blocks come back as holes), and it logs out at the end. */
#define LOG_MODULE "storage"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iscsi-direct.h"
#include "stream.h"
#include "vol-stream.h"

/* One READ or WRITE moves at most this much: the stream window (1 MiB) holds four. */
#define CHUNK (256u * 1024u)

typedef struct LunXfer {
        VolStream vs;           /* first: vol-stream.c frees us through it */
        IscsiConn *conn;
        unsigned lun;
        uint32_t block_size;
} LunXfer;

static void submit(LunXfer *x, IscsiOp op, uint64_t len) {
        IscsiReq r = { .op = op, .lun = x->lun, .block_size = x->block_size, .pos = x->vs.pos, .len = len };
        iscsi_conn_submit(x->conn, &r);
}

static bool lun_busy(const VolStream *vs) {
        return iscsi_conn_busy(((const LunXfer *) vs)->conn);
}

static void lun_read(VolStream *vs, uint64_t len) {
        submit((LunXfer *) vs, ISCSI_READ, len);
}

static void lun_queue(VolStream *vs, size_t n) {
        stream_write(vs->st, iscsi_conn_buf(((LunXfer *) vs)->conn), n);
}

static StreamItem lun_take(VolStream *vs, uint64_t *len) {
        size_t n = 0;
        uint64_t hole = 0;
        StreamItem it = stream_read(vs->st, iscsi_conn_buf(((LunXfer *) vs)->conn), CHUNK, &n, &hole);
        *len = it == STREAM_ITEM_DATA ? n : hole;
        return it;
}

static void lun_write(VolStream *vs, bool zeros, uint64_t len) {
        submit((LunXfer *) vs, zeros ? ISCSI_ZERO : ISCSI_WRITE, len);
}

static void lun_sync(VolStream *vs) {
        submit((LunXfer *) vs, ISCSI_SYNC, 0);
}

/* The session logs out before the end; its result calls vol_stream_end(). */
static bool lun_wind_down(VolStream *vs) {
        IscsiReq out = { .op = ISCSI_LOGOUT };
        iscsi_conn_submit(((LunXfer *) vs)->conn, &out);
        return true;
}

static void lun_release(VolStream *vs, bool loop_over) {
        LunXfer *x = (LunXfer *) vs;
        if (loop_over)
                iscsi_conn_close(x->conn);      /* the running request, a logout, the thread joined */
        else
                iscsi_conn_free(x->conn);       /* idle: logged out */
        free(x);
}

static const VolStreamOps lun_stream_ops = {
        .noun = "LUN", .what = "iSCSI transfer", .chunk = CHUNK, .busy = lun_busy, .read = lun_read,
        .queue = lun_queue, .take = lun_take, .write = lun_write, .sync = lun_sync, .wind_down = lun_wind_down,
        .release = lun_release,
};

static void on_io_done(IscsiConn *c, IscsiReq *r, void *userdata) {
        LunXfer *x = userdata;
        if (r->op == ISCSI_LOGOUT) {
                vol_stream_end(&x->vs);
                return;
        }
        VbError e = { 0 };
        VolStreamResult res = {
                .step = r->op == ISCSI_READ ? VOL_STREAM_READ : r->op == ISCSI_SYNC ? VOL_STREAM_SYNC : VOL_STREAM_WRITE,
                .hole = r->hole,
                .n = r->op == ISCSI_READ ? r->got : r->len,
        };
        if (r->errnum) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "%s volume '%s': %s",
                             x->vs.upload ? "cannot write" : "cannot read", x->vs.vol->def->path,
                             r->msg[0] ? r->msg : strerror(r->errnum));
                res.err = &e;
        }
        vol_stream_done(&x->vs, &res);
}

static int xfer_start(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, bool upload, VbError *err) {
        const IscsiLun *lun = iscsi_direct_vol_lun(v);
        IscsiTarget t;
        if (!lun || iscsi_direct_target(v->pool, &t) < 0)
                return vb_error_set(err, VB_ERR_NO_STORAGE_VOL, VB_FROM_STORAGE,
                                    "no storage vol with matching name '%s'", v->obj.name);
        if (vol_stream_check_range(v, offset, length, lun->capacity, err) < 0)
                return -1;
        LunXfer *x = calloc(1, sizeof *x);
        int r = x ? iscsi_conn_new(storage_event(v->pool), &t, CHUNK, on_io_done, x, &x->conn) : -ENOMEM;
        if (r < 0) {
                free(x);
                return vb_error_errno(err, r, "volume transfer");
        }
        x->lun = lun->lun;
        x->block_size = lun->block_size;
        vol_stream_begin(&x->vs, &lun_stream_ops, v, st, offset, length, lun->capacity, upload);
        return 0;
}

int iscsi_direct_vol_download(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, false, err);
}

int iscsi_direct_vol_upload(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err) {
        return xfer_start(v, offset, length, st, true, err);
}
