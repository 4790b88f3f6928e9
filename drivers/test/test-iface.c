/* test-iface.c: the Test connection's host interfaces: libvirt's test:///default has one, eth1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"
#include <stdio.h>
#include "test-ops.h"

static const struct {
        const char *name, *mac;
        bool active;
        const char *xml;
} test_ifaces[] = {
        { "eth1", "aa:bb:cc:dd:ee:ff", true,
          "<interface type='ethernet' name='eth1'>\n"
          "  <start mode='onboot'/>\n"
          "  <mtu size='1492'/>\n"
          "  <protocol family='ipv4'>\n"
          "    <ip address='192.168.0.5' prefix='24'/>\n"
          "    <route gateway='192.168.0.1'/>\n"
          "  </protocol>\n"
          "  <mac address='aa:bb:cc:dd:ee:ff'/>\n"
          "</interface>\n" },
};

static int test_iface_list(Connection *c, HostIfaceList *out, VbError *err) {
        size_t n = sizeof test_ifaces / sizeof test_ifaces[0];
        out->items = calloc(n, sizeof *out->items);
        if (!out->items)
                return vb_error_errno(err, -ENOMEM, "interfaces");
        for (size_t i = 0; i < n; i++) {
                HostIface *it = &out->items[out->n++];
                snprintf(it->name, sizeof it->name, "%s", test_ifaces[i].name);
                snprintf(it->mac, sizeof it->mac, "%s", test_ifaces[i].mac);
                it->active = test_ifaces[i].active;
                if (!(it->xml = strdup(test_ifaces[i].xml)))
                        return vb_error_errno(err, -ENOMEM, "interfaces");
        }
        return 0;
}

const HostIfaceOps test_iface_ops = {
        .list = test_iface_list,
        .xml_desc_function = "testInterfaceGetXMLDesc",
};
