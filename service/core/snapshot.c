/* snapshot.c: the snapshot verbs on a domain's tree: create, revert, delete (driver ops inside a modify job), lookups, lists and XML. */
#define LOG_MODULE "core"
#include "snapshot.h"
#include "snapshot-store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain-model.h"
#include "domain-persist.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

SnapshotTree *snapshot_tree_of(Domain *d) {
        if (!d->snapshots) {
                d->snapshots = calloc(1, sizeof *d->snapshots);
                if (!d->snapshots)
                        return NULL;
        }
        if (!d->snapshots->loaded) {
                d->snapshots->loaded = true;
                if (d->persistent)
                        snapshot_store_load(d, d->snapshots);
        }
        return d->snapshots;
}

size_t snapshot_count(Domain *d) {
        SnapshotTree *t = snapshot_tree_of(d);
        return t ? t->n : 0;
}

Snapshot *snapshot_lookup(Domain *d, const char *name, VbError *err) {
        SnapshotTree *t = snapshot_tree_of(d);
        Snapshot *s = t ? snapshot_tree_find(t, name) : NULL;
        if (s)
                return s;
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, VB_FROM_DOMAIN_SNAPSHOT, "no domain snapshot with matching name '%s'",
                     name ? name : "");
        return NULL;
}

Snapshot *snapshot_current(Domain *d, VbError *err) {
        SnapshotTree *t = snapshot_tree_of(d);
        if (t && t->current)
                return t->current;
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, VB_FROM_DOMAIN_SNAPSHOT, "the domain does not have a current snapshot");
        return NULL;
}

Snapshot *snapshot_parent(Snapshot *s, VbError *err) {
        if (s->parent)
                return s->parent;
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, VB_FROM_DOMAIN_SNAPSHOT, "snapshot '%s' does not have a parent",
                     s->def->name);
        return NULL;
}

bool snapshot_is_current(const Snapshot *s) {
        return s->domain->snapshots && s->domain->snapshots->current == s;
}

/* ---- lists ---- */

static bool is_external(const SnapshotDef *def) {
        if (def->memory && strcmp(def->memory, "external") == 0)
                return true;
        for (size_t i = 0; i < def->n_disks; i++)
                if (def->disks[i].snapshot && strcmp(def->disks[i].snapshot, "external") == 0)
                        return true;
        return false;
}

/* Pairs of flags filter only when one of the two is given (libvirt's rule). */
static bool pair_keeps(unsigned flags, unsigned yes, unsigned no, bool v) {
        bool y = flags & yes, n = flags & no;
        return y == n || (y ? v : !v);
}

static bool keeps(const Snapshot *s, unsigned flags) {
        const char *st = s->def->state ? s->def->state : "";
        bool inactive = strcmp(st, "shutoff") == 0, disk_only = strcmp(st, "disk-snapshot") == 0;
        if (!pair_keeps(flags, SNAPSHOT_LIST_LEAVES, SNAPSHOT_LIST_NO_LEAVES, s->n_children == 0))
                return false;
        if (!pair_keeps(flags, SNAPSHOT_LIST_METADATA, SNAPSHOT_LIST_NO_METADATA, true))
                return false;
        if (!pair_keeps(flags, SNAPSHOT_LIST_INTERNAL, SNAPSHOT_LIST_EXTERNAL, !is_external(s->def)))
                return false;
        unsigned states = flags & (SNAPSHOT_LIST_INACTIVE | SNAPSHOT_LIST_ACTIVE | SNAPSHOT_LIST_DISK_ONLY);
        if (states && states != (SNAPSHOT_LIST_INACTIVE | SNAPSHOT_LIST_ACTIVE | SNAPSHOT_LIST_DISK_ONLY)) {
                bool active = !inactive && !disk_only;
                if (!((states & SNAPSHOT_LIST_INACTIVE && inactive) || (states & SNAPSHOT_LIST_ACTIVE && active) ||
                      (states & SNAPSHOT_LIST_DISK_ONLY && disk_only)))
                        return false;
        }
        return true;
}

static bool descends_from(const Snapshot *s, const Snapshot *from) {
        for (const Snapshot *p = s->parent; p; p = p->parent)
                if (p == from)
                        return true;
        return false;
}

