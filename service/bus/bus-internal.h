/* bus-internal.h: what the D-Bus adapter files share: the Bus, per-kind descriptions, reply helpers. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "api.h"
#include "authz.h"
#include "bus-path.h"
#include "bus.h"
#include "call.h"
#include "error.h"
#include "manager.h"

#define BUS_NAME "org.libvirt"
#define BUS_ERROR_LIBVIRT "org.libvirt.Error"
#define BUS_LIB_VERSION UINT64_C(9000000)    /* what LibVersion reports: libvirt 9.0.0 */

typedef struct BusSubtree BusSubtree;

/* A PROP_* bit and the D-Bus property that shows it (for PropertiesChanged). */
typedef struct BusPropName {
        unsigned bit;
        const char *name;
} BusPropName;

/* Active, Autostart and Persistent of a kind's objects (domains, networks, pools), read by
 * bus-object.c's getter as sd-bus property tables read fields. */
typedef struct BusObjectState {
        bool (*active)(const Object *o);
        size_t autostart, persistent;   /* offsetof the kind's bool fields (its Object comes first) */
        int (*set_autostart)(Object *o, bool autostart, VbError *err);
} BusObjectState;

/* The D-Bus face of one object kind (or of the Connect object itself). */
typedef struct BusKind {
        ObjectKind kind;                /* _OBJECT_KIND_MAX for Connect */
        const char *interface;
        const sd_bus_vtable *vtable;
        /* Properties that PropertiesChanged announces (only those with EMITS_CHANGE); NULL: none. */
        const BusPropName *changes;
        /* Does the object behind path exist now? (GetAll on a stale path is an empty a{sv}.) */
        bool (*exists)(BusSubtree *t, const char *path);
        sd_bus_node_enumerator_t enumerate;     /* NULL for Connect */
        const BusObjectState *state;            /* NULL: the kind has no Active/Autostart/Persistent */
        /* The kind's XML and (when it ends at once) its undefine, for bus-object.c's GetXMLDesc
         * and Undefine; NULL where the kind answers them itself. */
        char *(*xml)(Object *o, unsigned flags, VbError *err);
        int (*undefine)(Object *o, VbError *err);
} BusKind;

/* One registration: the Connect object of a connection, or one kind's subtree below it. The
 * vtable handlers get it as userdata; it names where to look, never an object. */
struct BusSubtree {
        Bus *bus;
        Connection *conn;
        const BusKind *kind;
        char *path;                     /* the Connect path, or the subtree's prefix */
};

struct Bus {
        Manager *manager;
        sd_bus *bus;
        BusSubtree **subtrees;
        size_t n_subtrees;
        bool observing;
        struct Authz *authz;            /* NULL: no gate (the session bus) */
        void *authz_allowed;            /* bus-authz.c: calls allowed, queued again */
        unsigned authz_pending;         /* checks in flight */
        bool authz_api;                 /* access_drivers = [ "polkit" ]: org.libvirt.api.* checks too */
        unsigned max_caller_streams;    /* max_client_streams: volume transfers per caller (0: none) */
        struct FdXfer *xfers;           /* bus-vol-stream.c: the volume transfers running */
};

/* bus-vol-stream.c: the transfers still running go on without the bus (bus_close). */
void bus_vol_streams_detach(Bus *b);

/* bus-authz.c: the polkit action a call needs (NULL: none, e.g. Introspect). */
const char *bus_authz_action(const char *interface, const char *member);
/* bus-authz-api.c: the API row of a call (by its interface and member), NULL when none. */
const ApiRow *bus_api_row(sd_bus_message *m);
/* The flags a call whose ACL has a secure flag carries first (rewound); 0 for the others. */
unsigned bus_api_secure_flags(const ApiAcl *acl, sd_bus_message *m);
/* The fine-grained check of a call (access_drivers = [ "polkit" ]): its row's ACL (a property's
 * for org.freedesktop.DBus.Properties), about the object its path or lookup argument names;
 * the action asked first into action. 0: nothing to ask (no rule, or no object behind the
 * path: the handler says so); AUTHZ_PENDING; -1 with err set. */
int bus_authz_api_check(Bus *b, sd_bus_message *m, const AuthzSubject *subject, bool interactive, AuthzDoneFn done,
                        void *userdata, char *action, size_t n, VbError *err);
