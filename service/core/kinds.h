/* kinds.h: what a connection does with each kind of object it holds, in one table: load the
 * persistent definitions at open, free them at close. */
#pragma once

#include "manager.h"
#include "object.h"

typedef struct ObjectKindOps {
        const char *name;
        /* Where the connection finds the kind's objects (its own, or its subsystem's); NULL
         * for volumes, which live inside their pools. */
        Registry *(*registry)(Connection *c);
        /* Load the kind's persistent definitions (drivers that persist, from open()); NULL:
         * none kept yet. Returns how many were refused, or < 0. */
        int (*load_all)(Connection *c);
        /* Release what the connection holds of the kind (its own objects; a host-wide
         * subsystem stays with the Manager). No notices. */
        void (*release)(Connection *c);
} ObjectKindOps;

const ObjectKindOps *object_kind_ops(ObjectKind kind);
Registry *connection_registry(Connection *c, ObjectKind kind);
/* Every kind's load_all in turn; the sum of the refusals, or the first error. */
int connection_load_all(Connection *c);
/* Every kind's release, in reverse order (domains last use networks and pools first). */
void connection_release_all(Connection *c);
