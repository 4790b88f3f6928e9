/* nodedev.c: host node devices: the driver's fresh list, libvirt's capability filters, lookups and texts. */
#include "nodedev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "driver.h"
#include "manager.h"

/* libvirt's capability names in the order of the VIR_CONNECT_LIST_NODE_DEVICES_CAP_* bits. */
static const char *const cap_names[] = {
        "system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi", "storage", "fc_host",
        "vports", "scsi_generic", "drm", "mdev_types", "mdev", "ccw", "css", "vdpa", "ap_card", "ap_queue",
        "ap_matrix", "vpd",
};

unsigned nodedev_cap_flag(const char *cap) {
        for (size_t i = 0; cap && i < sizeof cap_names / sizeof cap_names[0]; i++)
                if (strcmp(cap_names[i], cap) == 0)
                        return 1u << i;
        return 0;
}

void nodedev_done(NodeDev *d) {
        if (d) {
                free(d->xml);
                d->xml = NULL;
        }
}

void nodedev_list_done(NodeDevList *l) {
        for (size_t i = 0; l && i < l->n; i++)
                nodedev_done(&l->items[i]);
        if (l) {
                free(l->items);
                *l = (NodeDevList) { 0 };
        }
}

static int fetch(Connection *c, ApiId api, NodeDevList *out, VbError *err) {
        *out = (NodeDevList) { 0 };
        const NodeDevOps *ops = c->driver->nodedevs;
        if (!ops || !ops->list) {
                const ApiRow *row = api_row(api);
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "%s", row ? row->name : "virNodeDevice");
        }
        if (ops->list(c, out, err) < 0) {
                nodedev_list_done(out);
                return -1;
        }
        if (out->n > NODEDEV_MAX) {
                nodedev_list_done(out);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "more than %d node devices", NODEDEV_MAX);
        }
        return 0;
}

static void keep_matching(NodeDevList *l, unsigned caps) {
        if (!caps)
                return;
        size_t kept = 0;
        for (size_t i = 0; i < l->n; i++) {
                if (l->items[i].cap_flags & caps)
                        l->items[kept++] = l->items[i];
                else
                        nodedev_done(&l->items[i]);
        }
        l->n = kept;
}

int nodedev_list(Connection *c, unsigned flags, NodeDevList *out, VbError *err) {
        const NodeDevOps *ops = c->driver->nodedevs;
        if (ops && vb_check_flags(flags, ops->list_flags, ops->list_function, err) < 0)
                return -1;
        if (fetch(c, API_CONNECT_LIST_ALL_NODE_DEVICES, out, err) < 0)
                return -1;
        keep_matching(out, flags & ((1u << 30) - 1));
        if ((flags & (3u << 30)) == (1u << 30))         /* INACTIVE alone: the devices listed are all active */
                nodedev_list_done(out);
        return 0;
}

int nodedev_list_cap(Connection *c, const char *cap, unsigned flags, NodeDevList *out, VbError *err) {
        if (vb_check_flags(flags, 0, "virNodeListDevices", err) < 0)
                return -1;
        if (fetch(c, API_NODE_NUM_OF_DEVICES, out, err) < 0)
                return -1;
        if (cap) {
                unsigned f = nodedev_cap_flag(cap);
                if (!f) {
                        nodedev_list_done(out);
                        return 0;       /* a capability nothing has */
                }
                keep_matching(out, f);
        }
        return 0;
}

int nodedev_by_name(Connection *c, const char *name, NodeDev *out, VbError *err) {
        NodeDevList l;
        if (fetch(c, API_NODE_DEVICE_LOOKUP_BY_NAME, &l, err) < 0)
                return -1;
        for (size_t i = 0; i < l.n; i++)
                if (strcmp(l.items[i].name, name) == 0) {
                        *out = l.items[i];
                        l.items[i].xml = NULL;
                        nodedev_list_done(&l);
                        return 0;
                }
        nodedev_list_done(&l);
        return vb_error_set(err, VB_ERR_NO_NODE_DEVICE, (VbErrorFrom) c->driver->error_from,
                            "no node device with matching name '%s'", name);
}

char *nodedev_xml(Connection *c, const NodeDev *d, unsigned flags, VbError *err) {
        const NodeDevOps *ops = c->driver->nodedevs;
        if (vb_check_flags(flags, 0, ops && ops->xml_desc_function ? ops->xml_desc_function : "virNodeDeviceGetXMLDesc",
                           err) < 0)
                return NULL;
        char *s = strdup(d->xml ? d->xml : "");
        if (!s)
                vb_error_errno(err, -ENOMEM, "node device XML");
        return s;
}
