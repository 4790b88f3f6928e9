/* nodedev-events.c: node device lifecycle events: a connection's device names as last listed, compared with a new listing when the driver says the host's devices changed. */
#define LOG_MODULE "nodedev"
#include "nodedev.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "manager.h"

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void names_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

/* The connection's device names now, sorted; -1 with err. */
static int snapshot(Connection *c, char ***out, size_t *n, VbError *err) {
        NodeDevList l = { 0 };
        if (nodedev_list(c, 0, &l, err) < 0)
                return -1;
        char **v = calloc(l.n ? l.n : 1, sizeof *v);
        size_t k = 0;
        for (size_t i = 0; v && i < l.n; i++) {
                if (!(v[k] = strdup(l.items[i].name))) {
                        names_free(v, k);
                        v = NULL;
                }
                k++;
        }
        nodedev_list_done(&l);
        if (!v)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
        qsort(v, k, sizeof *v, cmp_names);
        *out = v;
        *n = k;
        return 0;
}

int nodedev_watch_init(NodeDevWatch *w, Connection *c, VbError *err) {
        *w = (NodeDevWatch) { .conn = c };
        return snapshot(c, &w->names, &w->n, err);
}

void nodedev_notify_lifecycle(Connection *c, const char *name, int event) {
        Object o = { .kind = OBJECT_NODEDEV, .conn = c, .name = (char *) name, .id = -1 };
        Notice n = { .type = NOTICE_LIFECYCLE, .obj = &o, .event = event, .detail = 0 };
        log_debug("node device %s: %s", name, event == NODEDEV_EVENT_CREATED ? "created" : "deleted");
        manager_notify(c->manager, &n);
}

void nodedev_watch_rescan(NodeDevWatch *w) {
        char **now = NULL;
        size_t n = 0;
        VbError err = { 0 };
        if (snapshot(w->conn, &now, &n, &err) < 0) {
                log_warning("node devices not listed again: %s", err.message);
                return;
        }
        /* both sorted: one merge walk; what went first, as a rename deletes then creates */
        size_t i = 0, j = 0;
        while (i < w->n || j < n) {
                int c = i == w->n ? 1 : j == n ? -1 : strcmp(w->names[i], now[j]);
                if (c < 0)
                        nodedev_notify_lifecycle(w->conn, w->names[i++], NODEDEV_EVENT_DELETED);
                else if (c > 0)
                        j++;
                else
                        i++, j++;
        }
        for (i = 0, j = 0; j < n;) {
                int c = i == w->n ? 1 : strcmp(w->names[i], now[j]);
                if (c > 0)
                        nodedev_notify_lifecycle(w->conn, now[j++], NODEDEV_EVENT_CREATED);
                else if (c < 0)
                        i++;
                else
                        i++, j++;
        }
        names_free(w->names, w->n);
        w->names = now;
        w->n = n;
}

void nodedev_watch_done(NodeDevWatch *w) {
        names_free(w->names, w->n);
        *w = (NodeDevWatch) { 0 };
}
