/* test-nodedev.c: the Test connection's node devices: libvirt's test:///default has four (a computer and three fc-capable SCSI hosts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodedev.h"
#include "test-ops.h"

static const struct {
        const char *name, *parent, *cap;
        unsigned cap_flags;
        const char *xml;
} test_devs[] = {
        { "scsi_host1", "computer", "scsi_host", (1u << 5) | (1u << 9) | (1u << 10),
          "<device>\n"
          "  <name>scsi_host1</name>\n"
          "  <parent>computer</parent>\n"
          "  <capability type='scsi_host'>\n"
          "    <host>1</host>\n"
          "    <unique_id>0</unique_id>\n"
          "    <capability type='fc_host'>\n"
          "      <wwnn>2000000012341234</wwnn>\n"
          "      <wwpn>1000000012341234</wwpn>\n"
          "      <fabric_wwn>2000000043214321</fabric_wwn>\n"
          "    </capability>\n"
          "    <capability type='vport_ops'>\n"
          "      <max_vports>0</max_vports>\n"
          "      <vports>0</vports>\n"
          "    </capability>\n"
          "  </capability>\n"
          "</device>\n" },
        { "computer", "", "system", 1u << 0,
          "<device>\n"
          "  <name>computer</name>\n"
          "  <capability type='system'>\n"
          "    <hardware>\n"
          "      <vendor>Libvirt</vendor>\n"
          "      <version>Test driver</version>\n"
          "      <serial>123456</serial>\n"
          "      <uuid>11111111-2222-3333-4444-555555555555</uuid>\n"
          "    </hardware>\n"
          "    <firmware>\n"
          "      <vendor>Libvirt</vendor>\n"
          "      <version>Test Driver</version>\n"
          "      <release_date>01/22/2007</release_date>\n"
          "    </firmware>\n"
          "  </capability>\n"
          "</device>\n" },
        { "scsi_host2", "computer", "scsi_host", (1u << 5) | (1u << 9) | (1u << 10),
          "<device>\n"
          "  <name>scsi_host2</name>\n"
          "  <parent>computer</parent>\n"
          "  <capability type='scsi_host'>\n"
          "    <host>2</host>\n"
          "    <unique_id>1</unique_id>\n"
          "    <capability type='fc_host'>\n"
          "      <wwnn>2000000056785678</wwnn>\n"
          "      <wwpn>1000000056785678</wwpn>\n"
          "      <fabric_wwn>2000000087658765</fabric_wwn>\n"
          "    </capability>\n"
          "    <capability type='vport_ops'>\n"
          "      <max_vports>0</max_vports>\n"
          "      <vports>0</vports>\n"
          "    </capability>\n"
          "  </capability>\n"
          "</device>\n" },
        { "scsi_host11", "scsi_host1", "scsi_host", (1u << 5) | (1u << 9),
          "<device>\n"
          "  <name>scsi_host11</name>\n"
          "  <parent>scsi_host1</parent>\n"
          "  <capability type='scsi_host'>\n"
          "    <host>11</host>\n"
          "    <unique_id>10</unique_id>\n"
          "    <capability type='fc_host'>\n"
          "      <wwnn>2000000034563456</wwnn>\n"
          "      <wwpn>1000000034563456</wwpn>\n"
          "      <fabric_wwn>2000000043214321</fabric_wwn>\n"
          "    </capability>\n"
          "  </capability>\n"
          "</device>\n" },
};

static int test_nodedev_list(Connection *c, NodeDevList *out, VbError *err) {
        size_t n = sizeof test_devs / sizeof test_devs[0];
        out->items = calloc(n, sizeof *out->items);
        if (!out->items)
                return vb_error_errno(err, -ENOMEM, "node devices");
        for (size_t i = 0; i < n; i++) {
                NodeDev *d = &out->items[out->n++];
                snprintf(d->name, sizeof d->name, "%s", test_devs[i].name);
                snprintf(d->parent, sizeof d->parent, "%s", test_devs[i].parent);
                d->caps[d->n_caps++] = test_devs[i].cap;
                d->cap_flags = test_devs[i].cap_flags;
                if (!(d->xml = strdup(test_devs[i].xml)))
                        return vb_error_errno(err, -ENOMEM, "node devices");
        }
        return 0;
}

/* libvirt 9.0's test driver accepts the capability filters only: virsh nodedev-list's ACTIVE
 * flag gets its "unsupported flags", which virsh shows. */
const NodeDevOps test_nodedev_ops = {
        .list = test_nodedev_list,
        .list_flags = (1u << 22) - 1,
        .list_function = "testConnectListAllNodeDevices",
        .xml_desc_function = "testNodeDeviceGetXMLDesc",
        .persistent = true,
};
