/* domain-persist.c: one XML file per persistent domain, autostart marks, runtime status files. */
#define LOG_MODULE "core"
#include "domain-persist.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "status-conf.h"

static int file_name(char *buf, size_t n, const char *name) {
        /* Names come from parsed XML: never let one leave the directory. */
        if (!name[0] || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        int k = snprintf(buf, n, "%s.xml", name);
        return k < 0 || (size_t) k >= n ? -ENAMETOOLONG : 0;
}

static int autostart_dir(Connection *c, char *buf, size_t n) {
        int k = snprintf(buf, n, "%s/autostart", c->config_dir);
        return k < 0 || (size_t) k >= n ? -ENAMETOOLONG : 0;
}

int domain_save_config(Connection *c, const DomainDef *def, VbError *err) {
        if (!c->config_dir)
                return 0;
        char fn[NAME_MAX + 1];
        if (file_name(fn, sizeof fn, def->name) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "domain name '%s' cannot be used as a file name", def->name);
        char *xml = domain_def_format(def, DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_SECURE);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "format domain XML");
        int r = persist_ensure_dir(c->config_dir, err);
        if (r >= 0)
                r = persist_write(c->config_dir, fn, xml, strlen(xml), err);
        free(xml);
        return r < 0 ? -1 : 0;
}

int domain_remove_config(Connection *c, const char *name, VbError *err) {
        if (!c->config_dir)
                return 0;
        char fn[NAME_MAX + 1];
        if (file_name(fn, sizeof fn, name) < 0)
                return 0;
        return persist_remove(c->config_dir, fn, err) < 0 ? -1 : 0;
}

int domain_save_autostart(Connection *c, const char *name, VbError *err) {
        if (!c->config_dir)
                return 0;
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (autostart_dir(c, dir, sizeof dir) < 0 || file_name(fn, sizeof fn, name) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "path too long");
        if (persist_ensure_dir(dir, err) < 0)
                return -1;
        return persist_write(dir, fn, name, strlen(name), err) < 0 ? -1 : 0;
}

int domain_remove_autostart(Connection *c, const char *name, VbError *err) {
        if (!c->config_dir)
                return 0;
        char dir[PATH_MAX], fn[NAME_MAX + 1];
        if (autostart_dir(c, dir, sizeof dir) < 0 || file_name(fn, sizeof fn, name) < 0)
                return 0;
        return persist_remove(dir, fn, err) < 0 ? -1 : 0;
}

int domain_save_status(Domain *d, VbError *err) {
        Connection *c = d->obj.conn;
        if (!c->state_dir || !d->live)
                return 0;
        char fn[NAME_MAX + 1];
        if (file_name(fn, sizeof fn, d->obj.name) < 0)
                return 0;
        DomainStatus st = { .state = d->state, .reason = d->reason, .id = d->obj.id, .def = d->live };
        char *doc = domain_status_format(&st);
        if (!doc)
                return vb_error_errno(err, -ENOMEM, "format domain status");
        int r = persist_ensure_dir(c->state_dir, err);
        if (r >= 0)
                r = persist_write_runtime(c->state_dir, fn, doc, strlen(doc), err);
        free(doc);
        return r < 0 ? -1 : 0;
}

int domain_remove_status(Domain *d, VbError *err) {
        Connection *c = d->obj.conn;
        if (!c->state_dir)
                return 0;
        char fn[NAME_MAX + 1];
        if (file_name(fn, sizeof fn, d->obj.name) < 0)
                return 0;
        return persist_remove(c->state_dir, fn, err) < 0 ? -1 : 0;
}

bool domain_autostart_marked(Connection *c, const char *name) {
        char adir[PATH_MAX], fn[NAME_MAX + 1];
        if (autostart_dir(c, adir, sizeof adir) != 0 || file_name(fn, sizeof fn, name) != 0)
                return false;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/%s", adir, fn);
        return access(path, F_OK) == 0;
}
