/* domain-device.c: one device element parsed alone, by putting it under a <devices> of its own. */
#include "domain-device.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"
#include "xml-util.h"

static const char *const modelled[] = {
        "disk", "controller", "interface", "serial", "console", "channel", "input", "tpm", "graphics",
        "sound", "video", "redirdev", "hub", "watchdog", "memballoon", "rng", "panic", "memory",
};

DomainDevices *domain_device_parse(const char *xml, size_t len, const char **kind, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, NULL, "device_definition", err);
        if (!doc)
                return NULL;
        xmlNodePtr root = xmlDocGetRootElement(doc);
        const char *name = "";
        for (size_t i = 0; i < sizeof modelled / sizeof modelled[0]; i++)
                if (xmlStrEqual(root->name, BAD_CAST modelled[i]))
                        name = modelled[i];
        if (kind)
                *kind = name;
        DomainDevices *dev = calloc(1, sizeof *dev);
        xmlNodePtr wrap = dev ? xmlNewDocNode(doc, NULL, BAD_CAST "devices", NULL) : NULL;
        if (!wrap) {
                free(dev);
                xmlFreeDoc(doc);
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
                return NULL;
        }
        xmlUnlinkNode(root);
        xmlDocSetRootElement(doc, wrap);
        xmlAddChild(wrap, root);
        int r = domain_devices_parse(dev, wrap, 0, err);
        xmlFreeDoc(doc);
        if (r < 0)
                return domain_device_free(dev);
        return dev;
}

DomainDevices *domain_device_free(DomainDevices *dev) {
        if (dev) {
                domain_devices_free(dev);
                free(dev);
        }
        return NULL;
}

/* Move element i (of size bytes) of *from_arr to the end of *to_arr. */
static int move_elem(void **to_arr, size_t *to_n, void *from_arr, size_t *from_n, size_t i, size_t size) {
        if (i >= *from_n)
                return -EINVAL;
        char *v = realloc(*to_arr, (*to_n + 1) * size);
        if (!v)
                return -ENOMEM;
        *to_arr = v;
        char *f = from_arr;
        memcpy(v + *to_n * size, f + i * size, size);
        (*to_n)++;
        memmove(f + i * size, f + (i + 1) * size, (*from_n - i - 1) * size);
        (*from_n)--;
        return 0;
}

int domain_devices_move_disk(DomainDevices *to, DomainDevices *from, size_t i) {
        return move_elem((void **) &to->disks, &to->n_disks, from->disks, &from->n_disks, i, sizeof to->disks[0]);
}

void domain_devices_remove_disk(DomainDevices *d, size_t i) {
        if (i >= d->n_disks)
                return;
        domain_disk_clear(&d->disks[i]);
        memmove(&d->disks[i], &d->disks[i + 1], (d->n_disks - i - 1) * sizeof d->disks[0]);
        d->n_disks--;
}

long domain_devices_find_disk(const DomainDevices *d, const char *target_dev) {
        for (size_t i = 0; target_dev && i < d->n_disks; i++)
                if (d->disks[i].target_dev && strcmp(d->disks[i].target_dev, target_dev) == 0)
                        return (long) i;
        return -1;
}

int domain_devices_move_interface(DomainDevices *to, DomainDevices *from, size_t i) {
        return move_elem((void **) &to->interfaces, &to->n_interfaces, from->interfaces, &from->n_interfaces, i,
                         sizeof to->interfaces[0]);
}

void domain_devices_remove_interface(DomainDevices *d, size_t i) {
        if (i >= d->n_interfaces)
                return;
        domain_interface_clear(&d->interfaces[i]);
        memmove(&d->interfaces[i], &d->interfaces[i + 1], (d->n_interfaces - i - 1) * sizeof d->interfaces[0]);
        d->n_interfaces--;
}

long domain_devices_find_interface(const DomainDevices *d, const uint8_t mac[6]) {
        for (size_t i = 0; d && i < d->n_interfaces; i++)
                if (memcmp(d->interfaces[i].mac, mac, 6) == 0)
                        return (long) i;
        return -1;
}

/* Hotplug of the kinds whose fields are all in their table (input, hub, controller, channel,
 * memory): the kind's entry, or NULL for another one. */
static const DeviceKind *plain_kind(const char *name) {
        static const char *const plain[] = { "input", "hub", "controller", "channel", "memory" };
        for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
                if (name && strcmp(name, plain[i]) == 0)
                        return domain_device_kind(name);
        return NULL;
}

size_t domain_devices_count(const DomainDevices *d, const char *kind) {
        const DeviceKind *k = plain_kind(kind);
        return k ? *(const size_t *) ((const char *) d + k->count) : 0;
}

int domain_devices_move(DomainDevices *to, DomainDevices *from, const char *kind, size_t i) {
        const DeviceKind *k = plain_kind(kind);
        if (!k)
                return -EINVAL;
        size_t *from_n = (size_t *) ((char *) from + k->count);
        return move_elem((void **) ((char *) to + k->array), (size_t *) ((char *) to + k->count),
                         *(void **) ((char *) from + k->array), from_n, i, k->size);
}

void domain_devices_remove(DomainDevices *d, const char *kind, size_t i) {
        const DeviceKind *k = plain_kind(kind);
        size_t *n = k ? (size_t *) ((char *) d + k->count) : NULL;
        if (!k || i >= *n)
                return;
        char *arr = *(char **) ((char *) d + k->array);
        xml_fields_free(k->fields, k->n_fields, arr + i * k->size);
        memmove(arr + i * k->size, arr + (i + 1) * k->size, (*n - i - 1) * k->size);
        (*n)--;
}
