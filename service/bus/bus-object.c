/* bus-object.c: what the D-Bus faces of the object kinds share: the object behind a path, the common properties (Name, UUID, Active, Autostart, Persistent) read through the kind's BusObjectState, the Autostart setter, and GetXMLDesc and Undefine through the kind's xml and undefine. */
#define LOG_MODULE "bus"
#include "bus-internal.h"

#include <errno.h>
#include <string.h>

#include "uuid.h"

Object *bus_object_of(BusSubtree *t, const char *path, VbError *err) {
        return bus_path_object(t->conn, t->kind->kind, t->path, path, err);
}

Domain *bus_message_domain(sd_bus_message *m, void *userdata, VbError *err) {
        BusSubtree *t = userdata;
        return bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), err);
}

bool bus_object_exists(BusSubtree *t, const char *path) {
        return bus_object_of(t, path, &(VbError) { 0 }) != NULL;
}

/* A bool field of the kind's struct, at its offset from the Object that starts it. */
static bool field(const Object *o, size_t offset) {
        return *(const bool *) ((const char *) o + offset);
}

int bus_object_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const BusObjectState *state = t->kind->state;
        VbError err = { 0 };
        Object *o = bus_object_of(t, path, &err);
        if (!o)
                return bus_error(ret_error, &err);
        if (strcmp(property, "Name") == 0)
                return sd_bus_message_append(reply, "s", o->name);
        if (strcmp(property, "UUID") == 0) {
                char text[UUID_STRING_LEN];
                uuid_format(o->uuid, text);
                return sd_bus_message_append(reply, "s", text);
        }
        if (!state)
                return -ENOENT;
        if (strcmp(property, "Active") == 0)
                return sd_bus_message_append(reply, "b", state->active(o));
        if (strcmp(property, "Autostart") == 0)
                return sd_bus_message_append(reply, "b", field(o, state->autostart));
        if (strcmp(property, "Persistent") == 0)
                return sd_bus_message_append(reply, "b", field(o, state->persistent));
        return -ENOENT;
}

int bus_object_property_set_autostart(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *value, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        int autostart;
        VbError err = { 0 };
        int r = sd_bus_message_read(value, "b", &autostart);
        if (r < 0)
                return r;
        Object *o = bus_object_of(t, path, &err);
        if (!o || t->kind->state->set_autostart(o, autostart, &err) < 0)
                return bus_error(ret_error, &err);
        return 0;
}

int bus_object_method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Object *o = bus_object_of(t, sd_bus_message_get_path(m), &err);
        return bus_reply_string_owned(m, o ? t->kind->xml(o, flags, &err) : NULL, &err, ret_error);
}

int bus_object_method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        Object *o = bus_object_of(t, sd_bus_message_get_path(m), &err);
        if (!o || t->kind->undefine(o, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}
