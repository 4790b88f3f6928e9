/* bus-authz.c: the D-Bus door's gate: every call to org.libvirt is authorized with polkit (subject: the sender's unique name) before any handler reads its arguments. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "authz-api.h"
#include "authz.h"
#include "log.h"

/* A call polkit allowed, queued again for dispatch: the filter lets it through once. */
typedef struct BusAllowed {
        struct BusAllowed *next;
        sd_bus_message *m;
} BusAllowed;

typedef struct BusAuthzCheck {
        Bus *bus;
        sd_bus_message *m;
        const char *action;
        bool api;                       /* the fine-grained step (after the connection-level one) */
        char api_action[128];           /* for the log and the refusal */
} BusAuthzCheck;

/* Reading: the API rows that do not mutate; properties read with Get/GetAll and
 * GetManagedObjects. A call without a row (no interface given, a member not served) is read
 * from its name: Get*, List*, *LookupBy*, NodeGet*; everything else is "manage". */
const char *bus_authz_action(const char *interface, const char *member) {
        if (!member)
                return AUTHZ_ACTION_MANAGE;
        if (interface && (strcmp(interface, "org.freedesktop.DBus.Introspectable") == 0 ||
                          strcmp(interface, "org.freedesktop.DBus.Peer") == 0))
                return NULL;
        if (interface && strcmp(interface, "org.freedesktop.DBus.Properties") == 0)
                return strcmp(member, "Get") == 0 || strcmp(member, "GetAll") == 0 ? AUTHZ_ACTION_MONITOR
                                                                                   : AUTHZ_ACTION_MANAGE;
        if (interface && strcmp(interface, BUS_ADMIN_INTERFACE) == 0)
                return BUS_ADMIN_ACTION;   /* reading too: clients' identities are the admin's business */
        const ApiRow *row = api_row_by_member(interface, member);
        if (row)
                return row->mutates ? AUTHZ_ACTION_MANAGE : AUTHZ_ACTION_MONITOR;
        if (strncmp(member, "Get", 3) == 0 || strncmp(member, "List", 4) == 0 || strncmp(member, "NodeGet", 7) == 0 ||
            strstr(member, "LookupBy"))
                return AUTHZ_ACTION_MONITOR;
        return AUTHZ_ACTION_MANAGE;
}

static bool bus_authz_take_allowed(Bus *b, sd_bus_message *m) {
        for (BusAllowed **p = (BusAllowed **) &b->authz_allowed; *p; p = &(*p)->next)
                if ((*p)->m == m) {
                        BusAllowed *a = *p;
                        *p = a->next;
                        sd_bus_message_unref(a->m);
                        free(a);
                        return true;
                }
        return false;
}

static void bus_authz_refuse(sd_bus_message *m, const char *action, const VbError *err) {
        const char *member = sd_bus_message_get_member(m);
        /* the fine-grained refusal (authz_api_denied) names its action already */
        bool named = strstr(err->message, "(polkit action ") != NULL;
        int r = sd_bus_reply_method_errorf(m, SD_BUS_ERROR_ACCESS_DENIED, "%s is not allowed: %s%s%s%s",
                                           member ? member : "the call", err->message, named ? "" : " (polkit action ",
                                           named ? "" : action, named ? "" : ")");
        if (r < 0)
                log_debug("cannot answer a refused call: %s", strerror(-r));
}

static void bus_authz_done(int r, const VbError *err, void *userdata);

/* The connection-level check said yes: with access_drivers = [ "polkit" ], the fine-grained one
 * for the object the path names, before the handler reads any argument. 1: asked (c is the
 * check's now), 0: nothing to ask, -1: refused at once (answered). */
static int bus_authz_api_step(Bus *b, BusAuthzCheck *c) {
        if (!b->authz_api || c->api)
                return 0;
        c->api = true;
        AuthzSubject subject = { .kind = AUTHZ_SUBJECT_BUS_NAME, .bus_name = sd_bus_message_get_sender(c->m),
                                 .uid = (uid_t) -1 };
        VbError err = { 0 };
        c->api_action[0] = '\0';
        int r = bus_authz_api_check(b, c->m, &subject, sd_bus_message_get_allow_interactive_authorization(c->m) > 0,
                                    bus_authz_done, c, c->api_action, sizeof c->api_action, &err);
        if (r == 0)
                return 0;
        c->action = c->api_action;
        if (r < 0) {
                bus_authz_refuse(c->m, c->action, &err);
                return -1;
        }
        b->authz_pending++;
        return 1;
}