int snapshot_list(Domain *d, Snapshot *from, unsigned flags, Snapshot ***out, size_t *n, VbError *err) {
        if (vb_check_flags(flags, 0x7ff, from ? "virDomainSnapshotListAllChildren" : "virDomainListAllSnapshots", err) < 0)
                return -1;
        SnapshotTree *t = snapshot_tree_of(d);
        if (!t)
                return vb_error_errno(err, -ENOMEM, "snapshot tree");
        Snapshot **v = calloc(t->n + 1, sizeof *v);
        if (!v)
                return vb_error_errno(err, -ENOMEM, "snapshot list");
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
                Snapshot *s = t->all[i];
                bool in;
                if (from)
                        in = flags & SNAPSHOT_LIST_DESCENDANTS ? descends_from(s, from) : s->parent == from;
                else
                        in = !(flags & SNAPSHOT_LIST_ROOTS) || !s->parent;
                if (in && keeps(s, flags))
                        v[k++] = s;
        }
        *out = v;
        *n = k;
        return 0;
}

char *snapshot_get_xml(Snapshot *s, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, SNAPSHOT_FORMAT_SECURE, "virDomainSnapshotGetXMLDesc", err) < 0)
                return NULL;
        char *xml = snapshot_def_format(s->def, flags & SNAPSHOT_FORMAT_SECURE);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format snapshot XML");
        return xml;
}

/* ---- the tree's changes ---- */

void snapshot_set_current(Domain *d, Snapshot *s) {
        SnapshotTree *t = d->snapshots;
        Snapshot *old = t->current;
        if (old == s)
                return;
        t->current = s;
        if (old) {
                old->def->current = false;
                if (snapshot_store_save(d, old, NULL) < 0)
                        log_warning("domain %s: snapshot %s: cannot record that it is no longer current", d->obj.name,
                                    old->def->name);
        }
        if (s) {
                s->def->current = true;
                if (snapshot_store_save(d, s, NULL) < 0)
                        log_warning("domain %s: snapshot %s: cannot record that it is current", d->obj.name, s->def->name);
        }
}

/* s leaves the tree: its children go to its parent, and so does "current". */
void snapshot_tree_remove(Domain *d, Snapshot *s) {
        SnapshotTree *t = d->snapshots;
        if (t->current == s)
                snapshot_set_current(d, s->parent);
        for (size_t i = 0; i < s->n_children; i++) {
                Snapshot *c = s->children[i];
                free(c->def->parent);
                c->def->parent = s->parent ? strdup(s->parent->def->name) : NULL;
                if (snapshot_store_save(d, c, NULL) < 0)
                        log_warning("domain %s: snapshot %s: cannot record its new parent", d->obj.name, c->def->name);
        }
        if (snapshot_store_remove(d, s->def->name, NULL) < 0)
                log_warning("domain %s: snapshot %s: its file could not be removed", d->obj.name, s->def->name);
        for (size_t i = 0; i < t->n; i++)
                if (t->all[i] == s) {
                        memmove(&t->all[i], &t->all[i + 1], (t->n - i - 1) * sizeof *t->all);
                        t->n--;
                        break;
                }
        log_info("domain %s: snapshot %s deleted", d->obj.name, s->def->name);
        snapshot_node_free(s);
        snapshot_tree_link(t);
}

int snapshot_undefine_check(Domain *d, unsigned flags, VbError *err) {
        size_t n = snapshot_count(d);
        if (n > 0 && !domain_is_active(d) && !(flags & DOMAIN_UNDEFINE_SNAPSHOTS_METADATA))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot delete inactive domain with %zu snapshots", n);
        return 0;
}

void snapshot_undefined(Domain *d, unsigned flags) {
        if (!(flags & DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) || !d->snapshots)
                return;
        snapshot_store_remove_all(d);
        snapshot_tree_free(d->snapshots);
        d->snapshots = NULL;
}

int snapshot_restore_definition(Domain *d, const SnapshotDef *def, VbError *err) {
        if (!def->dom || !d->persistent || !d->def)
                return 0;
        if (!def->dom->name || strcmp(def->dom->name, d->obj.name) != 0 ||
            memcmp(def->dom->uuid, d->def->uuid, sizeof d->def->uuid) != 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                    "the definition in snapshot '%s' is not domain '%s'", def->name, d->obj.name);
        DomainDef *next = domain_def_copy(def->dom);
        if (!next)
                return vb_error_errno(err, -ENOMEM, "snapshot definition");
        if (domain_save_config(d->obj.conn, next, err) < 0) {
                domain_def_free(next);
                return -1;
        }
        domain_def_free(d->def);
        d->def = next;
        log_info("domain %s: definition of snapshot %s restored", d->obj.name, def->name);
        return 0;
}
