/* call.h: a transport-neutral pending call: who asked, through which door, how to answer later. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

typedef enum CallDoor {
        CALL_DOOR_INTERNAL,     /* the daemon itself (autostart, restart recovery) */
        CALL_DOOR_BUS,
        CALL_DOOR_REMOTE,
} CallDoor;

/* The caller, captured race-free by the door that received the call. */
typedef struct Identity {
        uid_t uid;
        gid_t gid;
        pid_t pid;
        bool readonly;
} Identity;

typedef struct Call Call;

/* Completion of a verb that answered "pending": r >= 0 success (result is verb specific,
 * may be NULL), r < 0 failure described by err. Called exactly once. */
typedef void (*CallDoneFn)(Call *call, int r, const VbError *err, void *result);

struct Call {
        unsigned n_ref;
        CallDoor door;
        Identity who;
        CallDoneFn done;
        void *userdata;         /* the door's own context (a bus message, an RPC serial) */
        bool completed;
};

/* Verbs return 0 when done at once, VERB_PENDING when call->done will run later, or -1 with
 * err set. */
#define VERB_PENDING 1

Call *call_new(CallDoor door, const Identity *who, CallDoneFn done, void *userdata);
Call *call_ref(Call *c);
Call *call_unref(Call *c);
/* Finish a pending call: runs done once; later completions are ignored. */
void call_complete(Call *c, int r, const VbError *err, void *result);