/* Drop the allowed calls not yet dispatched again (bus_close). */
void bus_authz_forget(Bus *b);

extern const BusKind bus_kind_connect;
extern const BusKind bus_kind_domain;
extern const BusKind bus_kind_network;
extern const BusKind bus_kind_pool;
extern const BusKind bus_kind_vol;
extern const BusKind bus_kind_interface, bus_kind_nodedev, bus_kind_secret, bus_kind_nwfilter, bus_kind_snapshot;

/* bus-kinds.c */
const BusKind *bus_kind_of(ObjectKind kind);
/* bus-notices.c: the manager observer that turns notices into signals (userdata: the Bus). */
void bus_on_notice(const Notice *n, void *userdata);

/* bus-object.c: the object a path of t's kind names (bus_path_object), and whether there is one. */
Object *bus_object_of(BusSubtree *t, const char *path, VbError *err);
bool bus_object_exists(BusSubtree *t, const char *path);
/* The domain a method call's path names (a domain's, or under it a snapshot's; userdata: the
 * call's BusSubtree), or NULL with err set. */
Domain *bus_message_domain(sd_bus_message *m, void *userdata, VbError *err);
/* Getter of Name, UUID and (through the kind's state) Active, Autostart, Persistent; the
 * Autostart setter. */
int bus_object_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *ret_error);
int bus_object_property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *value, void *userdata, sd_bus_error *ret_error);
/* The vtable rows of a network's or a pool's common properties, in libvirt-dbus's order. */
#define BUS_OBJECT_STATE_PROPERTIES                                                                          \
        SD_BUS_PROPERTY("Active", "b", bus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),     \
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", bus_object_property_get, bus_object_property_set_autostart, \
                                 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),       \
        SD_BUS_PROPERTY("Name", "s", bus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),              \
        SD_BUS_PROPERTY("Persistent", "b", bus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE), \
        SD_BUS_PROPERTY("UUID", "s", bus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
