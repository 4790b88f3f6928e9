/* qemu-save-state.c: the end of a save in flight (QemuDomain.save): whether QEMU wrote all of it, and what goes with it when it ends or QEMU goes (an image that is not whole, a snapshot's next step told). */
#define LOG_MODULE "qemu"
#include "qemu-save-state.h"

#include <stdlib.h>
#include <unistd.h>

#include "log.h"

bool qemu_save_done(const QemuDomain *qd) {
        return qd->save && qd->save->done;
}

void qemu_save_free(QemuDomain *qd) {
        QemuSave *s = qd->save;
        if (!s)
                return;
        /* QEMU went away before the image was whole: no half image is left to restore from. */
        if (!s->done && s->path && unlink(s->path) == 0)
                log_warning("domain %s: incomplete save image %s removed", qd->domain->obj.name, s->path);
        qd->save = NULL;
        if (s->fd >= 0)
                close(s->fd);
        s->poll = sd_event_source_disable_unref(s->poll);
        free(s->path);
        QemuSaveThen then = s->then;
        void *data = s->then_data;
        free(s);
        if (then) {
                /* QEMU went away (or the domain was forgotten) before the stream ended. */
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "domain '%s' ended during the memory snapshot",
                             qd->domain->obj.name);
                then(qd, &e, data);
        }
}
