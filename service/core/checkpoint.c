/* checkpoint.c: a domain's checkpoint tree: lookups, lists, the XML, and its changes (current, removal). */
#define LOG_MODULE "core"
#include "checkpoint.h"
#include "checkpoint-store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "log.h"

CheckpointTree *checkpoint_tree_of(Domain *d) {
        if (!d->checkpoints && !(d->checkpoints = calloc(1, sizeof *d->checkpoints)))
                return NULL;
        if (!d->checkpoints->loaded) {
                d->checkpoints->loaded = true;
                if (d->persistent)
                        checkpoint_store_load(d, d->checkpoints);
        }
        return d->checkpoints;
}

Checkpoint *checkpoint_lookup(Domain *d, const char *name, VbError *err) {
        CheckpointTree *t = checkpoint_tree_of(d);
        Checkpoint *c = t ? checkpoint_tree_find(t, name) : NULL;
        if (c)
                return c;
        vb_error_set(err, VB_ERR_NO_DOMAIN_CHECKPOINT, VB_FROM_DOMAIN_CHECKPOINT,
                     "no domain checkpoint with matching name '%s'", name ? name : "");
        return NULL;
}

Checkpoint *checkpoint_parent(Checkpoint *c, VbError *err) {
        if (!c->parent)
                vb_error_set(err, VB_ERR_NO_DOMAIN_CHECKPOINT, VB_FROM_DOMAIN_CHECKPOINT, "checkpoint '%s' does not have a parent",
                             c->def->name);
        return c->parent;
}

char *checkpoint_get_xml(Checkpoint *c, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, CHECKPOINT_FORMAT_SECURE | CHECKPOINT_FORMAT_NO_DOMAIN, "virDomainCheckpointGetXMLDesc",
                           err) < 0)
                return NULL;
        char *xml = checkpoint_def_format(c->def, flags);
        if (!xml)
                vb_error_errno(err, -ENOMEM, "format checkpoint XML");
        return xml;
}

/* c, then (with all) every descendant, parents before children (TOPOLOGICAL holds always). */
static void add_subtree(Checkpoint *c, bool self, bool all, unsigned flags, Checkpoint **v, size_t *k) {
        bool leaf = c->n_children == 0;
        bool want_leaf = flags & CHECKPOINT_LIST_LEAVES, want_inner = flags & CHECKPOINT_LIST_NO_LEAVES;
        if (self && (want_leaf == want_inner || (want_leaf ? leaf : !leaf)))
                v[(*k)++] = c;
        for (size_t i = 0; i < c->n_children && (all || !self); i++)
                add_subtree(c->children[i], true, all, flags, v, k);
}

int checkpoint_list(Domain *d, Checkpoint *from, unsigned flags, Checkpoint ***out, size_t *n, VbError *err) {
        const unsigned all = CHECKPOINT_LIST_ROOTS | CHECKPOINT_LIST_TOPOLOGICAL | CHECKPOINT_LIST_LEAVES | CHECKPOINT_LIST_NO_LEAVES;
        if (vb_check_flags(flags, all, from ? "virDomainCheckpointListAllChildren" : "virDomainListAllCheckpoints", err) < 0)
                return -1;
        CheckpointTree *t = checkpoint_tree_of(d);
        Checkpoint **v = t ? calloc(t->n + 1, sizeof *v) : NULL;
        if (!v)
                return vb_error_errno(err, -ENOMEM, "checkpoint list");
        size_t k = 0;
        if (from) {
                /* its children, or (DESCENDANTS) all below it */
                add_subtree(from, false, flags & CHECKPOINT_LIST_DESCENDANTS, flags, v, &k);
        } else {
                for (size_t i = 0; i < t->n; i++)
                        if (!t->all[i]->parent)
                                add_subtree(t->all[i], true, !(flags & CHECKPOINT_LIST_ROOTS), flags, v, &k);
        }
        *out = v;
        *n = k;
        return 0;
}

void checkpoint_set_current(Domain *d, Checkpoint *c) {
        CheckpointTree *t = d->checkpoints;
        Checkpoint *old = t->current;
        if (old == c)
                return;
        t->current = c;
        if (old) {
                old->def->current = false;
                if (checkpoint_store_save(d, old, NULL) < 0)
                        log_warning("domain %s: checkpoint %s: cannot record that it is no longer current", d->obj.name,
                                    old->def->name);
        }
        if (c) {
                c->def->current = true;
                if (checkpoint_store_save(d, c, NULL) < 0)
                        log_warning("domain %s: checkpoint %s: cannot record that it is current", d->obj.name, c->def->name);
        }
}

void checkpoint_tree_remove(Domain *d, Checkpoint *c) {
        CheckpointTree *t = d->checkpoints;
        if (t->current == c)
                checkpoint_set_current(d, c->parent);
        for (size_t i = 0; i < c->n_children; i++) {
                Checkpoint *ch = c->children[i];
                free(ch->def->parent);
                ch->def->parent = c->parent ? strdup(c->parent->def->name) : NULL;
                if (checkpoint_store_save(d, ch, NULL) < 0)
                        log_warning("domain %s: checkpoint %s: cannot record its new parent", d->obj.name, ch->def->name);
        }
        if (checkpoint_store_remove(d, c->def->name, NULL) < 0)
                log_warning("domain %s: checkpoint %s: its file could not be removed", d->obj.name, c->def->name);
        for (size_t i = 0; i < t->n; i++)
                if (t->all[i] == c) {
                        memmove(&t->all[i], &t->all[i + 1], (t->n - i - 1) * sizeof *t->all);
                        t->n--;
                        break;
                }
        log_info("domain %s: checkpoint %s deleted", d->obj.name, c->def->name);
        checkpoint_node_free(c);
        checkpoint_tree_link(t);
}

int checkpoint_undefine_check(Domain *d, unsigned flags, VbError *err) {
        CheckpointTree *t = checkpoint_tree_of(d);
        size_t n = t ? t->n : 0;
        if (n > 0 && !domain_is_active(d) && !(flags & DOMAIN_UNDEFINE_CHECKPOINTS_METADATA))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot delete inactive domain with %zu checkpoints", n);
        return 0;
}

void checkpoint_undefined(Domain *d, unsigned flags) {
        CheckpointTree *t = d->checkpoints;
        if (!(flags & DOMAIN_UNDEFINE_CHECKPOINTS_METADATA) || !t)
                return;
        while (t->n > 0) {
                Checkpoint *c = t->all[t->n - 1];
                if (checkpoint_store_remove(d, c->def->name, NULL) < 0)
                        log_warning("domain %s: checkpoint %s: its file could not be removed", d->obj.name, c->def->name);
                t->n--;
                checkpoint_node_free(c);
        }
        checkpoint_store_remove_dir(d);
        checkpoint_tree_free(t);
        d->checkpoints = NULL;
}
