/* registry.c: objects of one kind by UUID, name and id, kept in definition order. */
#include "object.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void registry_init(Registry *r) {
        memset(r, 0, sizeof *r);
        hashmap_init(&r->by_uuid);
        hashmap_init(&r->by_name);
        hashmap_init(&r->by_id);
}

void registry_done(Registry *r) {
        hashmap_done(&r->by_uuid);
        hashmap_done(&r->by_name);
        hashmap_done(&r->by_id);
        r->first = r->last = NULL;
        r->count = 0;
}

/* Volumes are identified by name within their pool; they carry no UUID. */
static bool registry_uses_uuid(const Object *o) {
        return o->kind != OBJECT_VOLUME;
}

int registry_add(Registry *r, Object *o) {
        if (hashmap_get(&r->by_name, o->name, strlen(o->name)))
                return -EEXIST;
        if (registry_uses_uuid(o) && hashmap_get(&r->by_uuid, o->uuid, 16))
                return -EEXIST;
        int k = hashmap_put_str(&r->by_name, o->name, o);
        if (k < 0)
                return k;
        if (registry_uses_uuid(o)) {
                k = hashmap_put(&r->by_uuid, o->uuid, 16, o);
                if (k < 0) {
                        hashmap_remove(&r->by_name, o->name, strlen(o->name));
                        return k;
                }
        }
        if (o->id > 0) {
                k = hashmap_put(&r->by_id, &o->id, sizeof o->id, o);
                if (k < 0) {
                        hashmap_remove(&r->by_name, o->name, strlen(o->name));
                        if (registry_uses_uuid(o))
                                hashmap_remove(&r->by_uuid, o->uuid, 16);
                        return k;
                }
        }
        o->prev = r->last;
        o->next = NULL;
        if (r->last)
                r->last->next = o;
        else
                r->first = o;
        r->last = o;
        r->count++;
        return 0;
}

void registry_remove(Registry *r, Object *o) {
        hashmap_remove(&r->by_name, o->name, strlen(o->name));
        if (registry_uses_uuid(o))
                hashmap_remove(&r->by_uuid, o->uuid, 16);
        if (o->id > 0)
                hashmap_remove(&r->by_id, &o->id, sizeof o->id);
        if (o->prev)
                o->prev->next = o->next;
        else
                r->first = o->next;
        if (o->next)
                o->next->prev = o->prev;
        else
                r->last = o->prev;
        o->prev = o->next = NULL;
        r->count--;
}

Object *registry_find_uuid(const Registry *r, const uint8_t uuid[16]) {
        return hashmap_get(&r->by_uuid, uuid, 16);
}

Object *registry_find_name(const Registry *r, const char *name) {
        return name ? hashmap_get(&r->by_name, name, strlen(name)) : NULL;
}

Object *registry_find_id(const Registry *r, int id) {
        return id > 0 ? hashmap_get(&r->by_id, &id, sizeof id) : NULL;
}

int registry_set_id(Registry *r, Object *o, int id) {
        if (o->id > 0)
                hashmap_remove(&r->by_id, &o->id, sizeof o->id);
        o->id = id;
        if (id > 0)
                return hashmap_put(&r->by_id, &o->id, sizeof o->id, o);
        return 0;
}

int registry_set_name(Registry *r, Object *o, const char *name) {
        char *copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        if (hashmap_get(&r->by_name, name, strlen(name))) {
                free(copy);
                return -EEXIST;
        }
        int k = hashmap_put_str(&r->by_name, copy, o);
        if (k < 0) {
                free(copy);
                return k;
        }
        hashmap_remove(&r->by_name, o->name, strlen(o->name));
        free(o->name);
        o->name = copy;
        return 0;
}
