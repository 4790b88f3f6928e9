/* bus-reply.c: shared helpers of the D-Bus handlers: errors, caller identity, object replies, pending calls. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

int bus_error(sd_bus_error *ret_error, const VbError *err) {
        /* libvirt-dbus: every libvirt failure is org.libvirt.Error with the libvirt message. */
        return sd_bus_error_set(ret_error, BUS_ERROR_LIBVIRT,
                                err && err->message[0] ? err->message : "unknown error");
}

int bus_errno(sd_bus_error *ret_error, int r) {
        VbError err = { 0 };
        vb_error_errno(&err, r, "D-Bus reply");
        return bus_error(ret_error, &err);
}

int bus_check_flags(unsigned flags, unsigned allowed, const char *function, sd_bus_error *ret_error) {
        VbError err = { 0 };
        if (vb_check_flags(flags, allowed, function, &err) < 0)
                return bus_error(ret_error, &err);
        return 0;
}

/* Only what the message already carries: asking the bus for the sender's credentials is a
 * blocking round trip, which the loop must not wait for. */
Identity bus_identity(sd_bus_message *m) {
        Identity who = { .uid = (uid_t) -1, .gid = (gid_t) -1, .pid = 0, .readonly = false };
        sd_bus_creds *creds = sd_bus_message_get_creds(m);
        if (creds) {
                (void) sd_bus_creds_get_euid(creds, &who.uid);
                (void) sd_bus_creds_get_egid(creds, &who.gid);
                (void) sd_bus_creds_get_pid(creds, &who.pid);
        }
        return who;
}

int bus_reply_object(sd_bus_message *m, const Object *o) {
        char *path = bus_object_path(o);
        if (!path)
                return -ENOMEM;
        int r = sd_bus_reply_method_return(m, "o", path);
        free(path);
        return r;
}

int bus_reply_found(sd_bus_message *m, const Object *o, const VbError *err, sd_bus_error *ret_error) {
        return o ? bus_reply_object(m, o) : bus_error(ret_error, err);
}

int bus_reply_string_owned(sd_bus_message *m, char *s, const VbError *err, sd_bus_error *ret_error) {
        if (!s)
                return bus_error(ret_error, err);
        int r = sd_bus_reply_method_return(m, "s", s);
        free(s);
        return r;
}

int bus_reply_object_list(sd_bus_message *m, const Registry *reg, bool (*keep)(const Object *o, void *data),
                          void *data) {
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "o");
        REGISTRY_FOREACH(o, reg) {
                if (r < 0)
                        break;
                if (keep && !keep(o, data))
                        continue;
                char buf[256];
                if (bus_object_path_buf(o, buf, sizeof buf) == 0) {
                        r = sd_bus_message_append_basic(reply, 'o', buf);
                        continue;
                }
                char *path = bus_object_path(o);
                r = path ? sd_bus_message_append_basic(reply, 'o', path) : -ENOMEM;
                free(path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

int bus_reply_paths(sd_bus_message *m, char **paths) {
        sd_bus_message *reply = NULL;
        int r = paths ? sd_bus_message_new_method_return(m, &reply) : -ENOMEM;
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (char **p = paths; r >= 0 && *p; p++)
                r = sd_bus_message_append_basic(reply, 'o', *p);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        bus_strv_free(paths);
        return r;
}

int bus_enumerate_registry(const Registry *reg, char ***nodes) {
        char **list = calloc(reg->count + 1, sizeof *list);
        size_t n = 0;
        if (!list)
                return -ENOMEM;
        REGISTRY_FOREACH(o, reg) {
                if (n == reg->count)
                        break;
                list[n] = bus_object_path(o);
                if (!list[n]) {
                        for (size_t i = 0; i < n; i++)
                                free(list[i]);
                        free(list);
                        return -ENOMEM;
                }
                n++;
        }
        *nodes = list;
        return 0;
}

int bus_find_leaf(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                  sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        if (!bus_path_leaf(t->path, path))
                return 0;
        *found = t;
        return 1;
}

/* --- Pending calls --- */

/* The door's part of a Call: the message to answer, and the path to answer with. */
typedef struct BusPending {
        sd_bus_message *m;
        char *path;
} BusPending;

static void pending_free(BusPending *p) {
        if (!p)
                return;
        sd_bus_message_unref(p->m);
        free(p->path);
        free(p);
}

static int pending_reply(BusPending *p, int r, const VbError *err) {
        if (r < 0) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                bus_error(&e, err);
                r = sd_bus_reply_method_error(p->m, &e);
                sd_bus_error_free(&e);
                return r;
        }
        if (p->path)
                return sd_bus_reply_method_return(p->m, "o", p->path);
        return sd_bus_reply_method_return(p->m, NULL);
}

static void bus_call_done(Call *call, int r, const VbError *err, void *result) {
        BusPending *p = call->userdata;
        if (!p)
                return;
        if (r >= 0 && !p->path && result) {
                /* Verbs that learn their object only at completion hand it over as result. */
                p->path = bus_object_path(result);
        }
        int q = pending_reply(p, r, err);
        if (q < 0)
                log_warning("cannot send the reply of %s.%s: %s", sd_bus_message_get_interface(p->m),
                            sd_bus_message_get_member(p->m), strerror(-q));
        call->userdata = NULL;
        pending_free(p);
}

Call *bus_call_new(sd_bus_message *m) {
        BusPending *p = calloc(1, sizeof *p);
        if (!p)
                return NULL;
        p->m = sd_bus_message_ref(m);
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, bus_call_done, p);
        if (!call)
                pending_free(p);
        return call;
}

int bus_call_finish(Call *call, int r, const VbError *err, const Object *result_obj, sd_bus_error *ret_error) {
        BusPending *p = call->completed ? NULL : call->userdata;
        int q = 1;

        if (!p) {
                /* The verb completed the call itself; done has answered. */
        } else if (r == VERB_PENDING) {
                /* The verb holds its own reference and answers through bus_call_done. */
                if (result_obj && !p->path)
                        p->path = bus_object_path(result_obj);
                p = NULL;
        } else {
                call->userdata = NULL;          /* a late completion finds nothing to answer */
                if (r < 0) {
                        q = bus_error(ret_error, err);
                } else if (result_obj) {
                        q = bus_reply_object(p->m, result_obj);
                } else {
                        q = sd_bus_reply_method_return(p->m, NULL);
                }
        }
        pending_free(p);
        call_unref(call);
        return q;
}
