/* domain-tune-later.c: a live setting the driver changes later (a QMP command in flight): once it has succeeded, the verb's record step keeps it in the running and, when asked, the persistent definition, then the caller's call completes; a failure records nothing. */
#define LOG_MODULE "domain"
#include "domain-tune-stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain.h"
#include "driver.h"

typedef struct TuneLater {
        Call *outer;
        Domain *d;
        TuneRecordFn record;
        int a, b;
        bool config;
} TuneLater;

static void later_free(TuneLater *q) {
        call_unref(q->outer);
        domain_unref(q->d);
        free(q);
}

static void later_done(Call *inner, int r, const VbError *err, void *result) {
        TuneLater *q = inner->userdata;
        VbError e = { 0 };
        if (r >= 0 && q->record(q->d, q->a, q->b, q->config, &e) < 0)
                call_complete(q->outer, -1, &e, NULL);
        else
                call_complete(q->outer, r < 0 ? -1 : 0, err, NULL);
        later_free(q);
}

int domain_tune_live(Domain *d, TuneLiveFn live, TuneRecordFn record, int a, int b, bool config, Call *call,
                     VbError *err) {
        TuneLater *q = calloc(1, sizeof *q);
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, later_done, q) : NULL;
        if (!inner) {
                free(q);
                domain_job_end(d);
                return vb_error_errno(err, -ENOMEM, "live change");
        }
        *q = (TuneLater) { .outer = call_ref(call), .d = domain_ref(d), .record = record, .a = a, .b = b,
                           .config = config };
        int r = live(d, a, b, inner, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        /* answered at once: the op ended nothing, the job is still the verb's */
        domain_job_end(d);
        if (r == 0)
                r = record(d, a, b, config, err);
        inner->userdata = NULL;
        call_unref(inner);
        later_free(q);
        return r < 0 ? -1 : 0;
}
