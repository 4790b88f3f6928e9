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
        TuneLiveFn live;
        TuneRecordFn record;
        int a, b;
        bool config;
        /* the data form (domain_tune_live_data): live_data, record_data and data */
        TuneLiveDataFn live_data;
        TuneRecordDataFn record_data;
        void *data;
        void (*data_free)(void *);
} TuneLater;

static void later_free(TuneLater *q) {
        call_unref(q->outer);
        domain_unref(q->d);
        if (q->data_free)
                q->data_free(q->data);
        free(q);
}

static int later_record(TuneLater *q, VbError *err) {
        return q->record_data ? q->record_data(q->d, q->data, q->config, err)
                              : q->record(q->d, q->a, q->b, q->config, err);
}

static void later_done(Call *inner, int r, const VbError *err, void *result) {
        TuneLater *q = inner->userdata;
        VbError e = { 0 };
        if (r >= 0 && later_record(q, &e) < 0)
                call_complete(q->outer, -1, &e, NULL);
        else
                call_complete(q->outer, r < 0 ? -1 : 0, err, NULL);
        later_free(q);
}

static int later_run(TuneLater *proto, Call *call, VbError *err) {
        Domain *d = proto->d;
        TuneLater *q = calloc(1, sizeof *q);
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, later_done, q) : NULL;
        if (!inner) {
                free(q);
                if (proto->data_free)
                        proto->data_free(proto->data);
                domain_job_end(d);
                return vb_error_errno(err, -ENOMEM, "live change");
        }
        *q = *proto;
        q->outer = call_ref(call);
        q->d = domain_ref(d);
        int r = q->live_data ? q->live_data(d, q->data, inner, err) : q->live(d, q->a, q->b, inner, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        /* answered at once: the op ended nothing, the job is still the verb's */
        domain_job_end(d);
        if (r == 0)
                r = later_record(q, err);
        inner->userdata = NULL;
        call_unref(inner);
        later_free(q);
        return r < 0 ? -1 : 0;
}

int domain_tune_live(Domain *d, TuneLiveFn live, TuneRecordFn record, int a, int b, bool config, Call *call,
                     VbError *err) {
        TuneLater proto = { .d = d, .live = live, .record = record, .a = a, .b = b, .config = config };
        return later_run(&proto, call, err);
}

int domain_tune_live_data(Domain *d, TuneLiveDataFn live, TuneRecordDataFn record, void *data,
                          void (*data_free)(void *), bool config, Call *call, VbError *err) {
        TuneLater proto = { .d = d, .live_data = live, .record_data = record, .data = data,
                            .data_free = data_free, .config = config };
        return later_run(&proto, call, err);
}
