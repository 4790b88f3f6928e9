/* checkpoint-verbs.c: create and delete a checkpoint: checks, libvirt's alignment of its disks with the domain's, a modify job, the driver's op (perhaps pending), then the tree and its files. */
#define LOG_MODULE "core"
#include "checkpoint.h"
#include "checkpoint-store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "snapshot-conf.h"

#define CK_ERR(err, code, ...) vb_error_set(err, code, VB_FROM_DOMAIN_CHECKPOINT, __VA_ARGS__)

static const DomainOps *ops_of(Domain *d) {
        static const DomainOps none;
        const DomainOps *ops = d->obj.conn->driver->domain;
        return ops ? ops : &none;
}

/* ---- libvirt's alignment of the disks ---- */

static bool disk_matches(const DomainDisk *dd, const char *name) {
        return (dd->target_dev && strcmp(dd->target_dev, name) == 0) ||
               (dd->source_file && strcmp(dd->source_file, name) == 0);
}

/* Every disk of the domain, in its order, by target: the ones given keep their choice; without
 * <disks> every writable disk with a source gets a bitmap, with it the others get none. A
 * bitmap is named after the checkpoint unless given. */
static int align_disks(CheckpointDef *def, const DomainDef *dom, VbError *err) {
        const DomainDevices *dev = &dom->priv->devices;
        if (def->n_disks > dev->n_disks)
                return CK_ERR(err, VB_ERR_CONFIG_UNSUPPORTED, "too many disk checkpoint requests for domain");
        if (dev->n_disks == 0)
                return CK_ERR(err, VB_ERR_CONFIG_UNSUPPORTED, "domain must have at least one disk to perform checkpoints");
        long *given = calloc(dev->n_disks, sizeof *given);      /* 1 + index into def->disks */
        if (!given)
                return vb_error_errno(err, -ENOMEM, "checkpoint disks");
        int r = 0;
        for (size_t i = 0; i < def->n_disks && r == 0; i++) {
                size_t k = 0;
                while (k < dev->n_disks && !disk_matches(&dev->disks[k], def->disks[i].name))
                        k++;
                if (k == dev->n_disks)
                        r = CK_ERR(err, VB_ERR_CONFIG_UNSUPPORTED, "no disk named '%s'", def->disks[i].name);
                else if (given[k])
                        r = CK_ERR(err, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' specified twice", def->disks[i].name);
                else
                        given[k] = (long) i + 1;
        }
        CheckpointDef old = *def;
        def->disks = NULL;
        def->n_disks = 0;
        for (size_t k = 0; k < dev->n_disks && r == 0; k++) {
                const DomainDisk *dd = &dev->disks[k];
                const CheckpointDiskDef *u = given[k] ? &old.disks[given[k] - 1] : NULL;
                bool usable = !dd->readonly && (dd->source_file || dd->source_dev) &&
                              (!dd->device || strcmp(dd->device, "disk") == 0);
                const char *type = u && u->type ? u->type : (u || old.n_disks == 0) && usable ? "bitmap" : "no";
                if (u && !usable && strcmp(type, "bitmap") == 0)
                        r = CK_ERR(err, VB_ERR_CONFIG_UNSUPPORTED, "disk '%s' cannot be checkpointed (read-only or empty)",
                                   u->name);
                const char *bitmap = strcmp(type, "bitmap") != 0 ? NULL : u && u->bitmap ? u->bitmap : def->name;
                if (r == 0 && !checkpoint_def_add_disk(def, dd->target_dev ? dd->target_dev : "", type, bitmap))
                        r = vb_error_errno(err, -ENOMEM, "checkpoint disks");
        }
        for (size_t i = 0; i < old.n_disks; i++) {
                free(old.disks[i].name);
                free(old.disks[i].type);
                free(old.disks[i].bitmap);
        }
        free(old.disks);
        free(given);
        return r;
}

CheckpointDef *checkpoint_prepare(Domain *d, const char *xml, unsigned flags, VbError *err) {
        CheckpointTree *t = checkpoint_tree_of(d);
        const DomainDef *dom = domain_current_def(d);
        if (!t || !dom) {
                vb_error_errno(err, -ENOMEM, "checkpoint tree");
                return NULL;
        }
        bool redefine = flags & CHECKPOINT_CREATE_REDEFINE;
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), redefine ? CHECKPOINT_PARSE_REDEFINE : 0, err);
        if (!def)
                return NULL;
        if (!def->name) {
                char name[32];
                snprintf(name, sizeof name, "%lld", (long long) time(NULL));   /* libvirt's default */
                def->name = strdup(name);
        }
        int r = 0;
        if (!def->name)
                r = vb_error_errno(err, -ENOMEM, "checkpoint definition");
        else if (d->obj.conn->config_dir && snapshot_name_check_file(def->name, err) < 0)
                r = -1;         /* the name is a file name of the domain's config dir */
        else if (checkpoint_lookup(d, def->name, NULL))
                r = CK_ERR(err, VB_ERR_OPERATION_FAILED, "domain moment %s already exists", def->name);
        else if (redefine && def->parent && !checkpoint_lookup(d, def->parent, NULL))
                r = CK_ERR(err, VB_ERR_INVALID_ARG, "parent %s for moment %s not found", def->parent, def->name);
        else if (!redefine) {
                def->creation_time = (int64_t) time(NULL);
                def->has_creation_time = true;
                def->parent = t->current ? strdup(t->current->def->name) : NULL;
                def->dom = domain_def_copy(dom);
                if (!def->dom || (t->current && !def->parent))
                        r = vb_error_errno(err, -ENOMEM, "checkpoint definition");
                else
                        r = align_disks(def, dom, err);
        }
        return r < 0 ? checkpoint_def_free(def) : def;
}

