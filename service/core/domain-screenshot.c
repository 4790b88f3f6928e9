/* domain-screenshot.c: virDomainScreenshot: the checks, then a Stream the driver fills and a door drains. */
#define LOG_MODULE "domain"
#include <errno.h>
#include <stdlib.h>

#include "domain.h"
#include "driver.h"
#include "log.h"

int domain_screenshot(Domain *d, unsigned screen, unsigned flags, Stream **out, char **mime, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        /* libvirt's public API asks the driver first: a connection without the op says so
         * whatever the domain's state */
        if (!ops || !ops->screenshot)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainScreenshot");
        if (vb_check_flags(flags, 0, "virDomainScreenshot", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");

        Manager *m = d->obj.conn->manager;
        Stream *st = NULL;
        int r = stream_new(m->event, STREAM_WINDOW_DEFAULT, &st);
        if (r < 0)
                return vb_error_errno(err, r, "screenshot stream");
        char *type = NULL;
        if (ops->screenshot(d, screen, st, &type, err) < 0) {
                stream_abort(st, err);
                stream_unref(st);
                return -1;
        }
        log_debug("domain '%s': screenshot of screen %u (%s)", d->obj.name, screen, type);
        *out = st;
        *mime = type;
        return 0;
}
