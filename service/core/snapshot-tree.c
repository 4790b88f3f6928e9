/* snapshot-tree.c: a domain's snapshot tree in memory: nodes added, parents and children linked, the whole freed. */
#include "snapshot-tree.h"

#include <stdlib.h>
#include <string.h>

Snapshot *snapshot_tree_add(SnapshotTree *t, Domain *d, SnapshotDef *def) {
        Snapshot *s = calloc(1, sizeof *s);
        Snapshot **all = s ? realloc(t->all, (t->n + 1) * sizeof *all) : NULL;
        if (!all) {
                free(s);
                return NULL;
        }
        t->all = all;
        s->def = def;
        s->domain = d;
        t->all[t->n++] = s;
        return s;
}

Snapshot *snapshot_tree_find(SnapshotTree *t, const char *name) {
        for (size_t i = 0; name && i < t->n; i++)
                if (strcmp(t->all[i]->def->name, name) == 0)
                        return t->all[i];
        return NULL;
}

void snapshot_tree_link(SnapshotTree *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->all[i]->children);
                t->all[i]->children = NULL;
                t->all[i]->n_children = 0;
                t->all[i]->parent = NULL;
        }
        for (size_t i = 0; i < t->n; i++) {
                Snapshot *s = t->all[i], *p = snapshot_tree_find(t, s->def->parent);
                if (!p || p == s)
                        continue;
                Snapshot **c = realloc(p->children, (p->n_children + 1) * sizeof *c);
                if (!c)
                        continue;       /* out of memory: the child shows as a root */
                p->children = c;
                p->children[p->n_children++] = s;
                s->parent = p;
        }
}

Snapshot *snapshot_node_free(Snapshot *s) {
        if (!s)
                return NULL;
        snapshot_def_free(s->def);
        free(s->children);
        free(s);
        return NULL;
}

void snapshot_tree_free(SnapshotTree *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                snapshot_node_free(t->all[i]);
        free(t->all);
        free(t);
}
