/* snapshot-verbs.c: create, revert and delete a snapshot: checks, a modify job, the driver's op (perhaps pending), then the tree and its files. */
#define LOG_MODULE "core"
#include "snapshot.h"
#include "snapshot-store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

static const DomainOps *ops_of(Domain *d) {
        static const DomainOps none;
        const DomainOps *ops = d->obj.conn->driver->domain;
        return ops ? ops : &none;
}

/* A verb's context while the driver works: the door's call, answered once the tree changed. */
typedef struct SnapJob {
        Domain *d;                      /* a reference */
        Call *outer;                    /* the door's call (a reference), NULL when answered at once */
        SnapshotDef *def;               /* create: the new snapshot, until the tree takes it */
        unsigned flags;
        bool creating;
        Snapshot *target;               /* revert, delete: the snapshot asked for */
        Snapshot **queue;               /* delete: what remains to go, deepest first */
        size_t n_queue, i_queue;
} SnapJob;

static SnapJob *job_free(SnapJob *j) {
        if (!j)
                return NULL;
        snapshot_def_free(j->def);
        free(j->queue);
        if (j->outer)
                call_unref(j->outer);
        domain_unref(j->d);
        free(j);
        return NULL;
}

static SnapJob *job_new(Domain *d, Call *outer, unsigned flags) {
        SnapJob *j = calloc(1, sizeof *j);
        if (!j)
                return NULL;
        j->d = domain_ref(d);
        j->outer = outer ? call_ref(outer) : NULL;
        j->flags = flags;
        return j;
}

/* Run op with an inner call that ends in done; 0 (done ran already), VERB_PENDING, or -1. */
typedef int (*SnapOpFn)(SnapJob *j, Call *inner, VbError *err);
typedef int (*SnapDoneFn)(SnapJob *j, int r, const VbError *why, VbError *err);

typedef struct Inner {
        SnapJob *j;
        SnapDoneFn done;
} Inner;

static void finish(SnapJob *j, int r, const VbError *err, void *result) {
        domain_job_end(j->d);
        if (j->outer)
                call_complete(j->outer, r, err, result);
        job_free(j);
}

static void on_inner_done(Call *call, int r, const VbError *why, void *result) {
        Inner *in = call->userdata;
        SnapJob *j = in->j;
        VbError err = { 0 };
        int k = in->done(j, r, why, &err);
        free(in);
        if (k == VERB_PENDING)
                return;         /* the next step runs (delete's queue) */
        /* Only a create answers with its snapshot (doors would take anything else for an Object). */
        void *res = j->creating ? j->target : NULL;
        finish(j, k < 0 ? -1 : 0, k < 0 ? &err : NULL, k < 0 ? NULL : res);
}

static int run_op(SnapJob *j, SnapOpFn op, SnapDoneFn done, VbError *err) {
        Inner *in = calloc(1, sizeof *in);
        Call *inner = in ? call_new(CALL_DOOR_INTERNAL, j->outer ? &j->outer->who : NULL, on_inner_done, in) : NULL;
        if (!inner) {
                free(in);
                return vb_error_errno(err, -ENOMEM, "snapshot call");
        }
        in->j = j;
        in->done = done;
        int r = op ? op(j, inner, err) : 0;
        if (r != VERB_PENDING) {
                r = r < 0 ? -1 : done(j, 0, NULL, err);
                inner->completed = true;        /* answered here, not through the call */
        }
        call_unref(inner);
        if (r != VERB_PENDING)
                free(in);
        return r;
}

/* A verb's job: the domain's modify job, then op; *out (create) the new snapshot when done at once. */
static SnapJob *job_begin(Domain *d, Call *call, unsigned flags, VbError *err) {
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return NULL;
        SnapJob *j = job_new(d, call, flags);
        if (!j) {
                domain_job_end(d);
                vb_error_errno(err, -ENOMEM, "snapshot job");
        }
        return j;
}

static int job_run(SnapJob *j, SnapOpFn op, SnapDoneFn done, Snapshot **out, VbError *err) {
        int r = run_op(j, op, done, err);
        if (r == VERB_PENDING)
                return r;
        if (r == 0 && out)
                *out = j->target;
        call_unref(j->outer);
        j->outer = NULL;
        finish(j, r, NULL, NULL);
        return r;
}

/* ---- create ---- */

