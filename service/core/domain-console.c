/* domain-console.c: virDomainOpenConsole and virDomainOpenChannel: the checks, then two Streams between a guest's console or <channel> and a door (one each way). */
#define LOG_MODULE "domain"
#include <errno.h>
#include <stdlib.h>

#include "domain.h"
#include "driver.h"
#include "log.h"

/* A console carries keystrokes and lines, a channel an agent's messages: a small window keeps
 * a stalled client from holding much of the guest's output. */
#define DUPLEX_WINDOW (64u * 1024u)

typedef int (*DuplexOp)(Domain *d, const char *name, unsigned flags, Stream *out, Stream *in, VbError *err);

/* What differs between the two: the API's name (its errors), its flags, the driver's op. */
typedef struct DuplexKind {
        const char *api;        /* "virDomainOpenConsole" */
        const char *what;       /* "console": the log's */
        const char *unnamed;    /* the log's word for no name */
        const char *stream;     /* "console stream": what a stream that cannot be made was */
        unsigned flags;         /* the flags the API takes */
} DuplexKind;

static int open_duplex(Domain *d, const DuplexKind *k, DuplexOp op, const char *name, unsigned flags, Stream **out,
                       Stream **in, VbError *err) {
        if (!op)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", k->api);
        if (vb_check_flags(flags, k->flags, k->api, err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        Manager *m = d->obj.conn->manager;
        Stream *o = NULL, *i = NULL;
        int r = stream_new(m->event, DUPLEX_WINDOW, &o);
        if (r == 0)
                r = stream_new(m->event, DUPLEX_WINDOW, &i);
        if (r < 0) {
                stream_unref(o);
                return vb_error_errno(err, r, k->stream);
        }
        if (op(d, name, flags, o, i, err) < 0) {
                stream_abort(o, err);
                stream_abort(i, err);
                stream_unref(o);
                stream_unref(i);
                return -1;
        }
        log_debug("domain '%s': %s %s opened", d->obj.name, k->what, name ? name : k->unnamed);
        *out = o;
        *in = i;
        return 0;
}

int domain_open_console(Domain *d, const char *dev_name, unsigned flags, Stream **out, Stream **in, VbError *err) {
        static const DuplexKind console = { "virDomainOpenConsole", "console", "(default)", "console stream",
                                            DOMAIN_CONSOLE_FORCE | DOMAIN_CONSOLE_SAFE };
        const DomainOps *ops = d->obj.conn->driver->domain;
        return open_duplex(d, &console, ops ? ops->open_console : NULL, dev_name, flags, out, in, err);
}

int domain_open_channel(Domain *d, const char *name, unsigned flags, Stream **out, Stream **in, VbError *err) {
        static const DuplexKind channel = { "virDomainOpenChannel", "channel", "(first)", "channel stream",
                                            DOMAIN_CHANNEL_FORCE };
        const DomainOps *ops = d->obj.conn->driver->domain;
        return open_duplex(d, &channel, ops ? ops->open_channel : NULL, name, flags, out, in, err);
}
