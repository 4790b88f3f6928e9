/* domain-lifecycle.c: the lifecycle verbs (start, shutdown, …) and the one transition function (the job rule is domain-job.c's). */
#define LOG_MODULE "core"
#include "domain.h"

#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "domain-persist.h"
#include "domain-save.h"
#include "driver.h"
#include "log.h"

/* Run a driver op inside a job; the domain stays allocated until the op has returned. */
static int domain_run(Domain *d, DomainJob job, int (*op)(Domain *, unsigned, Call *, VbError *),
                      unsigned flags, Call *call, VbError *err) {
        if (!op)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", domain_job_name(job));
        if (domain_job_begin(d, job, err) < 0)
                return -1;
        domain_ref(d);
        log_debug("domain %s: job %s begins", d->obj.name, domain_job_name(job));
        int r = op(d, flags, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

static int op_suspend(Domain *d, unsigned flags, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->suspend(d, call, err);
}

static int op_resume(Domain *d, unsigned flags, Call *call, VbError *err) {
        return d->obj.conn->driver->domain->resume(d, call, err);
}

static const DomainOps *ops_of(Domain *d) {
        static const DomainOps none;
        const DomainOps *ops = d->obj.conn->driver->domain;
        return ops ? ops : &none;
}

/* A domain with a managed save image resumes from it; FORCE_BOOT drops the image and boots. */
static int op_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        int r = 0;
        int k = domain_start_from_managed_save(d, flags, call, &r, err);
        if (k < 0)
                return -1;
        if (k > 0)
                return r;
        return ops_of(d)->start(d, flags & ~DOMAIN_START_FORCE_BOOT, call, err);
}

/* The lifecycle APIs: which job each one is and the driver op that does it. */
typedef struct LifecycleVerb {
        ApiId api;
        DomainJob job;
} LifecycleVerb;

static const LifecycleVerb lifecycle_verbs[] = {
        { API_DOMAIN_CREATE, DOMAIN_JOB_START },
        { API_DOMAIN_CREATE_WITH_FLAGS, DOMAIN_JOB_START },
        { API_DOMAIN_SHUTDOWN, DOMAIN_JOB_SHUTDOWN },
        { API_DOMAIN_SHUTDOWN_FLAGS, DOMAIN_JOB_SHUTDOWN },
        { API_DOMAIN_REBOOT, DOMAIN_JOB_REBOOT },
        { API_DOMAIN_RESET, DOMAIN_JOB_RESET },
        { API_DOMAIN_SUSPEND, DOMAIN_JOB_SUSPEND },
        { API_DOMAIN_RESUME, DOMAIN_JOB_RESUME },
        { API_DOMAIN_DESTROY, DOMAIN_JOB_DESTROY },
        { API_DOMAIN_DESTROY_FLAGS, DOMAIN_JOB_DESTROY },
};

typedef int (*LifecycleOp)(Domain *, unsigned, Call *, VbError *);

static LifecycleOp lifecycle_op(Domain *d, DomainJob job) {
        const DomainOps *ops = ops_of(d);
        switch (job) {
        case DOMAIN_JOB_START: return ops->start ? op_start : NULL;
        case DOMAIN_JOB_SHUTDOWN: return ops->shutdown;
        case DOMAIN_JOB_REBOOT: return ops->reboot;
        case DOMAIN_JOB_RESET: return ops->reset;
        case DOMAIN_JOB_SUSPEND: return ops->suspend ? op_suspend : NULL;
        case DOMAIN_JOB_RESUME: return ops->resume ? op_resume : NULL;
        case DOMAIN_JOB_DESTROY: return ops->destroy;
        default: return NULL;
        }
}

int domain_lifecycle(Domain *d, ApiId api, unsigned flags, Call *call, VbError *err) {
        const ApiRow *row = api_row(api);
        const LifecycleVerb *verb = NULL;
        for (size_t i = 0; i < sizeof lifecycle_verbs / sizeof lifecycle_verbs[0]; i++)
                if (lifecycle_verbs[i].api == api)
                        verb = &lifecycle_verbs[i];
        if (!row || !verb)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "API %d is not a lifecycle verb", (int) api);
        if (api_check_flags(row, flags, err) < 0)
                return -1;
        return domain_run(d, verb->job, lifecycle_op(d, verb->job), flags, call, err);
}

int domain_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        return domain_lifecycle(d, API_DOMAIN_CREATE_WITH_FLAGS, flags, call, err);
}

