/* domain-channel.c: virDomainOpenChannel: the checks, then two Streams between a guest's <channel> and a door (one each way). */
#define LOG_MODULE "domain"
#include <errno.h>
#include <stdlib.h>

#include "domain.h"
#include "driver.h"
#include "log.h"

/* A channel carries an agent's messages: a small window keeps a stalled client from holding
 * much of the guest's output. */
#define CHANNEL_WINDOW (64u * 1024u)

int domain_open_channel(Domain *d, const char *name, unsigned flags, Stream **out, Stream **in, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->open_channel)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainOpenChannel");
        if (vb_check_flags(flags, DOMAIN_CHANNEL_FORCE, "virDomainOpenChannel", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        Manager *m = d->obj.conn->manager;
        Stream *o = NULL, *i = NULL;
        int r = stream_new(m->event, CHANNEL_WINDOW, &o);
        if (r == 0)
                r = stream_new(m->event, CHANNEL_WINDOW, &i);
        if (r < 0) {
                stream_unref(o);
                return vb_error_errno(err, r, "channel stream");
        }
        if (ops->open_channel(d, name, flags, o, i, err) < 0) {
                stream_abort(o, err);
                stream_abort(i, err);
                stream_unref(o);
                stream_unref(i);
                return -1;
        }
        log_debug("domain '%s': channel %s opened", d->obj.name, name ? name : "(first)");
        *out = o;
        *in = i;
        return 0;
}