/* GetXMLDesc(u flags) → s and Undefine() → () through the kind's xml and undefine. */
int bus_object_method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_object_method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-connect.c: Connect's <Kind>LookupByName and <Kind>LookupByUUID (s) → o, by member. */
int bus_method_lookup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* bus-props.c: org.freedesktop.DBus.Properties answered ourselves (GetAll double-wrapped). */
int bus_properties_handler(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* Fallback-vtable find callback shared by the kinds: any single element below the prefix is an
 * object as far as dispatch goes (stale paths get libvirt's "not found" from the method). */
int bus_find_leaf(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                  sd_bus_error *ret_error);

/* Reply helpers (bus.c). */
int bus_error(sd_bus_error *ret_error, const VbError *err);
int bus_errno(sd_bus_error *ret_error, int r);
Identity bus_identity(sd_bus_message *m);
/* Reply "o" with the object's path. */
int bus_reply_object(sd_bus_message *m, const Object *o);
/* Reply "o" with the path of the object a lookup or define found, or with err when it found none. */
int bus_reply_found(sd_bus_message *m, const Object *o, const VbError *err, sd_bus_error *ret_error);
/* Reply with a string a core verb allocated (XML), or with err when it is NULL; frees it. */
int bus_reply_string_owned(sd_bus_message *m, char *s, const VbError *err, sd_bus_error *ret_error);
/* Reply "ao" with the paths of the objects for which keep(o, data) is true. */
int bus_reply_object_list(sd_bus_message *m, const Registry *reg, bool (*keep)(const Object *o, void *data),
                          void *data);
/* Reply "ao" with paths (a strv, freed; NULL: out of memory). */
int bus_reply_paths(sd_bus_message *m, char **paths);
/* Collect the paths of a registry's objects into a NULL-terminated strv for a node enumerator. */
int bus_enumerate_registry(const Registry *reg, char ***nodes);

/* A verb that may complete later: make the Call before calling the verb, then finish with the
 * verb's result. On sync success the reply is empty or "o" with result_obj's path. */
Call *bus_call_new(sd_bus_message *m);
int bus_call_finish(Call *call, int r, const VbError *err, const Object *result_obj, sd_bus_error *ret_error);

/* A verb with a value (bus-reply-later.c): reply(m, result) answers m, with the value the verb
 * gave now or its completion gives later; a failure answers libvirt's error. optional: a NULL
 * result is a value (void verbs); otherwise a success without one answers an internal error.
 * Make the Call before the verb, then finish with its return (VERB_PENDING: the completion
 * answers); finishing drops the handler's reference and returns what the handler returns. */
typedef int (*BusReplyFn)(sd_bus_message *m, const void *result);
Call *bus_call_new_reply(sd_bus_message *m, BusReplyFn reply, bool optional);
int bus_call_finish_reply(Call *call, int r, const VbError *err, const void *now_result, sd_bus_error *ret_error);

/* "ListAllDomains" → "unsupported flags (0x…) in function virConnectListAllDomains". */
int bus_check_flags(unsigned flags, unsigned allowed, const char *function, sd_bus_error *ret_error);

/* "" means "none" in libvirt-dbus's string arguments. */
static inline const char *bus_empty_to_null(const char *s) {
        return s && *s ? s : NULL;
}

/* bus-domain-tune.c: typed parameters as libvirt-dbus carries them (a{sv}, each value a variant
 * in a variant): read a method's (at most BUS_TUNE_PARAMS_MAX; 0, a negative errno, or -1 with err
 * naming the problem), answer n of them. */
#define BUS_TUNE_PARAMS_MAX 24
typedef struct DomainTuneParam DomainTuneParam;
int bus_read_tune_params(sd_bus_message *m, DomainTuneParam *p, size_t *np, VbError *err);
int bus_reply_tune_params(sd_bus_message *m, const DomainTuneParam *p, int n);
/* A method (a{sv} params, u flags) → () that hands the parameters to a core verb set. */
typedef struct Domain Domain;
int bus_tune_set(sd_bus_message *m, void *userdata, sd_bus_error *ret_error,
                 int (*set)(Domain *, const DomainTuneParam *, size_t, unsigned, VbError *));
/* bus-domain-iotune.c: a device's typed parameters (a disk's I/O limits, a NIC's bandwidth):
 * Get…(s device, u flags) → a{sv} through get (at most count), Set…(s device, a{sv}, u flags)
 * through set (may answer later; api: an empty set refused naming it, NULL: allowed). */
typedef int (*BusGetDeviceParams)(Domain *d, const char *device, unsigned flags, DomainTuneParam *out, VbError *err);
typedef int (*BusSetDeviceParams)(Domain *d, const char *device, const DomainTuneParam *params, size_t n,
                                  unsigned flags, Call *call, VbError *err);
int bus_get_device_params(sd_bus_message *m, void *userdata, size_t count, BusGetDeviceParams get,
                          sd_bus_error *ret_error);
int bus_set_device_params(sd_bus_message *m, void *userdata, BusSetDeviceParams set, const char *api,
                          sd_bus_error *ret_error);

/* bus-domain.c: one typed parameter of a stats record, double-wrapped as libvirt-dbus does. */
typedef struct DomainStatParam DomainStatParam;
int bus_append_stat_param(sd_bus_message *reply, const DomainStatParam *p);
/* bus-domain-events.c: a guest event notice (RTC, watchdog, …) as its Domain signal; 0 when
 * the notice is not one. */
typedef struct Notice Notice;
int bus_emit_guest_event(sd_bus *bus, const Notice *n, const char *path);

/* bus-connect-host.c: Connect methods of host facts and all-domain stats. */
int bus_method_node_get_security_model(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_all_domain_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_node_get_cpu_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_node_get_cpu_map(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

/* bus-stream.c: the door becomes st's consumer and writes it into a pipe; *reader is the
 * caller's end (returned with 'h', then closed by the door). Holes arrive as zeros. */
typedef struct Stream Stream;
int bus_stream_download_fd(sd_event *event, Stream *st, int *reader);

/* bus-vol-stream.c: StorageVol.Upload / Download (t offset, t length, u flags, h fd). */
int bus_method_vol_upload(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* Connect.FindStoragePoolSources (bus-pool-sources.c): answered when the scan is done. */
int bus_method_find_pool_sources(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_vol_download(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-console.c: a console's Streams (out: guest → caller, in: caller → guest) as one end of a
 * socket pair for the caller (*client: its fd, to be sent and closed). */
int bus_console_fd(sd_event *event, Stream *out, Stream *in, int *client);

/* bus-domain-tune.c: Domain.GetMemoryParameters (u flags → a{sv}) and SetMemoryParameters (a{sv}, u). */
int bus_method_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
