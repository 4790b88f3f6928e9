/* job.h: one mutating verb in flight on a network, pool or volume, and how it ends (now or later). */
#pragma once

#include "call.h"
#include "error.h"
#include "object.h"

/* The core's half of a verb: applies the driver op's outcome (a state change, or an undo on
 * failure). May set *r < 0 with err, may free o. Returns the object the caller gets as result
 * (a created network), or NULL. data: the job's. */
typedef void *(*JobFinishFn)(Object *o, void *data, int *r, VbError *err);

/* What a finish returns when it has begun the verb's next step as a new job on the same
 * object and call (a pool's start after its build): the call is answered when that job ends,
 * and job_settle answers VERB_PENDING. */
extern char job_chained_mark;
#define JOB_CHAINED ((void *) &job_chained_mark)

typedef struct Job {
        const char *name;       /* NULL: no job */
        Call *call;             /* answered when a pending op ends (referenced; may be NULL) */
        JobFinishFn finish;
        void *data;             /* what finish needs besides the object (a volume being created) */
} Job;

/* Take the object's one job, or refuse with libvirt's "cannot acquire state change lock". */
int job_begin(Job *j, const char *name, int error_from, VbError *err);

/* Run op's answer r through the job: VERB_PENDING leaves the job held until job_done;
 * anything else finishes now (the caller answers its door) and ends the job. */
int job_settle(Job *j, Object *o, int r, VbError *err);

/* A driver op that answered VERB_PENDING reports its outcome: the core applies it, ends the job
 * and answers the call. o may be freed on return. */
void job_done(Job *j, Object *o, int r, const VbError *err);
