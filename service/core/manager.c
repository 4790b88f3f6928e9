/* manager.c: the Manager's connections found, and its notices fanned out to the observers (connection.c makes and frees both). */
#include "manager.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

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