static bool disk_matches(const DomainDisk *dd, const char *name) {
        return (dd->target_dev && strcmp(dd->target_dev, name) == 0) ||
               (dd->source_file && strcmp(dd->source_file, name) == 0);
}

/* An external disk's overlay, as libvirt names it: the image's path without its suffix, then
 * "." and the snapshot's name (/images/guest.qcow2 → /images/guest.snap1); format qcow2. */
static int external_defaults(SnapshotDiskDef *nd, const DomainDisk *dd, const char *snap, VbError *err) {
        if (!nd->driver_type && !(nd->driver_type = strdup("qcow2")))
                return vb_error_errno(err, -ENOMEM, "snapshot disks");
        if (nd->source_file)
                return 0;
        if (!dd->source_file)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN_SNAPSHOT,
                                    "cannot generate external snapshot name for disk '%s' without source", nd->name);
        const char *slash = strrchr(dd->source_file, '/'), *dot = strrchr(dd->source_file, '.');
        size_t stem = dot && (!slash || dot > slash) ? (size_t) (dot - dd->source_file) : strlen(dd->source_file);
        if (asprintf(&nd->source_file, "%.*s.%s", (int) stem, dd->source_file, snap) < 0) {
                nd->source_file = NULL;
                return vb_error_errno(err, -ENOMEM, "snapshot disks");
        }
        return 0;
}

/* libvirt's defaults: every disk of the domain listed by its target, the user's choice kept;
 * cdroms and read-only disks are not snapshotted. */
static int fill_disks(SnapshotDef *def, const DomainDef *dom, bool disk_only, VbError *err) {
        const DomainDevices *dev = &dom->priv->devices;
        for (size_t i = 0; i < def->n_disks; i++) {
                bool found = false;
                for (size_t k = 0; k < dev->n_disks && !found; k++)
                        found = disk_matches(&dev->disks[k], def->disks[i].name);
                if (!found)
                        return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN_SNAPSHOT,
                                            "no disk named '%s'", def->disks[i].name);
        }
        SnapshotDiskDef *given = def->disks;
        size_t n_given = def->n_disks;
        def->disks = NULL;
        def->n_disks = 0;
        int r = 0;
        for (size_t k = 0; k < dev->n_disks && r == 0; k++) {
                const DomainDisk *dd = &dev->disks[k];
                const SnapshotDiskDef *u = NULL;
                for (size_t i = 0; i < n_given && !u; i++)
                        if (disk_matches(dd, given[i].name))
                                u = &given[i];
                bool skip = (dd->device && strcmp(dd->device, "disk") != 0) || dd->readonly;
                const char *how = u && u->snapshot ? u->snapshot : skip ? "no" : disk_only ? "external" : "internal";
                SnapshotDiskDef *nd = snapshot_def_add_disk(def, dd->target_dev ? dd->target_dev : "", how);
                if (!nd || (u && (conf_strdup(&nd->driver_type, u->driver_type) < 0 ||
                                  conf_strdup(&nd->source_file, u->source_file) < 0)))
                        r = vb_error_errno(err, -ENOMEM, "snapshot disks");
                else if (strcmp(how, "external") == 0)
                        r = external_defaults(nd, dd, def->name, err);
        }
        for (size_t i = 0; i < n_given; i++) {
                free(given[i].name);
                free(given[i].snapshot);
                free(given[i].driver_type);
                free(given[i].source_file);
        }
        free(given);
        return r;
}

static int create_op(SnapJob *j, Call *inner, VbError *err) {
        return ops_of(j->d)->snapshot_create(j->d, j->def, j->flags, inner, err);
}

static int create_done(SnapJob *j, int r, const VbError *why, VbError *err) {
        if (r < 0) {
                *err = *why;
                return -1;
        }
        Domain *d = j->d;
        SnapshotTree *t = snapshot_tree_of(d);
        SnapshotDef *def = j->def;
        Snapshot *s = t ? snapshot_tree_add(t, d, def) : NULL;
        if (!s)
                return vb_error_errno(err, -ENOMEM, "snapshot tree");
        j->def = NULL;
        j->target = s;
        snapshot_tree_link(t);
        if (snapshot_store_save(d, s, err) < 0)
                log_warning("domain %s: snapshot %s: %s", d->obj.name, def->name, err->message);
        if (!(j->flags & SNAPSHOT_CREATE_REDEFINE) || (j->flags & SNAPSHOT_CREATE_CURRENT))
                snapshot_set_current(d, s);
        log_info("domain %s: snapshot %s created", d->obj.name, def->name);
        return 0;
}

