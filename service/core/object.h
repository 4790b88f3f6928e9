/* object.h: what every managed object shares (kind, UUID, name, id) and the registry that finds them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"

typedef enum ObjectKind {
        OBJECT_DOMAIN,
        OBJECT_NETWORK,
        OBJECT_POOL,
        OBJECT_VOLUME,
        /* host objects and snapshots: D-Bus subtrees (and API rows) before the core keeps them */
        OBJECT_INTERFACE,
        OBJECT_NODEDEV,
        OBJECT_SECRET,
        OBJECT_NWFILTER,
        OBJECT_SNAPSHOT,
        _OBJECT_KIND_MAX,
} ObjectKind;

typedef struct Connection Connection;

/* Embedded first in Domain, Network, StoragePool and StorageVol. */
typedef struct Object {
        ObjectKind kind;
        Connection *conn;
        uint8_t uuid[16];       /* volumes: unused (their identity is the key) */
        char *name;
        int id;                 /* domains: > 0 while running, -1 otherwise */
        struct Object *prev, *next;   /* registry order: definition order */
} Object;

/* Objects of one kind in one connection, by UUID, name and id, and in definition order. */
typedef struct Registry {
        HashMap by_uuid, by_name, by_id;
        Object *first, *last;
        size_t count;
} Registry;

void registry_init(Registry *r);
void registry_done(Registry *r);      /* does not free the objects */
/* Adds o under its uuid and name (and id when > 0). -EEXIST when either is taken. */
int registry_add(Registry *r, Object *o);
void registry_remove(Registry *r, Object *o);
Object *registry_find_uuid(const Registry *r, const uint8_t uuid[16]);
Object *registry_find_name(const Registry *r, const char *name);
Object *registry_find_id(const Registry *r, int id);
/* Keep the id index in step when an object's id changes (start, stop). */
int registry_set_id(Registry *r, Object *o, int id);
/* Re-key o under a new name (rename). */
int registry_set_name(Registry *r, Object *o, const char *name);

#define REGISTRY_FOREACH(o, reg) for (Object *o = (reg)->first; o; o = o->next)
