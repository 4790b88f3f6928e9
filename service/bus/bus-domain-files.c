/* bus-domain-files.c: Connect.DomainCreateXMLWithFiles and Domain.CreateWithFiles (libvirt-dbus's 'ah' of files): the start the remote door's procedures 309/310 make. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

#include "domain.h"

/* The count of an 'ah' argument: the descriptors stay the message's (sd-bus closes them). */
static int read_files(sd_bus_message *m, size_t *n) {
        int r = sd_bus_message_enter_container(m, 'a', "h");
        *n = 0;
        while (r >= 0) {
                int fd;
                r = sd_bus_message_read(m, "h", &fd);
                if (r == 0)
                        break;
                if (r > 0)
                        (*n)++;
        }
        return r < 0 ? r : sd_bus_message_exit_container(m);
}

int bus_method_domain_create_xml_with_files(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *xml;
        unsigned flags;
        size_t n_files;
        Domain *d = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "s", &xml);
        if (r >= 0)
                r = read_files(m, &n_files);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_create_xml_with_files(t->conn, xml, strlen(xml), n_files, flags, call, &d, &err);
        if (r >= 0 && !d && r != VERB_PENDING)
                r = vb_error_set(&err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, NULL);    /* a guest that stopped at once */
        return bus_call_finish(call, r, &err, d ? &d->obj : NULL, ret_error);
}

int bus_method_domain_create_with_files(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned flags;
        size_t n_files;
        VbError err = { 0 };
        int r = read_files(m, &n_files);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_create_with_files(d, n_files, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}
