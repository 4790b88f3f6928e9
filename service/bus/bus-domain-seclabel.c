/* bus-domain-seclabel.c: org.libvirt.Domain.GetSecurityLabelList → a(sb), the core's domain-seclabel.c. */
#define LOG_MODULE "bus"
#include "bus-unsupported.h"

#include "domain-seclabel.h"
#include "domain.h"

int bus_method_get_security_label_list(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        VbError err = { 0 };
        static DomainSecLabel labels[DOMAIN_SECLABEL_MAX];
        Domain *d = bus_message_domain(m, t, &err);
        int n = d ? domain_security_label_list(d, labels, &err) : -1;
        if (n < 0)
                return bus_error(ret_error, &err);
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sb)");
        for (int i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(sb)", labels[i].label, (int) labels[i].enforcing);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}
