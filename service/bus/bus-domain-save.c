/* bus-domain-save.c: Domain.Save, ManagedSave, ManagedSaveRemove, HasManagedSaveImage, CoreDump and Connect.DomainRestore, DomainSaveImageGetXMLDesc, DomainSaveImageDefineXML: the same core verbs as the remote door's. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>

#include "bus-path.h"
#include "domain-dump.h"
#include "domain-save.h"
#include "domain.h"

/* Save(s to, s xml, u flags): "" for no replacement XML. */
int bus_method_domain_save(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *to, *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &to, &xml, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_save(d, to, bus_empty_to_null(xml), flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_domain_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_managed_save(d, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_domain_managed_save_remove(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_managed_save_remove(d, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

int bus_method_domain_has_managed_save_image(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, "virDomainHasManagedSaveImage", ret_error);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "b", (int) domain_has_managed_save(d));
}

/* Connect.DomainRestore(s from, s xml, u flags) */
int bus_method_domain_restore(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *from, *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &from, &xml, &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_restore(t->conn, from, bus_empty_to_null(xml), flags, call, NULL, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* Connect.DomainSaveImageGetXMLDesc(s file, u flags) → s xml */
int bus_method_domain_save_image_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *file;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &file, &flags);
        if (r < 0)
                return r;
        char *xml = domain_save_image_xml(t->conn, file, flags, &err);
        if (!xml)
                return bus_error(ret_error, &err);
        r = sd_bus_reply_method_return(m, "s", xml);
        free(xml);
        return r;
}

/* Connect.DomainSaveImageDefineXML(s file, s xml, u flags) */
int bus_method_domain_save_image_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *file, *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "ssu", &file, &xml, &flags);
        if (r < 0)
                return r;
        if (domain_save_image_define(t->conn, file, xml, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

/* Domain.CoreDump(s to, u dumpformat, u flags): virDomainCoreDumpWithFormat. */
int bus_method_domain_core_dump(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *to;
        unsigned format, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "suu", &to, &format, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_core_dump(d, to, format, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