static void bus_authz_done(int r, const VbError *err, void *userdata) {
        BusAuthzCheck *c = userdata;
        Bus *b = c->bus;
        b->authz_pending--;
        int step = r < 0 ? 0 : bus_authz_api_step(b, c);
        if (step > 0)
                return;         /* asked again: this runs once more with the answer */
        if (step < 0) {
                /* refused already */
        } else if (r < 0) {
                bus_authz_refuse(c->m, c->action, err);
        } else {
                BusAllowed *a = calloc(1, sizeof *a);
                int q = a ? sd_bus_enqueue_for_read(b->bus, c->m) : -ENOMEM;
                if (q < 0) {
                        free(a);
                        sd_bus_reply_method_errorf(c->m, SD_BUS_ERROR_NO_MEMORY, "cannot dispatch the call: %s",
                                                   strerror(-q));
                } else {
                        a->m = sd_bus_message_ref(c->m);
                        a->next = b->authz_allowed;
                        b->authz_allowed = a;
                }
        }
        sd_bus_message_unref(c->m);
        free(c);
}

static int bus_authz_filter(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Bus *b = userdata;
        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 0;
        const char *path = sd_bus_message_get_path(m);
        if (!path || strncmp(path, BUS_ROOT_PATH, strlen(BUS_ROOT_PATH)) != 0 ||
            (path[strlen(BUS_ROOT_PATH)] != '\0' && path[strlen(BUS_ROOT_PATH)] != '/'))
                return 0;
        if (bus_authz_take_allowed(b, m))
                return 0;       /* polkit said yes: on to the handler */
        const char *action = bus_authz_action(sd_bus_message_get_interface(m), sd_bus_message_get_member(m));
        if (!action)
                return 0;
        /* Secure XML (passwords) is for managers, as libvirt refuses it on read-only connections.
         * The flags are one uint32, not the XML a refused caller must never get parsed. */
        if (strcmp(action, AUTHZ_ACTION_MONITOR) == 0) {
                const ApiRow *row = bus_api_row(m);
                if (row && (bus_api_secure_flags(&row->acl, m) & row->acl.secure_flag))
                        action = AUTHZ_ACTION_MANAGE;
        }
        const char *sender = sd_bus_message_get_sender(m);
        if (!sender)
                return sd_bus_error_set(ret_error, SD_BUS_ERROR_ACCESS_DENIED, "the caller has no bus name to authorize");

        BusAuthzCheck *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->bus = b;
        c->m = sd_bus_message_ref(m);
        c->action = action;
        AuthzSubject subject = { .kind = AUTHZ_SUBJECT_BUS_NAME, .bus_name = sender, .uid = (uid_t) -1 };
        VbError err = { 0 };
        int r = authz_check(b->authz, &subject, action, NULL, sd_bus_message_get_allow_interactive_authorization(m) > 0,
                            bus_authz_done, c, &err);
        if (r < 0) {
                sd_bus_message_unref(c->m);
                free(c);
                return sd_bus_error_setf(ret_error,
                                         strstr(err.message, "too many pending") ? SD_BUS_ERROR_LIMITS_EXCEEDED
                                                                                : SD_BUS_ERROR_ACCESS_DENIED,
                                         "%s", err.message);
        }
        b->authz_pending++;
        return 1;       /* held: dispatched again, or refused, when polkit answers */
}

int bus_set_authz(Bus *b, Authz *authz) {
        if (!b || b->authz)
                return -EINVAL;
        int r = sd_bus_add_filter(b->bus, NULL, bus_authz_filter, b);
        if (r < 0)
                return r;
        b->authz = authz;
        log_info("calls to " BUS_NAME " are authorized with polkit");
        return 0;
}

void bus_set_authz_api(Bus *b, bool on) {
        b->authz_api = on;
        if (on)
                log_info("calls to " BUS_NAME " are also checked against the org.libvirt.api.* actions");
}

void bus_authz_forget(Bus *b) {
        while (b->authz_allowed) {
                BusAllowed *a = b->authz_allowed;
                b->authz_allowed = a->next;
                sd_bus_message_unref(a->m);
                free(a);
        }
}
