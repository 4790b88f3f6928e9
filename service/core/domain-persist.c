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

int domain_recover(Connection *c, const char *xml, size_t len, Domain **out, VbError *err) {
        DomainStatus st;
        if (domain_status_parse(xml, len, &st, err) < 0)
                return -1;
        const char *name = st.def->name;
        Domain *d = (Domain *) registry_find_uuid(&c->domains, st.def->uuid);
        Domain *same_name = (Domain *) registry_find_name(&c->domains, name);
        Object *same_id = registry_find_id(&c->domains, st.id);
        int r = -1;
        if (st.state == DOMAIN_SHUTOFF || st.state == DOMAIN_NOSTATE)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                             "the status of domain '%s' records it %s: nothing to recover", name,
                             domain_state_to_string(st.state));
        else if (st.id <= 0)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                             "the status of domain '%s' records no id", name);
        else if (same_name != d)
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                             "domain '%s' is already defined with another uuid", name);
        else if (d && domain_is_active(d))
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain '%s' is already active",
                             name);
        else if (same_id)
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                             "the status of domain '%s' records id %d, which domain '%s' has", name, st.id,
                             same_id->name);
        else
                r = 0;
        if (r < 0) {
                domain_status_clear(&st);
                return -1;
        }
        DomainDef *live = st.def;
        st.def = NULL;
        if (!d) {
                /* Not defined persistently: it comes back as the transient domain it was. */
                if (domain_add(c, live, false, &d, err) < 0) {
                        domain_def_free(live);
                        return -1;
                }
        } else {
                domain_def_free(d->live);
                d->live = live;
        }
        if (registry_set_id(&c->domains, &d->obj, st.id) < 0 ||
            domain_restore_state(d, st.state, st.reason, err) < 0) {
                registry_set_id(&c->domains, &d->obj, -1);
                if (!d->persistent)
                        domain_remove(d);
                else
                        d->live = domain_def_free(d->live);
                return err->code ? -1 : vb_error_errno(err, -ENOMEM, "recover domain");
        }
        if (c->next_domain_id <= st.id)
                c->next_domain_id = st.id + 1;
        log_info("domain %s: recovered as %s (reason %d, id %d)", d->obj.name, domain_state_to_string(d->state),
                 d->reason, d->obj.id);
        if (out)
                *out = d;
        return 0;
}

static int domain_load_one(const char *dir, const char *name, const char *data, size_t len, void *userdata) {
        Connection *c = userdata;
        VbError err = { 0 };
        Domain *d = NULL;
        DomainDef *def = domain_parse_for(c, data, len, false, &d, &err);
        if (!def) {
                /* Reported with its path and left in place: never dropped or overwritten. */
                log_error("cannot load domain definition %s/%s: %s", dir, name, err.message);
                return -EINVAL;
        }
        if (d) {
                log_error("cannot load domain definition %s/%s: domain '%s' is defined twice", dir, name,
                          def->name);
                domain_def_free(def);
                return -EEXIST;
        }
        if (domain_add(c, def, true, &d, &err) < 0) {
                log_error("cannot load domain definition %s/%s: %s", dir, name, err.message);
                domain_def_free(def);
                return -EINVAL;
        }
        char adir[PATH_MAX], fn[NAME_MAX + 1];
        if (autostart_dir(c, adir, sizeof adir) == 0 && file_name(fn, sizeof fn, def->name) == 0) {
                char path[PATH_MAX * 2];
                snprintf(path, sizeof path, "%s/%s", adir, fn);
                d->autostart = access(path, F_OK) == 0;
        }
        return 0;
}

int domain_load_all(Connection *c) {
        if (!c->config_dir)
                return 0;
        c->keep_layout = true;
        int r = persist_load_dir(c->config_dir, ".xml", domain_load_one, c);
        c->keep_layout = false;
        if (r < 0)
                return log_error_errno(r, "cannot read %s: %s", c->config_dir, strerror(-r));
        log_info("loaded %zu domain definitions from %s (%d refused)", c->domains.count, c->config_dir, r);
        return r;
}
