/* connection.c: a Manager made with the host's subsystems and freed, and its connections opened with their driver and closed with every kind's objects. */
#define LOG_MODULE "core"
#include "connection.h"

#include <errno.h>
#include <stdlib.h>

#include "driver.h"
#include "kinds.h"
#include "log.h"
#include "network.h"
#include "storage.h"

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
