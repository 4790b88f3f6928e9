/* job.c: the job rule for networks, pools and volumes (as domain-lifecycle.c's for domains). */
#define LOG_MODULE "core"
#include "job.h"

#include "log.h"

char job_chained_mark;

int job_begin(Job *j, const char *name, int error_from, VbError *err) {
        if (j->name)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, error_from,
                                    "cannot acquire state change lock (held by %s)", j->name);
        *j = (Job) { .name = name };
        return 0;
}

int job_settle(Job *j, Object *o, int r, VbError *err) {
        if (r == VERB_PENDING) {
                log_debug("%s: job %s pending", o->name, j->name);
                return VERB_PENDING;
        }
        JobFinishFn finish = j->finish;
        void *data = j->data;
        call_unref(j->call);
        *j = (Job) { 0 };
        if (r < 0)
                r = -1;
        if (finish && finish(o, data, &r, err) == JOB_CHAINED)
                return VERB_PENDING;
        return r < 0 ? -1 : 0;
}

void job_done(Job *j, Object *o, int r, const VbError *err) {
        Call *call = j->call;
        JobFinishFn finish = j->finish;
        void *data = j->data;
        const char *name = j->name;
        *j = (Job) { 0 };
        VbError e = { 0 };
        if (r < 0 && err)
                e = *err;
        if (r < 0 && !e.code)
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "%s failed", name ? name : "job");
        r = r < 0 ? -1 : 0;
        void *result = finish ? finish(o, data, &r, &e) : NULL;
        if (result == JOB_CHAINED) {
                log_debug("job %s ended: the next one answers", name ? name : "?");
                call_unref(call);
                return;
        }
        log_debug("job %s ended: %d", name ? name : "?", r);
        call_complete(call, r, r < 0 ? &e : NULL, result);
        call_unref(call);
}