Checkpoint *checkpoint_commit(Domain *d, CheckpointDef *def, VbError *err) {
        CheckpointTree *t = checkpoint_tree_of(d);
        Checkpoint *c = t ? checkpoint_tree_add(t, d, def) : NULL;
        if (!c) {
                vb_error_errno(err, -ENOMEM, "checkpoint tree");
                return NULL;
        }
        checkpoint_tree_link(t);
        VbError e = { 0 };
        if (checkpoint_store_save(d, c, &e) < 0)
                log_warning("domain %s: checkpoint %s: %s", d->obj.name, def->name, e.message);
        return c;
}

/* ---- a verb's job: the domain's modify job while the driver works ---- */

typedef struct CkJob {
        Domain *d;                      /* a reference */
        Call *outer;                    /* the door's call (a reference); NULL once answered at once */
        CheckpointDef *def;             /* create: until the tree takes it */
        unsigned flags;
        Checkpoint *made;               /* create: the result */
        Checkpoint **queue;             /* delete: what remains to go, deepest first */
        size_t n_queue, i_queue;
        bool answered_inline;           /* the op answered before returning */
        int inline_r;
        VbError inline_err;
} CkJob;

static void job_free(CkJob *j) {
        checkpoint_def_free(j->def);
        free(j->queue);
        call_unref(j->outer);
        domain_unref(j->d);
        free(j);
}

static CkJob *job_begin(Domain *d, Call *outer, unsigned flags, VbError *err) {
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return NULL;
        CkJob *j = calloc(1, sizeof *j);
        if (!j) {
                domain_job_end(d);
                vb_error_errno(err, -ENOMEM, "checkpoint job");
                return NULL;
        }
        j->d = domain_ref(d);
        j->outer = outer ? call_ref(outer) : NULL;
        j->flags = flags;
        return j;
}

/* The end of a verb that went pending: the door hears of it. */
static void job_finish(CkJob *j, int r, const VbError *err) {
        domain_job_end(j->d);
        call_complete(j->outer, r < 0 ? -1 : 0, r < 0 ? err : NULL, r < 0 ? NULL : j->made);
        job_free(j);
}