int domain_shutdown(Domain *d, unsigned flags, Call *call, VbError *err) {
        return domain_lifecycle(d, API_DOMAIN_SHUTDOWN_FLAGS, flags, call, err);
}

int domain_suspend(Domain *d, Call *call, VbError *err) {
        return domain_lifecycle(d, API_DOMAIN_SUSPEND, 0, call, err);
}

int domain_resume(Domain *d, Call *call, VbError *err) {
        return domain_lifecycle(d, API_DOMAIN_RESUME, 0, call, err);
}

int domain_destroy(Domain *d, unsigned flags, Call *call, VbError *err) {
        return domain_lifecycle(d, API_DOMAIN_DESTROY_FLAGS, flags, call, err);
}

int domain_create_xml(Connection *c, const char *xml, size_t len, unsigned flags, Call *call,
                      Domain **out, VbError *err) {
        if (api_check_flags(api_row(API_DOMAIN_CREATE_XML), flags, err) < 0)
                return -1;
        Domain *d = NULL;
        DomainDef *def = domain_parse_for(c, xml, len, flags & DOMAIN_START_VALIDATE, &d, err);
        if (!def)
                return -1;
        if (d) {
                /* libvirt starts an existing inactive domain of that name with this definition. */
                domain_def_free(def);
                if (domain_is_active(d))
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                            "domain '%s' is already active", d->obj.name);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "domain '%s' is already defined", d->obj.name);
        }
        if (domain_add(c, def, false, &d, err) < 0) {
                domain_def_free(def);
                return -1;
        }
        notify_simple(&d->obj, NOTICE_ADDED);
        domain_ref(d);
        int r = domain_start(d, flags & ~DOMAIN_START_VALIDATE, call, err);
        if (r < 0 && !d->removed)
                domain_remove(d);      /* a transient domain that never ran leaves no trace */
        if (r >= 0 && out)
                *out = d->removed ? NULL : d;
        domain_unref(d);
        return r;
}

/* Entering an active state from shut off: a running definition and an id. */
static int domain_enter_active(Domain *d) {
        Connection *c = d->obj.conn;
        if (!d->live) {
                d->live = domain_def_copy(d->def);
                if (!d->live)
                        return -ENOMEM;
        }
        if (d->obj.id <= 0) {
                int r = registry_set_id(&c->domains, &d->obj, c->next_domain_id++);
                if (r < 0)
                        return r;
        }
        d->live->id = d->obj.id;
        return 0;
}

/* Leaving for shut off: the running definition and the id go; a transient domain goes. */
static void domain_enter_shutoff(Domain *d) {
        registry_set_id(&d->obj.conn->domains, &d->obj, -1);
        if (d->persistent) {
                domain_def_free(d->live);
                d->live = NULL;
        }
        d->updated = false;
        domain_remove_status(d, NULL);
}

/* The transition. live (taken), when not NULL, becomes the running definition of a domain
 * entering an active state. With err, a status file that cannot be written refuses an entry
 * into an active state: the domain goes back to what it was and nothing is announced. */
