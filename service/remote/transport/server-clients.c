/* server-clients.c: the remote server's client list: reaping dropped clients, iterating the live ones, callback ids. */
#define LOG_MODULE "remote"

#include "server-internal.h"

#include <limits.h>
#include <stdlib.h>

#include "log.h"

int server_on_reap(sd_event_source *es, void *userdata) {
        RemoteServer *s = userdata;
        size_t j = 0;
        bool again = false;
        for (size_t i = 0; i < s->n_clients; i++) {
                RemoteClient *c = s->clients[i];
                if (!remote_client_is_dropped(c)) {
                        s->clients[j++] = c;
                        continue;
                }
                if (c->n_ref > 1) {     /* a pending call still holds it: remember it for remote_server_free() */
                        if (s->n_zombies == s->cap_zombies) {
                                size_t cap = s->cap_zombies ? s->cap_zombies * 2 : 8;
                                RemoteClient **v = realloc(s->zombies, cap * sizeof *v);
                                if (!v) {
                                        s->clients[j++] = c;
                                        again = true;
                                        continue;
                                }
                                s->zombies = v;
                                s->cap_zombies = cap;
                        }
                        s->zombies[s->n_zombies++] = c;
                }
                remote_client_unref(c);
        }
        s->n_clients = j;
        if (again)
                sd_event_source_set_enabled(s->reap, SD_EVENT_ONESHOT);
        return 0;
}

void remote_server_client_gone(RemoteServer *s, RemoteClient *c) {
        if (!s)
                return;
        if (s->n_live > 0)
                s->n_live--;
        sd_event_source_set_enabled(s->reap, SD_EVENT_ONESHOT);
}

void remote_server_client_freed(RemoteServer *s, RemoteClient *c) {
        for (size_t i = 0; s && i < s->n_zombies; i++)
                if (s->zombies[i] == c) {
                        s->zombies[i] = s->zombies[--s->n_zombies];
                        return;
                }
}

void remote_server_foreach_client(RemoteServer *s, void (*fn)(RemoteClient *c, void *userdata), void *userdata) {
        /* Indexing afresh each time: fn may drop clients (the reap comes later) but adds none. */
        for (size_t i = 0; s && i < s->n_clients; i++) {
                RemoteClient *c = s->clients[i];
                if (!remote_client_is_dropped(c) && !c->closing && !remote_client_is_admin(c))
                        fn(c, userdata);
        }
}

int remote_server_next_callback_id(RemoteServer *s) {
        if (!s)
                return -1;
        int id = s->next_callback_id;
        s->next_callback_id = id == INT_MAX ? 0 : id + 1;
        return id;
}


RemoteClient *remote_server_find_client(RemoteServer *s, unsigned id) {
        for (size_t i = 0; s && i < s->n_clients; i++)
                if (!remote_client_is_dropped(s->clients[i]) && remote_client_id(s->clients[i]) == id)
                        return s->clients[i];
        return NULL;
}

size_t server_n_live_admin(RemoteServer *s) {
        size_t n = 0;
        for (size_t i = 0; i < s->n_clients; i++)
                if (!remote_client_is_dropped(s->clients[i]) && remote_client_is_admin(s->clients[i]))
                        n++;
        return n;
}

RemoteClient *remote_server_client_at(RemoteServer *s, size_t i) {
        return s && i < s->n_clients ? s->clients[i] : NULL;
}