typedef int (*CkStepFn)(CkJob *j, int r, const VbError *why, VbError *err);

typedef struct CkInner {
        CkJob *j;
        CkStepFn step;
        bool returned;                  /* the op returned VERB_PENDING: the job is the call's */
} CkInner;

static int run_op(CkJob *j, int (*op)(CkJob *, Call *, VbError *), CkStepFn step, VbError *err);

static void on_inner(Call *call, int r, const VbError *why, void *result) {
        CkInner *in = call->userdata;
        CkJob *j = in->j;
        CkStepFn step = in->step;
        bool pending = in->returned;
        free(in);
        if (!pending) {
                /* completed inside the op: run_op goes on */
                j->answered_inline = true;
                j->inline_r = r;
                if (why)
                        j->inline_err = *why;
                return;
        }
        VbError err = { 0 };
        int k = step(j, r, why, &err);
        if (k != VERB_PENDING)
                job_finish(j, k, &err);
}

/* op with an inner call that ends in step: 0 (step ran), VERB_PENDING, or -1. */
static int run_op(CkJob *j, int (*op)(CkJob *, Call *, VbError *), CkStepFn step, VbError *err) {
        CkInner *in = calloc(1, sizeof *in);
        Call *inner = in ? call_new(CALL_DOOR_INTERNAL, j->outer ? &j->outer->who : NULL, on_inner, in) : NULL;
        if (!inner) {
                free(in);
                return vb_error_errno(err, -ENOMEM, "checkpoint call");
        }
        in->j = j;
        in->step = step;
        j->answered_inline = false;
        int r = op(j, inner, err);
        if (r == VERB_PENDING && !j->answered_inline) {
                in->returned = true;
                call_unref(inner);
                return VERB_PENDING;
        }
        if (!inner->completed) {
                inner->completed = true;
                free(in);
        }
        call_unref(inner);
        if (j->answered_inline) {
                r = j->inline_r;
                if (r < 0)
                        *err = j->inline_err;
        }
        return step(j, r < 0 ? -1 : 0, r < 0 ? err : NULL, err);
}

/* A job whose first step ran: answered at once, or pending with the door's call. */
static int job_return(CkJob *j, int r, Checkpoint **out) {
        if (r == VERB_PENDING)
                return r;
        if (r == 0 && out)
                *out = j->made;
        domain_job_end(j->d);
        job_free(j);
        return r < 0 ? -1 : 0;
}

/* ---- create ---- */

static int create_op(CkJob *j, Call *inner, VbError *err) {
        if (j->flags & CHECKPOINT_CREATE_REDEFINE)
                return 0;       /* metadata only */
        return ops_of(j->d)->checkpoint_create(j->d, j->def, inner, err);
}

static int create_done(CkJob *j, int r, const VbError *why, VbError *err) {
        if (r < 0) {
                if (why != err)
                        *err = *why;
                return -1;
        }
        if (!(j->made = checkpoint_commit(j->d, j->def, err)))
                return -1;
        j->def = NULL;
        /* A new checkpoint is the parent of the next one; a redefined one when it says so or
         * when there is none yet (libvirt's test driver's rule). */
        if (!(j->flags & CHECKPOINT_CREATE_REDEFINE) || j->made->def->current || !j->d->checkpoints->current)
                checkpoint_set_current(j->d, j->made);
        log_info("domain %s: checkpoint %s %s", j->d->obj.name, j->made->def->name,
                 j->flags & CHECKPOINT_CREATE_REDEFINE ? "redefined" : "created");
        return 0;
}

