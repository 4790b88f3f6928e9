/* bus-nwfilter.c: org.libvirt.NWFilter (<connect>/nwfilter/_UUID) and Connect's network filter methods, over the core's nwfilter store. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nwfilter.h"

static char *filter_xml(Object *o, unsigned flags, VbError *err) {
        return nwfilter_xml((NWFilter *) o, flags, err);
}

static int filter_undefine(Object *o, VbError *err) {
        return nwfilter_undefine((NWFilter *) o, err);
}

static int filter_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        *nodes = NULL;
        return t->conn->nwfilters ? bus_enumerate_registry(&t->conn->nwfilters->filters, nodes) : 0;
}

#define CONST SD_BUS_VTABLE_PROPERTY_CONST
#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED

static const sd_bus_vtable nwfilter_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", bus_object_property_get, 0, CONST),
        SD_BUS_PROPERTY("UUID", "s", bus_object_property_get, 0, CONST),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), bus_object_method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_object_method_undefine, UNPRIV),
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_nwfilter = {
        .kind = OBJECT_NWFILTER,
        .interface = "org.libvirt.NWFilter",
        .vtable = nwfilter_vtable,
        .exists = bus_object_exists,
        .enumerate = filter_enumerate,
        .xml = filter_xml,
        .undefine = filter_undefine,
};

/* --- Connect --- */

int bus_method_nwfilter_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        NWFilter *f = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        if (nwfilter_define(t->conn, xml, strlen(xml), 0, &f, &err) < 0)
                f = NULL;
        return bus_reply_found(m, f ? &f->obj : NULL, &err, ret_error);
}

int bus_method_list_nwfilters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        NWFilterStore *st = nwfilter_list_store(t->conn, flags, &err);
        if (!st)
                return bus_error(ret_error, &err);
        return bus_reply_object_list(m, &st->filters, NULL, NULL);
}
