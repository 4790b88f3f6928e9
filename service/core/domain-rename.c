/* domain-rename.c: virDomainRename of a shut-off persistent domain: its definition, autostart mark, snapshot metadata and managed save image follow the new name, undone in reverse when a step fails. */
#define LOG_MODULE "core"
#include "domain-rename.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-conf.h"
#include "domain-persist.h"
#include "domain-save.h"
#include "domain-state.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"

/* snapshot-store.c keeps a domain's snapshots in <config>/snapshot/<name>/. */
static int snapshot_dir_of(const Connection *c, const char *name, char *buf, size_t len) {
        int k = snprintf(buf, len, "%s/snapshot/%s", c->config_dir, name);
        return k < 0 || (size_t) k >= len ? -ENAMETOOLONG : 0;
}

static int move_snapshots(Connection *c, const char *from, const char *to, VbError *err) {
        char a[PATH_MAX], b[PATH_MAX];
        if (!c->config_dir)
                return 0;
        if (snapshot_dir_of(c, from, a, sizeof a) < 0 || snapshot_dir_of(c, to, b, sizeof b) < 0)
                return vb_error_errno(err, -ENAMETOOLONG, "snapshot directory");
        if (rename(a, b) < 0 && errno != ENOENT)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "cannot move snapshot metadata %s to %s: %s",
                                    a, b, strerror(errno));
        return 0;
}

/* The managed save image at from moves to to, and the XML it keeps gets the new name (a
 * restore checks it against the domain's). */
static int move_managed_save(const char *from, const char *to, const char *new_name, VbError *err) {
        if (access(from, F_OK) < 0)
                return 0;
        if (access(to, F_OK) == 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "a managed save image '%s' exists already", to);
        if (rename(from, to) < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "cannot move managed save image %s to %s: %s",
                                    from, to, strerror(errno));
        int r = save_image_rename(to, new_name, err);
        if (r < 0)
                (void) rename(to, from);
        return r;
}

static int check_rename(Domain *d, const char *new_name, VbError *err) {
        if (domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "cannot rename active domain");
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "cannot rename a transient domain");
        if (strcmp(d->obj.name, new_name) == 0)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "Can't rename domain to itself");
        if (strchr(new_name, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "name %s cannot contain '/'", new_name);
        if (new_name[0] == '.' || strlen(new_name) > NAME_MAX - 8)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid domain name '%s'", new_name);
        if (registry_find_name(&d->obj.conn->domains, new_name))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain with name '%s' already exists",
                                    new_name);
        return 0;
}

/* Inside the modify job: each step undone in reverse when a later one fails. */
static int rename_steps(Domain *d, const char *new_name, VbError *err) {
        Connection *c = d->obj.conn;
        const DomainOps *ops = c->driver->domain;
        char *old_name = strdup(d->obj.name);
        DomainDef *def = domain_def_copy(d->def);
        char *new_copy = strdup(new_name);
        char *old_image = ops->managed_save_path ? ops->managed_save_path(d) : NULL;
        if (!old_name || !def || !new_copy || (ops->managed_save_path && !old_image)) {
                free(old_name);
                domain_def_free(def);
                free(new_copy);
                free(old_image);
                return vb_error_errno(err, -ENOMEM, "rename");
        }
        free(def->name);
        def->name = new_copy;
        char *new_image = NULL;
        int step = 0, r = ops->rename(d, old_name, new_name, def, err);
        if (r == 0 && ++step && (r = domain_save_config(c, def, err)) == 0 && ++step) {
                notify_lifecycle(&d->obj, EVENT_UNDEFINED, UNDEFINED_RENAMED);
                r = registry_set_name(&c->domains, &d->obj, new_name);
                if (r < 0)
                        vb_error_errno(err, r, "rename");
        }
        if (r == 0 && ++step && old_image) {
                new_image = ops->managed_save_path(d);
                r = new_image ? move_managed_save(old_image, new_image, new_name, err) : vb_error_errno(err, -ENOMEM, "path");
        }
        if (r == 0 && ++step)
                r = move_snapshots(c, old_name, new_name, err);
        if (r == 0) {
                /* Past the point of no return: what fails now is logged, not undone. */
                VbError e = { 0 };
                if (domain_remove_config(c, old_name, &e) < 0)
                        log_warning("domain %s: the old definition %s stays: %s", new_name, old_name, e.message);
                if (d->autostart && (domain_save_autostart(c, new_name, &e) < 0 || domain_remove_autostart(c, old_name, &e) < 0))
                        log_warning("domain %s: autostart mark: %s", new_name, e.message);
                domain_def_free(d->def);
                d->def = def;
                def = NULL;
                log_info("domain %s renamed to %s", old_name, new_name);
                notify_lifecycle(&d->obj, EVENT_DEFINED, DEFINED_RENAMED);
                notify_changed(&d->obj, PROP_NAME);
        } else {
                if (step >= 4 && new_image && old_image)
                        (void) move_managed_save(new_image, old_image, old_name, NULL);
                if (step >= 3)
                        (void) registry_set_name(&c->domains, &d->obj, old_name);
                if (step >= 2)
                        (void) domain_remove_config(c, new_name, NULL);
                if (step >= 1)
                        (void) ops->rename(d, new_name, old_name, NULL, NULL);
        }
        domain_def_free(def);
        free(old_name);
        free(old_image);
        free(new_image);
        return r < 0 ? -1 : 0;
}

int domain_rename(Domain *d, const char *new_name, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "virDomainRename", err) < 0)
                return -1;
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->rename)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainRename");
        if (!new_name || !*new_name)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "new_name in virDomainRename must not be empty");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0)
                return -1;
        int r = check_rename(d, new_name, err);
        if (r == 0)
                r = rename_steps(d, new_name, err);
        domain_job_end(d);
        return r;
}
