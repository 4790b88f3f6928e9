/* storage-stream.c: volume upload and download: a core Stream between the door and the storage backend, inside the volume's job. */
#define LOG_MODULE "core"
#include "storage.h"

#include "driver.h"
#include "log.h"
#include "stream.h"

typedef int (*VolStreamOp)(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);

static int vol_stream(StorageVol *v, const char *api, const char *job, VolStreamOp op, size_t window,
                      uint64_t offset, uint64_t length, unsigned flags, Stream **out, VbError *err) {
        if (!op)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", api);
        if (vb_check_flags(flags, 1, api, err) < 0 || pool_check_active(v->pool, err) < 0)
                return -1;
        if (job_begin(&v->job, job, VB_FROM_STORAGE, err) < 0)
                return -1;
        Stream *st = NULL;
        int r = stream_new(v->obj.conn->manager->event, window, &st);
        if (r < 0) {
                vb_error_errno(err, r, "volume stream");
                job_settle(&v->job, &v->obj, -1, err);
                return -1;
        }
        /* The job ends when the backend reports the transfer over (vol_job_done). */
        if (op(v, offset, length, st, err) < 0) {
                stream_abort(st, err);
                stream_unref(st);
                job_settle(&v->job, &v->obj, -1, err);
                return -1;
        }
        job_settle(&v->job, &v->obj, VERB_PENDING, err);
        log_debug("volume %s: %s of [%llu, +%llu) begins", v->obj.name, job, (unsigned long long) offset,
                  (unsigned long long) length);
        *out = st;
        return 0;
}

int vol_download(StorageVol *v, uint64_t offset, uint64_t length, unsigned flags, Stream **out, VbError *err) {
        return vol_stream(v, "virStorageVolDownload", "download", v->obj.conn->storage->ops->vol_download,
                          STREAM_WINDOW_DOWNLOAD, offset, length, flags, out, err);
}

int vol_upload(StorageVol *v, uint64_t offset, uint64_t length, unsigned flags, Stream **out, VbError *err) {
        return vol_stream(v, "virStorageVolUpload", "upload", v->obj.conn->storage->ops->vol_upload,
                          STREAM_WINDOW_DEFAULT, offset, length, flags, out, err);
}
