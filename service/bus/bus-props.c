/* bus-props.c: org.freedesktop.DBus.Properties answered by the adapter, with libvirt-dbus's wire quirks (GetAll values double-wrapped). */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <string.h>

#include "log.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

static bool is_property(const sd_bus_vtable *v) {
        return v->type == _SD_BUS_VTABLE_PROPERTY || v->type == _SD_BUS_VTABLE_WRITABLE_PROPERTY;
}

static const sd_bus_vtable *find_property(const sd_bus_vtable *vtable, const char *name) {
        for (const sd_bus_vtable *v = vtable; v->type != _SD_BUS_VTABLE_END; v++)
                if (is_property(v) && strcmp(v->x.property.member, name) == 0)
                        return v;
        return NULL;
}

static int check_interface(BusSubtree *t, const char *interface, sd_bus_error *ret_error) {
        if (strcmp(interface, t->kind->interface) != 0) {
                sd_bus_error_setf(ret_error, SD_BUS_ERROR_UNKNOWN_INTERFACE, "No such interface \"%s\"", interface);
                return -ENOENT;
        }
        return 0;
}

/* Append the property's value as a variant (the getters append the bare value). */
static int append_value(sd_bus_message *reply, BusSubtree *t, const char *path, const sd_bus_vtable *v,
                        sd_bus_error *ret_error) {
        int r = sd_bus_message_open_container(reply, 'v', v->x.property.signature);
        if (r < 0)
                return r;
        r = v->x.property.get(sd_bus_message_get_bus(reply), path, t->kind->interface, v->x.property.member,
                              reply, t, ret_error);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

/* libvirt-dbus wraps every GetAll value in one more variant: a{sv} whose v holds a v. cockpit
 * checks for it. A stale path answers an empty dictionary, not an error. */
static int method_get_all(sd_bus_message *m, BusSubtree *t, sd_bus_error *ret_error) {
        const char *path = sd_bus_message_get_path(m);
        const char *interface;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_read(m, "s", &interface);
        if (r < 0)
                return r;
        r = check_interface(t, interface, ret_error);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0 && t->kind->exists(t, path)) {
                for (const sd_bus_vtable *v = t->kind->vtable; r >= 0 && v->type != _SD_BUS_VTABLE_END; v++) {
                        if (!is_property(v))
                                continue;
                        r = sd_bus_message_open_container(reply, 'e', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append(reply, "s", v->x.property.member);
                        if (r >= 0)
                                r = sd_bus_message_open_container(reply, 'v', "v");
                        if (r >= 0)
                                r = append_value(reply, t, path, v, ret_error);
                        if (r >= 0)
                                r = sd_bus_message_close_container(reply);
                        if (r >= 0)
                                r = sd_bus_message_close_container(reply);
                }
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int lookup_property(sd_bus_message *m, BusSubtree *t, const sd_bus_vtable **out, sd_bus_error *ret_error) {
        const char *interface, *name;
        int r = sd_bus_message_read(m, "ss", &interface, &name);
        if (r < 0)
                return r;
        r = check_interface(t, interface, ret_error);
        if (r < 0)
                return r;
        *out = find_property(t->kind->vtable, name);
        if (!*out) {
                sd_bus_error_setf(ret_error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "No such property \"%s\"", name);
                return -ENOENT;
        }
        return 0;
}

static int method_get(sd_bus_message *m, BusSubtree *t, sd_bus_error *ret_error) {
        const sd_bus_vtable *v;
        sd_bus_message *reply = NULL;
        int r = lookup_property(m, t, &v, ret_error);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = append_value(reply, t, sd_bus_message_get_path(m), v, ret_error);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int method_set(sd_bus_message *m, BusSubtree *t, sd_bus_error *ret_error) {
        const sd_bus_vtable *v;
        const char *contents;
        char type;
        int r = lookup_property(m, t, &v, ret_error);
        if (r < 0)
                return r;
        if (v->type != _SD_BUS_VTABLE_WRITABLE_PROPERTY || !v->x.property.set)
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_INVALID_ARGS, "Property \"%s\" is not writable",
                                         v->x.property.member);
        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r < 0)
                return r;
        if (type != 'v' || strcmp(contents, v->x.property.signature) != 0)
                return sd_bus_error_setf(ret_error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Error setting property \"%s\": Expected type \"%s\" but got \"%s\"",
                                         v->x.property.member, v->x.property.signature,
                                         type == 'v' ? contents : "");
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        r = v->x.property.set(sd_bus_message_get_bus(m), sd_bus_message_get_path(m), t->kind->interface,
                              v->x.property.member, m, t, ret_error);
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

int bus_properties_handler(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *path = sd_bus_message_get_path(m);
        int r;

        if (!sd_bus_message_is_method_call(m, PROPERTIES_INTERFACE, NULL))
                return 0;
        /* Only our objects: the Connect path itself, or one element below a kind's prefix.
         * Anything else (the kind node, deeper paths) is left to sd-bus. */
        if (t->kind == &bus_kind_connect ? strcmp(path, t->path) != 0 : !bus_path_leaf(t->path, path))
                return 0;

        const char *member = sd_bus_message_get_member(m);
        if (strcmp(member, "GetAll") == 0) {
                if (!sd_bus_message_has_signature(m, "s"))
                        goto bad_signature;
                r = method_get_all(m, t, ret_error);
        } else if (strcmp(member, "Get") == 0) {
                if (!sd_bus_message_has_signature(m, "ss"))
                        goto bad_signature;
                r = method_get(m, t, ret_error);
        } else if (strcmp(member, "Set") == 0) {
                if (!sd_bus_message_has_signature(m, "ssv"))
                        goto bad_signature;
                r = method_set(m, t, ret_error);
        } else {
                return 0;
        }
        return r < 0 ? r : 1;

bad_signature:;
        const char *signature = sd_bus_message_get_signature(m, true);
        return sd_bus_error_setf(ret_error, SD_BUS_ERROR_INVALID_ARGS,
                                 "Invalid arguments '%s' to call " PROPERTIES_INTERFACE ".%s()",
                                 signature ? signature : "", member);
}
