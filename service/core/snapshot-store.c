/* snapshot-store.c: a domain's snapshot tree on disk (CONFIG/snapshot/DOMAIN/NAME.xml, 0600). */
#define LOG_MODULE "core"
#include "snapshot-store.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "log.h"
#include "persist.h"

static int snapshot_dir(Domain *d, char *buf, size_t len) {
        Connection *c = d->obj.conn;
        if (!c->config_dir)
                return -ENOENT;
        int k = snprintf(buf, len, "%s/snapshot/%s", c->config_dir, d->obj.name);
        return k < 0 || (size_t) k >= len ? -ENAMETOOLONG : 0;
}

int snapshot_store_save(Domain *d, const Snapshot *s, VbError *err) {
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (snapshot_dir(d, dir, sizeof dir) < 0 || !d->persistent)
                return 0;       /* a driver without files, or a transient domain: memory only */
        if ((size_t) snprintf(fn, sizeof fn, "%s.xml", s->def->name) >= sizeof fn)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT, "snapshot name '%s' is too long", s->def->name);
        char *xml = snapshot_def_format(s->def, SNAPSHOT_FORMAT_INTERNAL | SNAPSHOT_FORMAT_SECURE);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "format snapshot XML");
        int r = persist_ensure_dir(dir, err);
        if (r >= 0)
                r = persist_write(dir, fn, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

int snapshot_store_remove(Domain *d, const char *name, VbError *err) {
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (snapshot_dir(d, dir, sizeof dir) < 0)
                return 0;
        if ((size_t) snprintf(fn, sizeof fn, "%s.xml", name) >= sizeof fn)
                return 0;
        return persist_remove(dir, fn, err) < 0 ? -1 : 0;
}

void snapshot_store_remove_all(Domain *d) {
        char dir[PATH_MAX];
        if (snapshot_dir(d, dir, sizeof dir) < 0)
                return;
        DIR *dh = opendir(dir);
        if (!dh)
                return;
        struct dirent *e;
        while ((e = readdir(dh)))
                if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0))
                        (void) unlinkat(dirfd(dh), e->d_name, 0);
        closedir(dh);
        if (rmdir(dir) < 0 && errno != ENOENT)
                log_warning("domain %s: cannot remove %s: %s", d->obj.name, dir, strerror(errno));
}

typedef struct LoadCtx {
        Domain *d;
        SnapshotTree *t;
} LoadCtx;

static int load_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        LoadCtx *ctx = userdata;
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(data, len, SNAPSHOT_PARSE_REDEFINE, &err);
        if (!def) {
                log_error("cannot load snapshot %s/%s: %s", dir, name, err.message);
                return -EINVAL;
        }
        size_t n = strlen(name);
        if (n < 5 || strncmp(name, def->name, n - 4) != 0 || strlen(def->name) != n - 4 || snapshot_tree_find(ctx->t, def->name)) {
                log_error("cannot load snapshot %s/%s: it names snapshot '%s'", dir, name, def->name);
                snapshot_def_free(def);
                return -EINVAL;
        }
        Snapshot *s = snapshot_tree_add(ctx->t, ctx->d, def);
        if (!s) {
                snapshot_def_free(def);
                return -ENOMEM;
        }
        if (def->current)
                ctx->t->current = s;
        return 0;
}

static int by_creation(const void *a, const void *b) {
        const Snapshot *x = *(Snapshot *const *) a, *y = *(Snapshot *const *) b;
        if (x->def->creation_time != y->def->creation_time)
                return x->def->creation_time < y->def->creation_time ? -1 : 1;
        return strcmp(x->def->name, y->def->name);
}

void snapshot_store_load(Domain *d, SnapshotTree *t) {
        char dir[PATH_MAX];
        if (snapshot_dir(d, dir, sizeof dir) < 0)
                return;
        LoadCtx ctx = { d, t };
        int r = persist_load_dir(dir, ".xml", load_one, &ctx);
        if (r < 0) {
                log_error("domain %s: cannot read %s: %s", d->obj.name, dir, strerror(-r));
                return;
        }
        /* Creation order, as libvirt lists them; the name order of the files is not it. */
        if (t->n > 1)
                qsort(t->all, t->n, sizeof *t->all, by_creation);
        for (size_t i = 0; i < t->n; i++)
                t->all[i]->def->current = t->all[i] == t->current;
        snapshot_tree_link(t);
        if (t->n > 0)
                log_info("domain %s: %zu snapshots loaded (%d refused)", d->obj.name, t->n, r);
}
