/* bus-secret.c: org.libvirt.Secret (<connect>/secret/_UUID) and Connect's secret methods, over the core's secret store. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"

/* The secret a path names, looked up again (libvirt-dbus: virSecretLookupByUUIDString). */
static Secret *secret_of(BusSubtree *t, const char *path, VbError *err) {
        return (Secret *) bus_object_of(t, path, err);
}

static int secret_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        VbError err = { 0 };
        Secret *s = secret_of(userdata, path, &err);
        if (!s)
                return bus_error(ret_error, &err);
        if (strcmp(property, "UUID") == 0)
                return sd_bus_message_append(reply, "s", s->obj.name);
        if (strcmp(property, "UsageID") == 0)
                return sd_bus_message_append(reply, "s", secret_usage_id(s));
        if (strcmp(property, "UsageType") == 0)
                return sd_bus_message_append(reply, "i", (int32_t) s->def->usage_type);
        return -ENOENT;
}

static int method_get_value(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        uint8_t *value = NULL;
        size_t len = 0;
        VbError err = { 0 };
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Secret *s = secret_of(userdata, sd_bus_message_get_path(m), &err);
        if (!s || secret_get_value(s, flags, &value, &len, &err) < 0)
                return bus_error(ret_error, &err);
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', value, len);
        secret_value_free(value, len);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int method_set_value(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const void *value;
        size_t len;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read_array(m, 'y', &value, &len);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Secret *s = secret_of(userdata, sd_bus_message_get_path(m), &err);
        if (!s || secret_set_value(s, value, len, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static char *secret_xml_of(Object *o, unsigned flags, VbError *err) {
        return secret_xml((Secret *) o, flags, err);
}

static int secret_undefine_of(Object *o, VbError *err) {
        return secret_undefine((Secret *) o, err);
}

static int secret_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        *nodes = NULL;
        return t->conn->secrets ? bus_enumerate_registry(&t->conn->secrets->secrets, nodes) : 0;
}

#define CONST SD_BUS_VTABLE_PROPERTY_CONST
#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable secret_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("UUID", "s", secret_property_get, 0, CONST),
        SD_BUS_PROPERTY("UsageID", "s", secret_property_get, 0, CONST),
        SD_BUS_PROPERTY("UsageType", "i", secret_property_get, 0, CONST),
        SD_BUS_METHOD_WITH_ARGS("GetValue", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ay", value), method_get_value, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), bus_object_method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("SetValue", SD_BUS_ARGS("ay", value, "u", flags), SD_BUS_NO_RESULT, method_set_value, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_object_method_undefine, UNPRIV),
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_secret = {
        .kind = OBJECT_SECRET,
        .interface = "org.libvirt.Secret",
        .vtable = secret_vtable,
        .exists = bus_object_exists,
        .enumerate = secret_enumerate,
        .xml = secret_xml_of,
        .undefine = secret_undefine_of,
};

/* --- Connect --- */

int bus_method_secret_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        Secret *s = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        if (secret_define(t->conn, xml, strlen(xml), flags, &s, &err) < 0)
                s = NULL;
        return bus_reply_found(m, s ? &s->obj : NULL, &err, ret_error);
}

int bus_method_secret_lookup_by_usage(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        int32_t type;
        const char *id;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "is", &type, &id);
        if (r < 0)
                return r;
        Secret *s = secret_lookup_usage(t->conn, type, id, &err);
        return bus_reply_found(m, s ? &s->obj : NULL, &err, ret_error);
}

static bool keep_secret(const Object *o, void *data) {
        return secret_list_match((const Secret *) o, *(unsigned *) data);
}

int bus_method_list_secrets(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        SecretStore *st = secret_list_store(t->conn, flags, &err);
        if (!st)
                return bus_error(ret_error, &err);
        return bus_reply_object_list(m, &st->secrets, keep_secret, &flags);
}
