/* bus-domain-rename.c: Domain.Rename(s name, u flags): the core's rename verb (the object path, by UUID, stays). */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include "bus-path.h"
#include "domain-rename.h"
#include "domain.h"

int bus_method_domain_rename(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *name;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &name, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        if (!d || domain_rename(d, name, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}
