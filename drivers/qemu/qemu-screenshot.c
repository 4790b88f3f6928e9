/* qemu-screenshot.c: virDomainScreenshot on QEMU: QMP screendump (PNG) into a private file, then the file through the core Stream. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-priv.h"

#define SCREENSHOT_MAX (64u * 1024u * 1024u)    /* a 4K PNG is a few MiB */

typedef struct Screendump {
        Domain *d;
        Stream *st;
        char *path;
} Screendump;

static void screendump_done(Screendump *sd) {
        unlink(sd->path);
        free(sd->path);
        stream_unref(sd->st);
        domain_unref(sd->d);
        free(sd);
}

/* QEMU wrote the picture: read it (a small file in the run directory, once) and hand it to
 * the stream, which gives it to the door as space opens. */
static void on_screendump(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        Screendump *sd = userdata;
        VbError e = { 0 };
        if (cls) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "screendump failed: %s", desc ? desc : cls);
                stream_abort(sd->st, &e);
                screendump_done(sd);
                return;
        }
        int fd = open(sd->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        uint8_t *buf = NULL;
        ssize_t n = -1;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
            (size_t) st.st_size <= SCREENSHOT_MAX && (buf = malloc((size_t) st.st_size)))
                n = read(fd, buf, (size_t) st.st_size);
        if (fd >= 0)
                close(fd);
        if (!buf || n != (ssize_t) st.st_size) {
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "cannot read the screendump of domain '%s'",
                             sd->d->obj.name);
                stream_abort(sd->st, &e);
                free(buf);
        } else if (stream_produce_buffer(sd->st, buf, (size_t) n, free, buf) < 0) {
                free(buf);
                vb_error_errno(&e, -ENOMEM, "screenshot");
                stream_abort(sd->st, &e);
        }
        screendump_done(sd);
}

int qemu_domain_screenshot(Domain *d, unsigned screen, Stream *st, char **mime, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        const DomainDef *live = domain_current_def(d);
        size_t n_videos = live->priv->devices.n_videos ? live->priv->devices.n_videos
                        : live->priv->devices.n_graphics ? 1 : 0;
        if (screen >= n_videos)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, n_videos ? "no screen %u" :
                                    "no screen %u: the domain has no video device", screen);
        Screendump *sd = calloc(1, sizeof *sd);
        if (!sd || asprintf(&sd->path, "%s/%s.screendump.png", d->obj.conn->state_dir, d->obj.name) < 0) {
                free(sd);
                return vb_error_errno(err, -ENOMEM, "screenshot");
        }
        unlink(sd->path);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "filename", json_object_new_string(sd->path));
        json_object_object_add(args, "format", json_object_new_string("png"));
        if (screen > 0) {
                char dev[32];
                snprintf(dev, sizeof dev, "video%u", screen);
                json_object_object_add(args, "device", json_object_new_string(dev));
        }
        char *type = strdup("image/png");
        sd->d = domain_ref(d);
        sd->st = stream_ref(st);
        int r = -ENOMEM;
        if (type)
                r = qmp_send(qd->qmp, "screendump", args, on_screendump, sd);
        else
                json_object_put(args);
        if (r < 0) {
                free(type);
                stream_unref(sd->st);
                domain_unref(sd->d);
                free(sd->path);
                free(sd);
                return vb_error_errno(err, r, "screendump");
        }
        *mime = type;
        return 0;
}