int checkpoint_create(Domain *d, const char *xml, unsigned flags, Call *call, Checkpoint **out, VbError *err) {
        if (vb_check_flags(flags, CHECKPOINT_CREATE_REDEFINE | CHECKPOINT_CREATE_REDEFINE_VALIDATE,
                           "virDomainCheckpointCreateXML", err) < 0)
                return -1;
        if (!ops_of(d)->checkpoint_create)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCheckpointCreateXML");
        if ((flags & CHECKPOINT_CREATE_REDEFINE_VALIDATE) && !(flags & CHECKPOINT_CREATE_REDEFINE))
                return CK_ERR(err, VB_ERR_INVALID_ARG, "use of 'redefine_validate' flag requires 'redefine' flag");
        CheckpointDef *def = checkpoint_prepare(d, xml ? xml : "<domaincheckpoint/>", flags, err);
        CkJob *j = def ? job_begin(d, call, flags, err) : NULL;
        if (!j) {
                checkpoint_def_free(def);
                return -1;
        }
        j->def = def;
        log_info("domain %s: creating checkpoint %s", d->obj.name, def->name);
        return job_return(j, run_op(j, create_op, create_done, err), out);
}

/* ---- delete ---- */

static int collect(Checkpoint *c, Checkpoint ***v, size_t *n) {
        for (size_t i = 0; i < c->n_children; i++)
                if (collect(c->children[i], v, n) < 0)
                        return -1;
        Checkpoint **nv = realloc(*v, (*n + 1) * sizeof *nv);
        if (!nv)
                return -1;
        *v = nv;
        (*v)[(*n)++] = c;
        return 0;
}

static int delete_op(CkJob *j, Call *inner, VbError *err) {
        if (j->flags & CHECKPOINT_DELETE_METADATA_ONLY)
                return 0;
        return ops_of(j->d)->checkpoint_delete(j->d, j->queue[j->i_queue]->def, inner, err);
}

static int delete_done(CkJob *j, int r, const VbError *why, VbError *err) {
        if (r < 0) {
                if (why != err)
                        *err = *why;
                return -1;
        }
        checkpoint_tree_remove(j->d, j->queue[j->i_queue]);
        if (++j->i_queue < j->n_queue)
                return run_op(j, delete_op, delete_done, err);
        return 0;
}

int checkpoint_delete(Checkpoint *c, unsigned flags, Call *call, VbError *err) {
        Domain *d = c->domain;
        const unsigned all = CHECKPOINT_DELETE_CHILDREN | CHECKPOINT_DELETE_METADATA_ONLY | CHECKPOINT_DELETE_CHILDREN_ONLY;
        if (vb_check_flags(flags, all, "virDomainCheckpointDelete", err) < 0)
                return -1;
        if ((flags & CHECKPOINT_DELETE_CHILDREN) && (flags & CHECKPOINT_DELETE_CHILDREN_ONLY))
                return CK_ERR(err, VB_ERR_INVALID_ARG,
                              "Flags 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN' and 'VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY' are mutually exclusive");
        if (!(flags & CHECKPOINT_DELETE_METADATA_ONLY) && !ops_of(d)->checkpoint_delete)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCheckpointDelete");
        Checkpoint **q = NULL;
        size_t n = 0;
        if (flags & (CHECKPOINT_DELETE_CHILDREN | CHECKPOINT_DELETE_CHILDREN_ONLY)) {
                if (collect(c, &q, &n) < 0) {
                        free(q);
                        return vb_error_errno(err, -ENOMEM, "checkpoint list");
                }
                if (flags & CHECKPOINT_DELETE_CHILDREN_ONLY)
                        n--;            /* c itself stays: it is last */
        } else if ((q = malloc(sizeof *q))) {
                q[n++] = c;
        } else {
                return vb_error_errno(err, -ENOMEM, "checkpoint list");
        }
        CkJob *j = n > 0 ? job_begin(d, call, flags, err) : NULL;
        if (!j) {
                free(q);
                return n > 0 ? -1 : 0;
        }
        j->queue = q;
        j->n_queue = n;
        log_info("domain %s: deleting %zu checkpoint(s) from %s", d->obj.name, n, q[0]->def->name);
        return job_return(j, run_op(j, delete_op, delete_done, err), NULL);
}
