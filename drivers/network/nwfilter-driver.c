/* nwfilter-driver.c: the host's filter bindings put into nftables: the whole table rebuilt from the store on every change, loaded by libnftables in a thread (one at a time; a change meanwhile loads again after it). */
#define LOG_MODULE "nwfilter"
#include "nwfilter-driver.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "network-host.h"
#include "nwfilter-nft-gen.h"
#include "nwfilter.h"

typedef struct Waiter {
        unsigned long gen;              /* the change it waits for */
        void (*fn)(void *data, bool ok);
        void *data;
} Waiter;

typedef struct Applier {
        sd_event *event;
        unsigned long requested;        /* changes asked for (apply() calls) */
        unsigned long loading, loaded;  /* the change the running / the last finished load covers */
        Waiter *waiters;
        size_t n_waiters;
        NWFilterStore *st;
        bool busy, again;
        bool failed;            /* the last finished load did not put its rules in place */
        char *script;           /* the thread's */
        bool remove_only;       /* no binding: the script only removes the table */
        int r;
        VbError err;
        int efd;
        pthread_t thread;
        sd_event_source *source;
} Applier;

static Applier applier;

typedef struct Lookup {
        NWFilterStore *st;
        const NWFilterDef *changed;
} Lookup;

static const NWFilterDef *lookup(const char *name, void *userdata) {
        const Lookup *l = userdata;
        if (l->changed && strcmp(l->changed->name, name) == 0)
                return l->changed;
        NWFilter *f = (NWFilter *) registry_find_name(&l->st->filters, name);
        return f ? f->def : NULL;
}

static int check(NWFilterStore *st, const NWFilterBindingDef *b, const NWFilterDef *changed, VbError *err) {
        Lookup l = { st, changed };
        char *script = NULL;
        int r = nwfilter_nft_script(&b, 1, lookup, &l, &script, err);
        free(script);
        return r;
}

/* The table for every binding the translation can do (check() kept the others out; a
 * binding recorded by an older daemon may still fail: it is left out, and said so). */
static char *build_script(NWFilterStore *st) {
        const NWFilterBindingDef **ok = calloc(st->n_bindings + 1, sizeof *ok);
        size_t n = 0;
        Lookup l = { st, NULL };
        char *script = NULL;
        if (!ok)
                return NULL;
        for (size_t i = 0; i < st->n_bindings; i++) {
                VbError err = { 0 };
                if (check(st, st->bindings[i].def, NULL, &err) < 0) {
                        log_error("filter binding %s not applied: %s", st->bindings[i].def->portdev, err.message);
                        continue;
                }
                ok[n++] = st->bindings[i].def;
        }
        VbError err = { 0 };
        if (nwfilter_nft_script(ok, n, lookup, &l, &script, &err) < 0)
                log_error("filter bindings not applied: %s", err.message);
        applier.remove_only = n == 0;
        free(ok);
        return script;
}

static void *load_thread(void *data) {
        Applier *a = data;
        /* Without bindings only a table left by an earlier run is removed: a host (or a test's
         * daemon) that never had one sees no nftables change at all. */
        VbError none = { 0 };
        if (a->remove_only && network_nft_run("list table bridge " NWFILTER_NFT_TABLE, &none) < 0) {
                vb_error_clear(&none);
                a->r = 0;
        } else
                a->r = network_nft_run(a->script, &a->err);
        uint64_t one = 1;
        while (write(a->efd, &one, sizeof one) < 0 && errno == EINTR)
                ;
        return NULL;
}

static void start_load(Applier *a);

/* The waiters whose change is loaded now (a waiter may add another meanwhile). */
static void notify_waiters(Applier *a, bool ok) {
        a->failed = !ok;
        size_t i = 0;
        while (i < a->n_waiters) {
                Waiter w = a->waiters[i];
                if (w.gen > a->loaded) {
                        i++;
                        continue;
                }
                a->waiters[i] = a->waiters[--a->n_waiters];
                w.fn(w.data, ok);
        }
}

static int on_loaded(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Applier *a = userdata;
        pthread_join(a->thread, NULL);
        a->source = sd_event_source_disable_unref(a->source);
        close(a->efd);
        if (a->r < 0)
                log_error("network filter rules not loaded: %s", a->err.message);
        else
                log_info("network filter rules loaded (%zu binding(s))", a->st ? a->st->n_bindings : 0);
        vb_error_clear(&a->err);
        free(a->script);
        a->script = NULL;
        a->busy = false;
        a->loaded = a->loading;
        notify_waiters(a, a->r == 0);
        if (a->again && a->st) {
                a->again = false;
                start_load(a);
        }
        return 0;
}

static void start_load(Applier *a) {
        a->loading = a->requested;
        a->script = build_script(a->st);
        if (!a->script) {
                a->loaded = a->loading;         /* nothing to load (logged): do not keep anyone waiting */
                notify_waiters(a, false);
                return;
        }
        a->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = a->efd < 0 ? -errno : sd_event_add_io(a->event, &a->source, a->efd, EPOLLIN, on_loaded, a);
        if (r >= 0)
                r = -pthread_create(&a->thread, NULL, load_thread, a);
        if (r < 0) {
                a->source = sd_event_source_disable_unref(a->source);
                if (a->efd >= 0)
                        close(a->efd);
                free(a->script);
                a->script = NULL;
                log_error("network filter rules not loaded: %s", strerror(-r));
                a->loaded = a->loading;
                notify_waiters(a, false);
                return;
        }
        a->busy = true;
}

static void apply(NWFilterStore *st) {
        applier.st = st;
        applier.requested++;
        if (applier.busy)
                applier.again = true;   /* the newest state is built when the running load ends */
        else
                start_load(&applier);
}

static int when_applied(NWFilterStore *st, void (*fn)(void *data, bool ok), void *data) {
        Applier *a = &applier;
        if (a->loaded >= a->requested && !a->failed)
                return 0;
        if (a->loaded >= a->requested) {
                apply(st);      /* the last load failed: load again, and the caller waits for that one */
                if (a->loaded >= a->requested)
                        return -EIO;    /* that load failed at once */
        }
        Waiter *v = realloc(a->waiters, (a->n_waiters + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        a->waiters = v;
        v[a->n_waiters++] = (Waiter) { a->requested, fn, data };
        return 1;
}

static const NWFilterApplier nft_applier = { .check = check, .apply = apply, .when_applied = when_applied };

void nwfilter_driver_open(Connection *c) {
        if (!c->nwfilters)
                return;
        applier.event = c->manager->event;
        nwfilter_set_applier(c, &nft_applier, &applier);
}
