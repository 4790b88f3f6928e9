/* domain-graphics.c: virDomainSendKey, virDomainOpenGraphics(FD): the checks libvirt makes, then the driver's keyboard and displays. */
#define LOG_MODULE "domain"
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "driver.h"
#include "log.h"

int domain_send_key(Domain *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                    unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->send_key)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSendKey");
        if (vb_check_flags(flags, 0, "virDomainSendKey", err) < 0)
                return -1;
        if (n == 0 || n > DOMAIN_SEND_KEY_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "nkeycodes must be in range [1, %d]", DOMAIN_SEND_KEY_MAX);
        if (codeset > DOMAIN_KEYCODE_SET_LAST)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unknown keycode set %u", codeset);
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        domain_ref(d);
        log_debug("domain %s: %zu key(s) of codeset %u, held %u ms", d->obj.name, n, codeset, holdtime);
        int r = ops->send_key(d, codeset, holdtime, keys, n, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

int domain_open_graphics_fd(Domain *d, unsigned idx, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->open_graphics_fd)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainOpenGraphicsFD");
        if (vb_check_flags(flags, DOMAIN_OPEN_GRAPHICS_SKIPAUTH, "virDomainOpenGraphicsFD", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        log_debug("domain %s: a socket to display %u%s", d->obj.name, idx,
                  (flags & DOMAIN_OPEN_GRAPHICS_SKIPAUTH) ? " (no authentication)" : "");
        return ops->open_graphics_fd(d, idx, flags, call, err);
}

int domain_open_graphics(Domain *d, unsigned idx, int fd, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        struct stat st;
        int r;
        if (!ops || !ops->open_graphics)
                r = vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainOpenGraphics");
        else if (vb_check_flags(flags, DOMAIN_OPEN_GRAPHICS_SKIPAUTH, "virDomainOpenGraphics", err) < 0)
                r = -1;
        else if (fstat(fd, &st) < 0)
                r = vb_error_errno(err, -errno, "file descriptor");
        else if (!S_ISSOCK(st.st_mode))
                r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "fd %d must be a socket", fd);
        else if (d->removed)
                r = vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        else if (!domain_is_active(d))
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        else {
                log_debug("domain %s: the caller's socket to display %u%s", d->obj.name, idx,
                          (flags & DOMAIN_OPEN_GRAPHICS_SKIPAUTH) ? " (no authentication)" : "");
                return ops->open_graphics(d, idx, fd, flags, call, err);
        }
        close(fd);
        return r;
}
