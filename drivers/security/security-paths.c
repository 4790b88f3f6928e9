/* security-paths.c: the files a definition makes QEMU open itself (disks, kernel, initrd, file serials), the ones a security driver labels. */
#include "security.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"

static bool is(const char *s, const char *v) {
        return s && strcmp(s, v) == 0;
}

/* What the disk's own <seclabel>s say about its file (disk NULL: nothing). */
static void disk_labels(SecurityPath *sp, const DomainDisk *disk) {
        for (size_t i = 0; disk && i < disk->n_seclabels; i++) {
                const DomainSeclabel *l = &disk->seclabels[i];
                bool off = is(l->relabel, "no");
                if (is(l->model, "selinux") || !l->model) {
                        sp->selinux_norelabel = sp->selinux_norelabel || off;
                        if (l->label && !sp->selinux_label)
                                sp->selinux_label = l->label;
                }
                if (is(l->model, "dac") || !l->model) {
                        sp->dac_norelabel = sp->dac_norelabel || off;
                        if (l->label && l->model && !sp->dac_label)
                                sp->dac_label = l->label;
                }
        }
}

static int paths_add_disk(SecurityPaths *p, const char *path, SecurityPathKind kind, bool readonly,
                          const DomainDisk *disk) {
        if (!path || !*path)
                return 0;
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->v[i].path, path) == 0) {
                        p->v[i].readonly = p->v[i].readonly && readonly;
                        disk_labels(&p->v[i], disk);
                        return 0;
                }
        SecurityPath *v = realloc(p->v, (p->n + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        p->v = v;
        memset(&v[p->n], 0, sizeof v[p->n]);
        if (!(v[p->n].path = strdup(path)))
                return -ENOMEM;
        v[p->n].kind = kind;
        v[p->n].readonly = readonly;
        disk_labels(&v[p->n], disk);
        p->n++;
        return 0;
}

static int paths_add(SecurityPaths *p, const char *path, SecurityPathKind kind, bool readonly) {
        return paths_add_disk(p, path, kind, readonly, NULL);
}

static int paths_add_chrs(SecurityPaths *p, const DomainChr *c, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (c[i].type && strcmp(c[i].type, "file") == 0 &&
                    paths_add(p, c[i].source_path, SECURITY_PATH_CHARDEV, false) < 0)
                        return -ENOMEM;
        return 0;
}

int security_paths_of(const DomainDef *def, SecurityPaths *out) {
        SecurityPaths p = { 0 };
        const DomainDefPrivate *priv = def->priv;
        int r = 0;
        if (!priv)
                goto done;
        const DomainDevices *dv = &priv->devices;
        for (size_t i = 0; i < dv->n_disks && r == 0; i++) {
                const DomainDisk *d = &dv->disks[i];
                const char *src = d->type && strcmp(d->type, "block") == 0 ? d->source_dev : d->source_file;
                if (d->type && strcmp(d->type, "file") != 0 && strcmp(d->type, "block") != 0)
                        continue;       /* network, volume …: not a local file QEMU opens */
                if (d->source_fdgroup)
                        continue;       /* QEMU reads the client's descriptors, never the path: nothing to label */
                bool ro = d->readonly || (d->device && strcmp(d->device, "cdrom") == 0);
                r = paths_add_disk(&p, src, SECURITY_PATH_DISK, ro, d);
        }
        const DomainOs *os = &priv->os;
        if (r == 0)
                r = paths_add(&p, os->kernel, SECURITY_PATH_BOOT, true);
        if (r == 0)
                r = paths_add(&p, os->initrd, SECURITY_PATH_BOOT, true);
        if (r == 0)
                r = paths_add(&p, os->dtb, SECURITY_PATH_BOOT, true);
        if (r == 0)
                r = paths_add(&p, os->nvram, SECURITY_PATH_BOOT, false);
        if (r == 0)
                r = paths_add_chrs(&p, dv->serials, dv->n_serials);
        if (r == 0)
                r = paths_add_chrs(&p, dv->consoles, dv->n_consoles);
done:
        if (r < 0) {
                security_paths_free(&p);
                return r;
        }
        *out = p;
        return 0;
}

void security_paths_free(SecurityPaths *p) {
        for (size_t i = 0; i < p->n; i++)
                free(p->v[i].path);
        free(p->v);
        p->v = NULL;
        p->n = 0;
}
