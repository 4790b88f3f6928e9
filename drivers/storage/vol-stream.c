/* vol-stream.c: the state machine of a volume's upload or download through a core Stream, shared by the dir and iscsi-direct backends: the loop moves data and holes between the Stream and the backend's one request at a time, tells progress, and ends the volume's job once. */
#define LOG_MODULE "storage"
#include "vol-stream.h"

#include "log.h"

static VolStream *live_xfers;

static void xfer_unlink(VolStream *x) {
        for (VolStream **pp = &live_xfers; *pp; pp = &(*pp)->next)
                if (*pp == x) {
                        *pp = x->next;
                        return;
                }
}

/* Let go of our end of the stream only: the door's end finishes its own way. */
static void xfer_detach(VolStream *x) {
        if (x->upload)
                stream_set_consumer(x->st, NULL, NULL);
        else
                stream_set_producer(x->st, NULL, NULL);
        stream_unref(x->st);
}

void vol_stream_end(VolStream *x) {
        StorageVol *v = x->vol;
        const VolStreamOps *ops = x->ops;
        int r = x->end_r;
        VbError e = x->end_err;
        xfer_detach(x);
        xfer_unlink(x);
        ops->release(x, false);
        if (ops->ended)
                ops->ended(v);
        vol_progress_end(v);
        log_info("volume %s: %s %s", v->obj.name, ops->what, r < 0 ? "failed" : "done");
        vol_job_done(v, r, r < 0 ? &e : NULL);
}

/* No request runs and the outcome is decided: end now, or after the backend's last request. */
static void xfer_wind_down(VolStream *x) {
        if (!x->ops->wind_down || !x->ops->wind_down(x))
                vol_stream_end(x);
}

/* Decide the outcome once; the end comes as soon as the running request is back. */
static void xfer_settle(VolStream *x, int r, const VbError *err) {
        if (x->ending)
                return;
        x->ending = true;
        x->end_r = r;
        if (err)
                x->end_err = *err;
        else if (r < 0)
                vb_error_set(&x->end_err, VB_ERR_OPERATION_FAILED, VB_FROM_STORAGE, "transfer of volume '%s' failed",
                             x->vol->obj.name);
        if (!x->ops->busy(x))
                xfer_wind_down(x);
}

void vol_stream_fail(VolStream *x, const VbError *e) {
        stream_abort(x->st, e);
        xfer_settle(x, -1, e);
}

/* ---- download: the volume into the stream ---- */

static void download_step(VolStream *x) {
        Stream *st = x->st;
        if (x->ending || x->ops->busy(x))
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
        uint64_t n = stream_space(st);
        if (n == 0)
                return;         /* the consumer's reads wake us */
        if (n > x->ops->chunk)
                n = x->ops->chunk;
        if (n > x->end - x->pos)
                n = x->end - x->pos;
        x->ops->read(x, n);
}

static void download_wake(Stream *st, void *userdata) {
        download_step(userdata);
}

/* ---- upload: the stream into the volume ---- */

static void upload_step(VolStream *x) {
        if (x->ending || x->ops->busy(x) || x->finished)
                return;
        uint64_t len = 0;
        StreamItem it = x->ops->take(x, &len);
        if (it == STREAM_ITEM_NONE)
                return;
        if (it == STREAM_ITEM_ERROR) {
                xfer_settle(x, -1, stream_error(x->st));
                return;
        }
        if (it == STREAM_ITEM_END) {
                x->finished = true;
                x->ops->sync(x);
                return;
        }
        if (len > x->end - x->pos) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                             "upload to volume '%s' goes past the end it asked for (%llu bytes)", x->vol->obj.name,
                             (unsigned long long) x->end);
                vol_stream_fail(x, &e);
                return;
        }
        x->ops->write(x, it == STREAM_ITEM_HOLE, len);
}

static void upload_wake(Stream *st, void *userdata) {
        upload_step(userdata);
}

/* ---- the backend's results, on the loop ---- */

void vol_stream_done(VolStream *x, const VolStreamResult *r) {
        if (x->ending) {        /* the outcome was decided while this ran */
                xfer_wind_down(x);
                return;
        }
        if (r->err) {
                vol_stream_fail(x, r->err);
                return;
        }
        switch (r->step) {
        case VOL_STREAM_READ:
                if (r->hole) {
                        stream_write_hole(x->st, r->hole);
                        x->pos += r->hole;
                } else {
                        x->ops->queue(x, (size_t) r->n);   /* fits: space only grew */
                        x->pos += r->n;
                }
                break;
        case VOL_STREAM_WRITE:
                x->pos += r->n;
                break;
        case VOL_STREAM_SYNC:
                stream_close(x->st);
                xfer_settle(x, 0, NULL);
                return;
        }
        vol_progress_update(x->vol, x->pos - x->start);
        if (x->upload)
                upload_step(x);
        else
                download_step(x);
}

int vol_stream_check_range(const StorageVol *v, uint64_t offset, uint64_t length, uint64_t size, VbError *err) {
        if (offset > size || (length && length > size - offset))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "range [%llu, +%llu) is outside volume '%s' of %llu bytes",
                                    (unsigned long long) offset, (unsigned long long) length, v->obj.name,
                                    (unsigned long long) size);
        return 0;
}

void vol_stream_begin(VolStream *x, const VolStreamOps *ops, StorageVol *v, Stream *st, uint64_t offset,
                      uint64_t length, uint64_t size, bool upload) {
        x->ops = ops;
        x->vol = v;
        x->st = stream_ref(st);
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
}

int vol_stream_shutdown_all(void) {
        int n = 0;
        while (live_xfers) {
                VolStream *x = live_xfers;
                live_xfers = x->next;
                /* What reached the storage stays there, and the log says how far an upload got. */
                if (x->upload && !x->finished)
                        log_warning("volume %s: upload cut by the daemon's shutdown after %llu of %llu bytes: "
                                    "the %s is half written",
                                    x->vol->def->path, (unsigned long long) (x->pos - x->start),
                                    (unsigned long long) (x->end - x->start), x->ops->noun);
                else
                        log_info("volume %s: %s cut by the daemon's shutdown", x->vol->def->path,
                                 x->upload ? "upload" : "download");
                xfer_detach(x);
                x->ops->release(x, true);       /* the running request waited for, the thread joined */
                n++;
        }
        return n;
}