int snapshot_create(Domain *d, const char *xml, unsigned flags, Call *call, Snapshot **out, VbError *err) {
        const unsigned allowed = SNAPSHOT_CREATE_REDEFINE | SNAPSHOT_CREATE_CURRENT | SNAPSHOT_CREATE_DISK_ONLY |
                                 SNAPSHOT_CREATE_ATOMIC | SNAPSHOT_CREATE_VALIDATE | SNAPSHOT_CREATE_REUSE_EXT |
                                 SNAPSHOT_CREATE_QUIESCE | SNAPSHOT_CREATE_LIVE | SNAPSHOT_CREATE_HALT;
        if (vb_check_flags(flags, allowed, "virDomainSnapshotCreateXML", err) < 0)
                return -1;
        const DomainOps *ops = ops_of(d);
        if (!ops->snapshot_create)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSnapshotCreateXML");
        if ((flags & SNAPSHOT_CREATE_CURRENT) && !(flags & SNAPSHOT_CREATE_REDEFINE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                    "use of 'current' flag in requires 'redefine' flag");
        if (!xml)
                xml = "<domainsnapshot/>";
        SnapshotTree *t = snapshot_tree_of(d);
        if (!t)
                return vb_error_errno(err, -ENOMEM, "snapshot tree");
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), flags & SNAPSHOT_CREATE_REDEFINE ? SNAPSHOT_PARSE_REDEFINE : 0, err);
        if (!def)
                return -1;
        if (!def->name) {
                /* libvirt's default: the time of creation, in seconds. */
                char name[32];
                snprintf(name, sizeof name, "%lld", (long long) time(NULL));
                def->name = strdup(name);
        }
        int r = 0;
        const DomainDef *dom = domain_current_def(d);
        if (!def->name || !dom) {
                r = vb_error_errno(err, -ENOMEM, "snapshot definition");
        } else if (d->obj.conn->config_dir && snapshot_name_check_file(def->name, err) < 0) {
                r = -1;         /* the name is a file name of the domain's config dir */
        } else if (snapshot_lookup(d, def->name, NULL)) {
                r = vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN_SNAPSHOT, "domain moment %s already exists",
                                 def->name);
        } else if (flags & SNAPSHOT_CREATE_REDEFINE) {
                if (def->parent && !snapshot_lookup(d, def->parent, NULL))
                        r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                         "parent %s for snapshot %s not found", def->parent, def->name);
        } else {
                /* What the snapshot records of the guest now. */
                bool disk_only = flags & SNAPSHOT_CREATE_DISK_ONLY;
                free(def->state);
                def->state = strdup(disk_only ? "disk-snapshot" : domain_state_to_string(d->state));
                def->creation_time = (int64_t) time(NULL);
                def->has_creation_time = true;
                free(def->parent);
                def->parent = t->current ? strdup(t->current->def->name) : NULL;
                if (!def->memory)
                        def->memory = strdup(disk_only || !domain_is_active(d) ? "no" : "internal");
                def->dom = domain_def_copy(dom);
                if (!def->state || !def->memory || !def->dom || (t->current && !def->parent))
                        r = vb_error_errno(err, -ENOMEM, "snapshot definition");
                else
                        /* A memory image outside the disks goes with overlays, as libvirt's. */
                        r = fill_disks(def, dom, disk_only || strcmp(def->memory, "external") == 0, err);
        }
        SnapJob *j = r < 0 ? NULL : job_begin(d, call, flags, err);
        if (!j) {
                snapshot_def_free(def);
                return -1;
        }
        j->def = def;
        j->creating = true;
        log_info("domain %s: creating snapshot %s", d->obj.name, def->name);
        return job_run(j, flags & SNAPSHOT_CREATE_REDEFINE ? NULL : create_op, create_done, out, err);
}

/* ---- revert ---- */

static int revert_op(SnapJob *j, Call *inner, VbError *err) {
        return ops_of(j->d)->snapshot_revert(j->d, j->target->def, j->flags, inner, err);
}

static int revert_done(SnapJob *j, int r, const VbError *why, VbError *err) {
        if (r < 0) {
                *err = *why;
                return -1;
        }
        snapshot_set_current(j->d, j->target);
        VbError e = { 0 };
        if (snapshot_restore_definition(j->d, j->target->def, &e) < 0)
                log_warning("domain %s: the definition of snapshot %s did not come back: %s", j->d->obj.name,
                            j->target->def->name, e.message);
        log_info("domain %s: reverted to snapshot %s", j->d->obj.name, j->target->def->name);
        return 0;
}