static int domain_transition_do(Domain *d, DomainInput input, DomainDef *live, VbError *err) {
        const DomainTransition *t = domain_transition_lookup(d->state, input);
        if (!t) {
                log_debug("domain %s: input %s ignored in state %s", d->obj.name,
                          domain_input_to_string(input), domain_state_to_string(d->state));
                domain_def_free(live);
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain '%s' cannot go from %s on %s",
                             d->obj.name, domain_state_to_string(d->state), domain_input_to_string(input));
                return -EINVAL;
        }
        DomainState old = d->state;
        int old_reason = d->reason;
        bool was_active = domain_is_active(d);
        bool entering = !was_active && t->to != DOMAIN_SHUTOFF;
        unsigned changed = PROP_STATE;
        bool was_updated = d->updated;
        DomainDef *old_live = d->live;
        int old_id = d->obj.id;

        if (entering) {
                if (live)
                        d->live = live;
                int r = domain_enter_active(d);
                if (r < 0) {
                        if (live) {
                                d->live = old_live;
                                domain_def_free(live);
                        }
                        vb_error_errno(err, r, "enter an active state");
                        return log_error_errno(r, "domain %s: cannot enter %s: out of memory", d->obj.name,
                                               domain_state_to_string(t->to));
                }
                changed |= PROP_ACTIVE | PROP_ID;
        } else {
                domain_def_free(live);
        }
        d->state = t->to;
        d->reason = t->reason;

        if (domain_is_active(d)) {
                VbError e = { 0 };
                if (domain_save_status(d, &e) < 0) {
                        log_error("domain %s: cannot save status: %s", d->obj.name, e.message);
                        if (err && entering) {
                                /* Refused: back to what it was, as if the input had not come. */
                                d->state = old;
                                d->reason = old_reason;
                                if (old_id <= 0)
                                        registry_set_id(&d->obj.conn->domains, &d->obj, -1);
                                if (d->live != old_live) {
                                        domain_def_free(d->live);
                                        d->live = old_live;
                                }
                                *err = e;
                                return -EIO;
                        }
                }
        }
        if (entering && live && old_live && old_live != d->live)
                domain_def_free(old_live);
        if (was_active && t->to == DOMAIN_SHUTOFF) {
                domain_enter_shutoff(d);
                changed |= PROP_ACTIVE | PROP_ID | (was_updated ? PROP_UPDATED : 0);
        }
        log_info("domain %s: %s → %s (%s, reason %d)", d->obj.name, domain_state_to_string(old),
                 domain_state_to_string(t->to), domain_input_to_string(input), t->reason);

        if (t->event >= 0)
                notify_lifecycle(&d->obj, t->event, t->detail);
        if (input == DOMAIN_INPUT_RESET)
                notify_simple(&d->obj, NOTICE_REBOOT);
        notify_changed(&d->obj, changed);
        if (!domain_is_active(d) && !d->persistent)
                domain_remove(d);
        return 0;
}

int domain_transition(Domain *d, DomainInput input) {
        return domain_transition_do(d, input, NULL, NULL);
}

int domain_transition_live(Domain *d, DomainInput input, DomainDef *live, VbError *err) {
        return domain_transition_do(d, input, live, err) < 0 ? -1 : 0;
}

int domain_restore_state(Domain *d, DomainState state, int reason, VbError *err) {
        if (state != DOMAIN_SHUTOFF && state != DOMAIN_NOSTATE) {
                int r = domain_enter_active(d);
                if (r < 0)
                        return vb_error_errno(err, r, "restore domain state");
        }
        d->state = state;
        d->reason = reason;
        log_debug("domain %s: restored as %s (reason %d)", d->obj.name, domain_state_to_string(state), reason);
        return 0;
}

/* virDomainSetMemoryFlags. CURRENT (0) is the live definition of a running domain, else the
 * persistent one; the persistent <currentMemory> is saved before the balloon moves. */
int domain_set_memory(Domain *d, uint64_t kib, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_AFFECT_LIVE | DOMAIN_AFFECT_CONFIG | DOMAIN_MEM_MAXIMUM,
                           "virDomainSetMemoryFlags", err) < 0)
                return -1;
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        if (domain_affect_resolve(d, &flags, true, NULL, err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if ((flags & DOMAIN_MEM_MAXIMUM) && live)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot resize the maximum memory on an active domain");
        const DomainOps *ops = ops_of(d);
        if (live && !ops->set_memory)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSetMemoryFlags");
        if (!(flags & DOMAIN_MEM_MAXIMUM)) {
                if ((live && kib > d->live->memory_kib) || (config && kib > d->def->memory_kib))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "cannot set memory higher than max memory");
        } else if (kib == 0) {
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "memory must be greater than zero");
        }
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        if (config) {
                DomainDef *nd = domain_def_copy(d->def);
                if (!nd) {
                        domain_job_end(d);
                        return vb_error_errno(err, -ENOMEM, "copy domain definition");
                }
                if (flags & DOMAIN_MEM_MAXIMUM) {
                        nd->memory_kib = kib;
                        if (nd->current_memory_kib > kib)
                                nd->current_memory_kib = kib;
                } else {
                        nd->current_memory_kib = kib;
                }
                if (domain_save_config(d->obj.conn, nd, err) < 0) {
                        domain_def_free(nd);
                        domain_job_end(d);
                        return -1;
                }
                domain_def_free(d->def);
                d->def = nd;
        }
        if (!live) {
                domain_job_end(d);
                return 0;
        }
        domain_ref(d);
        log_debug("domain %s: balloon to %llu KiB", d->obj.name, (unsigned long long) kib);
        int r = ops->set_memory(d, kib, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
