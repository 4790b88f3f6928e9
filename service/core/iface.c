/* iface.c: host network interfaces: the driver's fresh list, libvirt's filters, lookups by name and MAC, and its error texts. */
#include "iface.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "driver.h"
#include "manager.h"

#define LIST_INACTIVE 1u        /* VIR_CONNECT_LIST_INTERFACES_INACTIVE */
#define LIST_ACTIVE 2u          /* VIR_CONNECT_LIST_INTERFACES_ACTIVE */

void host_iface_done(HostIface *i) {
        if (!i)
                return;
        free(i->xml);
        i->xml = NULL;
}

void host_iface_list_done(HostIfaceList *l) {
        for (size_t i = 0; l && i < l->n; i++)
                host_iface_done(&l->items[i]);
        if (l) {
                free(l->items);
                *l = (HostIfaceList) { 0 };
        }
}

static int unsupported(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NONE, "%s", row ? row->name : "virInterface");
}

static int fetch(Connection *c, ApiId api, HostIfaceList *out, VbError *err) {
        *out = (HostIfaceList) { 0 };
        const HostIfaceOps *ops = c->driver->interfaces;
        if (!ops || !ops->list)
                return unsupported(api, err);
        if (ops->list(c, out, err) < 0) {
                host_iface_list_done(out);
                return -1;
        }
        if (out->n > HOST_IFACE_MAX) {
                host_iface_list_done(out);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NONE, "more than %d host interfaces",
                                    HOST_IFACE_MAX);
        }
        return 0;
}

int host_iface_list(Connection *c, unsigned flags, HostIfaceList *out, VbError *err) {
        if (api_check_flags(api_row(API_CONNECT_LIST_ALL_INTERFACES), flags, err) < 0)
                return -1;
        if (fetch(c, API_CONNECT_LIST_ALL_INTERFACES, out, err) < 0)
                return -1;
        if (!(flags & (LIST_ACTIVE | LIST_INACTIVE)))
                return 0;
        size_t kept = 0;
        for (size_t i = 0; i < out->n; i++) {
                bool keep = out->items[i].active ? (flags & LIST_ACTIVE) : (flags & LIST_INACTIVE);
                if (keep)
                        out->items[kept++] = out->items[i];
                else
                        host_iface_done(&out->items[i]);
        }
        out->n = kept;
        return 0;
}

int host_iface_count(Connection *c, bool active, VbError *err) {
        HostIfaceList l;
        if (fetch(c, active ? API_CONNECT_NUM_OF_INTERFACES : API_CONNECT_NUM_OF_DEFINED_INTERFACES, &l, err) < 0)
                return -1;
        int n = 0;
        for (size_t i = 0; i < l.n; i++)
                n += l.items[i].active == active;
        host_iface_list_done(&l);
        return n;
}

/* Take item i out of the list into *out (the list keeps no reference to its xml). */
static int take(HostIfaceList *l, size_t i, HostIface *out) {
        *out = l->items[i];
        l->items[i].xml = NULL;
        host_iface_list_done(l);
        return 0;
}

int host_iface_by_name(Connection *c, const char *name, HostIface *out, VbError *err) {
        HostIfaceList l;
        if (fetch(c, API_INTERFACE_LOOKUP_BY_NAME, &l, err) < 0)
                return -1;
        for (size_t i = 0; i < l.n; i++)
                if (strcmp(l.items[i].name, name) == 0)
                        return take(&l, i, out);
        host_iface_list_done(&l);
        return vb_error_set(err, VB_ERR_NO_INTERFACE, (VbErrorFrom) c->driver->error_from,
                            "no interface with matching name '%s'", name);
}

int host_iface_by_mac(Connection *c, const char *mac, HostIface *out, VbError *err) {
        HostIfaceList l;
        if (fetch(c, API_INTERFACE_LOOKUP_BY_MAC_STRING, &l, err) < 0)
                return -1;
        for (size_t i = 0; i < l.n; i++)
                if (strcasecmp(l.items[i].mac, mac) == 0)
                        return take(&l, i, out);
        host_iface_list_done(&l);
        return vb_error_set(err, VB_ERR_NO_INTERFACE, (VbErrorFrom) c->driver->error_from,
                            "no interface with matching mac '%s'", mac);
}

char *host_iface_xml(Connection *c, const HostIface *i, unsigned flags, VbError *err) {
        const HostIfaceOps *ops = c->driver->interfaces;
        if (vb_check_flags(flags, ops ? ops->xml_flags : 0, ops && ops->xml_desc_function ? ops->xml_desc_function : "virInterfaceGetXMLDesc",
                           err) < 0)
                return NULL;
        char *s = strdup(i->xml ? i->xml : "");
        if (!s)
                vb_error_errno(err, -ENOMEM, "interface XML");
        return s;
}