int snapshot_revert(Snapshot *s, unsigned flags, Call *call, VbError *err) {
        Domain *d = s->domain;
        if (vb_check_flags(flags, SNAPSHOT_REVERT_RUNNING | SNAPSHOT_REVERT_PAUSED | SNAPSHOT_REVERT_FORCE,
                           "virDomainRevertToSnapshot", err) < 0)
                return -1;
        if ((flags & SNAPSHOT_REVERT_RUNNING) && (flags & SNAPSHOT_REVERT_PAUSED))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING' and 'VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED' are mutually exclusive");
        if (!ops_of(d)->snapshot_revert)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainRevertToSnapshot");
        SnapJob *j = job_begin(d, call, flags, err);
        if (!j)
                return -1;
        j->target = s;
        log_info("domain %s: reverting to snapshot %s", d->obj.name, s->def->name);
        return job_run(j, revert_op, revert_done, NULL, err);
}

/* ---- delete ---- */

/* s's descendants, deepest first (a child goes before its parent). */
static int collect(Snapshot *s, Snapshot ***v, size_t *n) {
        for (size_t i = 0; i < s->n_children; i++)
                if (collect(s->children[i], v, n) < 0)
                        return -1;
        Snapshot **nv = realloc(*v, (*n + 1) * sizeof *nv);
        if (!nv)
                return -1;
        *v = nv;
        (*v)[(*n)++] = s;
        return 0;
}

static int delete_op(SnapJob *j, Call *inner, VbError *err) {
        return ops_of(j->d)->snapshot_delete(j->d, j->queue[j->i_queue]->def, inner, err);
}

static int delete_done(SnapJob *j, int r, const VbError *why, VbError *err) {
        if (r < 0) {
                *err = *why;
                return -1;
        }
        snapshot_tree_remove(j->d, j->queue[j->i_queue]);
        j->queue[j->i_queue] = NULL;
        j->target = NULL;
        while (++j->i_queue < j->n_queue) {
                /* The next one, through the driver, or in metadata only. */
                if (j->flags & SNAPSHOT_DELETE_METADATA_ONLY) {
                        snapshot_tree_remove(j->d, j->queue[j->i_queue]);
                        continue;
                }
                return run_op(j, delete_op, delete_done, err);
        }
        return 0;
}

int snapshot_delete(Snapshot *s, unsigned flags, Call *call, VbError *err) {
        Domain *d = s->domain;
        if (vb_check_flags(flags, SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_METADATA_ONLY | SNAPSHOT_DELETE_CHILDREN_ONLY,
                           "virDomainSnapshotDelete", err) < 0)
                return -1;
        if ((flags & SNAPSHOT_DELETE_CHILDREN) && (flags & SNAPSHOT_DELETE_CHILDREN_ONLY))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                    "Flags 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN' and 'VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY' are mutually exclusive");
        if (!(flags & SNAPSHOT_DELETE_METADATA_ONLY) && !ops_of(d)->snapshot_delete)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSnapshotDelete");
        Snapshot **q = NULL;
        size_t n = 0;
        if (flags & (SNAPSHOT_DELETE_CHILDREN | SNAPSHOT_DELETE_CHILDREN_ONLY)) {
                if (collect(s, &q, &n) < 0) {
                        free(q);
                        return vb_error_errno(err, -ENOMEM, "snapshot list");
                }
                if (flags & SNAPSHOT_DELETE_CHILDREN_ONLY)
                        n--;            /* s itself stays: it is last */
        } else {
                q = malloc(sizeof *q);
                if (!q)
                        return vb_error_errno(err, -ENOMEM, "snapshot list");
                q[n++] = s;
        }
        if (n == 0) {
                free(q);
                return 0;
        }
        SnapJob *j = job_begin(d, call, flags, err);
        if (!j) {
                free(q);
                return -1;
        }
        j->queue = q;
        j->n_queue = n;
        log_info("domain %s: deleting %zu snapshot(s) from %s", d->obj.name, n, q[0]->def->name);
        return job_run(j, flags & SNAPSHOT_DELETE_METADATA_ONLY ? NULL : delete_op, delete_done, NULL, err);
}
