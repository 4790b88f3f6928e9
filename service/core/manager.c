/* manager.c: the Manager owns the connections and fans notices out to the observers. */
#define LOG_MODULE "core"
#include "manager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "kinds.h"
#include "log.h"

int manager_new(sd_event *event, Manager **out) {
        Manager *m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        m->host_networks = network_subsystem_new(&host_network_ops, VB_FROM_NETWORK);
        m->host_storage = storage_subsystem_new(&host_pool_ops, VB_FROM_STORAGE);
        if (!m->host_networks || !m->host_storage) {
                network_subsystem_free(m->host_networks);
                storage_subsystem_free(m->host_storage);
                free(m);
                return -ENOMEM;
        }
        m->event = event ? sd_event_ref(event) : NULL;
        *out = m;
        return 0;
}

static void connection_free(Connection *c) {
        if (!c)
                return;
        if (c->driver->close)
                c->driver->close(c);
        connection_release_all(c);
        free(c->config_dir);
        free(c->state_dir);
        free(c);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        for (size_t i = 0; i < m->n_conns; i++)
                connection_free(m->conns[i]);
        free(m->conns);
        network_subsystem_free(m->host_networks);
        storage_subsystem_free(m->host_storage);
        while (m->observers) {
                Observer *o = m->observers;
                m->observers = o->next;
                free(o);
        }
        sd_event_unref(m->event);
        free(m->config_root);
        free(m->state_root);
        free(m->run_root);
        free(m);
        return NULL;
}

int manager_add_connection(Manager *m, const Driver *driver, Connection **out, VbError *err) {
        Connection *c = calloc(1, sizeof *c);
        if (!c)
                return vb_error_errno(err, -ENOMEM, "connection");
        c->manager = m;
        c->driver = driver;
        c->next_domain_id = 1;
        registry_init(&c->domains);
        c->net = driver->own_networks ? network_subsystem_new(driver->own_networks, driver->error_from)
                                      : m->host_networks;
        c->storage = driver->own_pools ? storage_subsystem_new(driver->own_pools, driver->error_from)
                                       : m->host_storage;
        if (!c->net || !c->storage) {
                c->driver = &(const Driver) { 0 };   /* not opened: nothing to close */
                connection_free(c);
                return vb_error_errno(err, -ENOMEM, "connection");
        }

        Connection **conns = realloc(m->conns, (m->n_conns + 1) * sizeof *conns);
        if (!conns) {
                c->driver = &(const Driver) { 0 };
                connection_free(c);
                return vb_error_errno(err, -ENOMEM, "connection");
        }
        m->conns = conns;
        if (driver->open && driver->open(c, err) < 0) {
                c->driver = &(const Driver) { 0 };   /* nothing to close */
                connection_free(c);
                return -1;
        }
        m->conns[m->n_conns++] = c;
        log_info("connection %s (%s) open", driver->uri, driver->name);
        if (out)
                *out = c;
        return 0;
}

Connection *manager_find_connection(Manager *m, const char *uri_or_name) {
        for (size_t i = 0; i < m->n_conns; i++) {
                const Driver *d = m->conns[i]->driver;
                if (strcmp(d->uri, uri_or_name) == 0 || strcmp(d->name, uri_or_name) == 0)
                        return m->conns[i];
        }
        return NULL;
}

int connection_error_origin(const Connection *c) {
        return c->driver->error_from;
}

int manager_add_observer(Manager *m, ObserverFn fn, void *userdata) {
        Observer *o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        o->fn = fn;
        o->userdata = userdata;
        Observer **pp = &m->observers;
        while (*pp)
                pp = &(*pp)->next;
        *pp = o;
        return 0;
}

void manager_remove_observer(Manager *m, ObserverFn fn, void *userdata) {
        for (Observer **pp = &m->observers; *pp; pp = &(*pp)->next)
                if ((*pp)->fn == fn && (*pp)->userdata == userdata) {
                        Observer *o = *pp;
                        *pp = o->next;
                        free(o);
                        return;
                }
}

void manager_notify(Manager *m, const Notice *n) {
        for (Observer *o = m->observers; o; o = o->next)
                o->fn(n, o->userdata);
}

void notify_lifecycle(Object *o, int event, int detail) {
        Notice n = { .type = NOTICE_LIFECYCLE, .obj = o, .event = event, .detail = detail };
        manager_notify(o->conn->manager, &n);
}

void notify_changed(Object *o, unsigned changed) {
        if (!changed)
                return;
        Notice n = { .type = NOTICE_CHANGED, .obj = o, .changed = changed };
        manager_notify(o->conn->manager, &n);
}

void notify_simple(Object *o, NoticeType type) {
        Notice n = { .type = type, .obj = o };
        manager_notify(o->conn->manager, &n);
}
