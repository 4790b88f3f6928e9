/* domain-job.c: the job rule: one job at a time per domain, each accepted only in the states its verb allows (libvirt's refusals). */
#include "domain.h"

/* Which states each verb accepts, and what a caller hears otherwise (libvirt's texts). */
typedef struct VerbRule {
        const char *job_name;
        unsigned states;
        VbErrorCode code;
        const char *refusal;    /* %s: the domain's name, where the text has one */
} VerbRule;

#define S(x) (1u << DOMAIN_##x)
static const VerbRule verb_rules[] = {
        [DOMAIN_JOB_START] = { "start", S(SHUTOFF) | S(NOSTATE), VB_ERR_INTERNAL_ERROR,
                               "Domain '%s' is already running" },
        [DOMAIN_JOB_SHUTDOWN] = { "shutdown", S(RUNNING) | S(BLOCKED) | S(PAUSED), VB_ERR_INTERNAL_ERROR,
                                  "domain '%s' not running" },
        [DOMAIN_JOB_REBOOT] = { "reboot", S(RUNNING) | S(BLOCKED), VB_ERR_OPERATION_INVALID,
                                "domain is not running" },
        [DOMAIN_JOB_RESET] = { "reset", S(RUNNING) | S(BLOCKED), VB_ERR_OPERATION_INVALID,
                               "domain is not running" },
        [DOMAIN_JOB_SUSPEND] = { "suspend", S(RUNNING) | S(BLOCKED), VB_ERR_INTERNAL_ERROR,
                                 "domain '%s' not running" },
        [DOMAIN_JOB_RESUME] = { "resume", S(PAUSED), VB_ERR_INTERNAL_ERROR, "domain '%s' not paused" },
        [DOMAIN_JOB_DESTROY] = { "destroy", ~(S(SHUTOFF) | S(NOSTATE)), VB_ERR_OPERATION_INVALID,
                                 "domain is not running" },
        [DOMAIN_JOB_MODIFY] = { "modify", ~0u, VB_ERR_OK, NULL },
        [DOMAIN_JOB_SAVE] = { "save", S(RUNNING) | S(BLOCKED) | S(PAUSED), VB_ERR_OPERATION_INVALID,
                              "domain is not running" },
        [DOMAIN_JOB_DUMP] = { "dump", S(RUNNING) | S(BLOCKED) | S(PAUSED), VB_ERR_OPERATION_INVALID,
                              "domain is not running" },
};
#undef S

/* One job at a time: a second mutating call is refused, never interleaved. */
int domain_job_begin(Domain *d, DomainJob job, VbError *err) {
        const VerbRule *rule = &verb_rules[job];
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (d->job != DOMAIN_JOB_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by %s)", verb_rules[d->job].job_name);
        if (!(rule->states & (1u << d->state))) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                return vb_error_set(err, rule->code, connection_error_origin(d->obj.conn), rule->refusal, d->obj.name);
#pragma GCC diagnostic pop
        }
        d->job = job;
        return 0;
}

void domain_job_end(Domain *d) {
        d->job = DOMAIN_JOB_NONE;
}

const char *domain_job_name(DomainJob job) {
        return verb_rules[job].job_name;
}
