/* checkpoint-store.c: a domain's checkpoint tree on disk (CONFIG/checkpoint/DOMAIN/NAME.xml, 0600). */
#define LOG_MODULE "core"
#include "checkpoint-store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "log.h"
#include "persist.h"

static int checkpoint_dir(Domain *d, char *buf, size_t len) {
        const char *base = d->obj.conn->config_dir;
        int k = base ? snprintf(buf, len, "%s/checkpoint/%s", base, d->obj.name) : -1;
        return k < 0 || (size_t) k >= len ? -ENOENT : 0;
}

int checkpoint_store_save(Domain *d, const Checkpoint *c, VbError *err) {
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (checkpoint_dir(d, dir, sizeof dir) < 0 || !d->persistent)
                return 0;       /* a driver without files, or a transient domain: memory only */
        if ((size_t) snprintf(fn, sizeof fn, "%s.xml", c->def->name) >= sizeof fn)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_CHECKPOINT, "checkpoint name '%s' is too long",
                                    c->def->name);
        char *xml = checkpoint_def_format(c->def, CHECKPOINT_FORMAT_INTERNAL | CHECKPOINT_FORMAT_SECURE);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "format checkpoint XML");
        int r = persist_ensure_dir(dir, err);
        if (r >= 0)
                r = persist_write(dir, fn, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

int checkpoint_store_remove(Domain *d, const char *name, VbError *err) {
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (checkpoint_dir(d, dir, sizeof dir) < 0 || (size_t) snprintf(fn, sizeof fn, "%s.xml", name) >= sizeof fn)
                return 0;
        return persist_remove(dir, fn, err) < 0 ? -1 : 0;
}

void checkpoint_store_remove_dir(Domain *d) {
        char dir[PATH_MAX];
        if (checkpoint_dir(d, dir, sizeof dir) == 0 && rmdir(dir) < 0 && errno != ENOENT)
                log_warning("domain %s: cannot remove %s: %s", d->obj.name, dir, strerror(errno));
}

static int load_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        Domain *d = userdata;
        CheckpointTree *t = d->checkpoints;
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(data, len, CHECKPOINT_PARSE_REDEFINE, &err);
        if (!def) {
                log_error("cannot load checkpoint %s/%s: %s", dir, name, err.message);
                return -EINVAL;
        }
        size_t n = strlen(name);
        if (strlen(def->name) + 4 != n || strncmp(name, def->name, n - 4) != 0 || checkpoint_tree_find(t, def->name)) {
                log_error("cannot load checkpoint %s/%s: it names checkpoint '%s'", dir, name, def->name);
                checkpoint_def_free(def);
                return -EINVAL;
        }
        Checkpoint *c = checkpoint_tree_add(t, d, def);
        if (!c) {
                checkpoint_def_free(def);
                return -ENOMEM;
        }
        if (def->current)
                t->current = c;
        return 0;
}

static int by_creation(const void *a, const void *b) {
        const Checkpoint *x = *(Checkpoint *const *) a, *y = *(Checkpoint *const *) b;
        if (x->def->creation_time != y->def->creation_time)
                return x->def->creation_time < y->def->creation_time ? -1 : 1;
        return strcmp(x->def->name, y->def->name);
}

void checkpoint_store_load(Domain *d, CheckpointTree *t) {
        char dir[PATH_MAX];
        if (checkpoint_dir(d, dir, sizeof dir) < 0)
                return;
        int r = persist_load_dir(dir, ".xml", load_one, d);
        if (r < 0) {
                log_error("domain %s: cannot read %s: %s", d->obj.name, dir, strerror(-r));
                return;
        }
        if (t->n > 1)
                qsort(t->all, t->n, sizeof *t->all, by_creation);
        for (size_t i = 0; i < t->n; i++)
                t->all[i]->def->current = t->all[i] == t->current;
        checkpoint_tree_link(t);
        if (t->n > 0)
                log_info("domain %s: %zu checkpoints loaded (%d refused)", d->obj.name, t->n, r);
}
