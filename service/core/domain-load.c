/* domain-load.c: a connection's domains brought back at open: the persistent definitions read (with their autostart marks), and a running domain recovered from its status file. */
#define LOG_MODULE "core"
#include "domain-load.h"

#include <errno.h>
#include <string.h>

#include "domain-persist.h"
#include "log.h"
#include "persist.h"
#include "status-conf.h"

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
        d->autostart = domain_autostart_marked(c, def->name);
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
