/* bus-reply-later.c: a method whose verb returns a value, now or later (VERB_PENDING): one Call that answers the message with the method's own reply function either way. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct BusLater {
        sd_bus_message *m;
        BusReplyFn reply;
        bool optional;          /* a NULL result is a value (void verbs), not a fault */
} BusLater;

static void later_free(BusLater *l) {
        if (!l)
                return;
        sd_bus_message_unref(l->m);
        free(l);
}

/* The answer to l->m: err's, or reply's of result. */
static int later_answer(BusLater *l, int r, const VbError *err, const void *result, sd_bus_error *ret_error) {
        if (r >= 0 && !result && !l->optional) {
                static const VbError none = { .code = VB_ERR_INTERNAL_ERROR,
                                              .message = "internal error: the call completed without a result" };
                r = -1, err = &none;
        }
        if (r >= 0)
                return l->reply(l->m, result);
        if (ret_error)
                return bus_error(ret_error, err);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        bus_error(&e, err);
        int q = sd_bus_reply_method_error(l->m, &e);
        sd_bus_error_free(&e);
        return q;
}

static void later_done(Call *call, int r, const VbError *err, void *result) {
        BusLater *l = call->userdata;
        if (!l)
                return;
        call->userdata = NULL;
        int q = later_answer(l, r, err, result, NULL);
        if (q < 0)
                log_warning("cannot send the reply of %s.%s: %s", sd_bus_message_get_interface(l->m),
                            sd_bus_message_get_member(l->m), strerror(-q));
        later_free(l);
}

Call *bus_call_new_reply(sd_bus_message *m, BusReplyFn reply, bool optional) {
        BusLater *l = calloc(1, sizeof *l);
        if (!l)
                return NULL;
        *l = (BusLater) { sd_bus_message_ref(m), reply, optional };
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, later_done, l);
        if (!call)
                later_free(l);
        return call;
}

int bus_call_finish_reply(Call *call, int r, const VbError *err, const void *now_result, sd_bus_error *ret_error) {
        BusLater *l = call->completed ? NULL : call->userdata;
        int q = 1;              /* answered already (the verb completed the call) or later */
        if (l && r != VERB_PENDING) {
                call->userdata = NULL;
                q = later_answer(l, r, err, now_result, ret_error);
                later_free(l);
        }
        call_unref(call);
        return q;
}
