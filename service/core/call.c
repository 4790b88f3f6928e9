/* call.c: reference-counted pending calls, completed exactly once. */
#include "call.h"

#include <stdlib.h>

Call *call_new(CallDoor door, const Identity *who, CallDoneFn done, void *userdata) {
        Call *c = calloc(1, sizeof *c);
        if (!c)
                return NULL;
        c->n_ref = 1;
        c->door = door;
        if (who)
                c->who = *who;
        c->done = done;
        c->userdata = userdata;
        return c;
}

Call *call_ref(Call *c) {
        if (c)
                c->n_ref++;
        return c;
}

Call *call_unref(Call *c) {
        if (c && --c->n_ref == 0)
                free(c);
        return NULL;
}

void call_complete(Call *c, int r, const VbError *err, void *result) {
        if (!c || c->completed)
                return;
        c->completed = true;
        if (c->done)
                c->done(c, r, err, result);
}
