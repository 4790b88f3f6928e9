/* checkpoint-tree.c: a domain's checkpoint tree in memory: nodes added, parents and children linked, the whole freed. */
#include "checkpoint-tree.h"

#include <stdlib.h>
#include <string.h>

Checkpoint *checkpoint_tree_find(CheckpointTree *t, const char *name) {
        for (size_t i = 0; name && i < t->n; i++)
                if (strcmp(t->all[i]->def->name, name) == 0)
                        return t->all[i];
        return NULL;
}

Checkpoint *checkpoint_tree_add(CheckpointTree *t, Domain *d, CheckpointDef *def) {
        Checkpoint *c = calloc(1, sizeof *c);
        Checkpoint **all = c ? realloc(t->all, (t->n + 1) * sizeof *all) : NULL;
        if (!all) {
                free(c);
                return NULL;
        }
        t->all = all;
        c->def = def;
        c->domain = d;
        t->all[t->n++] = c;
        return c;
}

void checkpoint_tree_link(CheckpointTree *t) {
        for (size_t i = 0; i < t->n; i++) {
                free(t->all[i]->children);
                t->all[i]->children = NULL;
                t->all[i]->n_children = 0;
                t->all[i]->parent = NULL;
        }
        for (size_t i = 0; i < t->n; i++) {
                Checkpoint *c = t->all[i], *p = checkpoint_tree_find(t, c->def->parent);
                Checkpoint **v = p && p != c ? realloc(p->children, (p->n_children + 1) * sizeof *v) : NULL;
                if (!v)
                        continue;       /* a root (or, out of memory, shown as one) */
                p->children = v;
                p->children[p->n_children++] = c;
                c->parent = p;
        }
}

void checkpoint_node_free(Checkpoint *c) {
        if (!c)
                return;
        checkpoint_def_free(c->def);
        free(c->children);
        free(c);
}

void checkpoint_tree_free(CheckpointTree *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                checkpoint_node_free(t->all[i]);
        free(t->all);
        free(t);
}
