/* domain-alias.c: a device's <alias name='…'/>, for every kind that has one: the driver's names of a running guest's devices, a user's "ua-" ones (each naming one device). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain-device.h"
#include "domain-priv.h"

long domain_device_alias_offset(const DeviceKind *k) {
        for (size_t i = 0; i < k->n_fields; i++)
                if (k->fields[i].child && strcmp(k->fields[i].child, "alias") == 0 && k->fields[i].kind == XF_STR)
                        return (long) k->fields[i].offset;
        return -1;
}

/* The <domain> above node carries id= (a running guest's XML, as the status file keeps it). */
static bool in_live_domain(xmlNodePtr node) {
        for (xmlNodePtr n = node; n; n = n->parent)
                if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *) "domain") == 0)
                        return xmlHasProp(n, (const xmlChar *) "id") != NULL;
        return false;
}

/* As libvirt: the driver names a running guest's devices (the live XML's <alias>, which
 * clients such as cockpit-machines pass to `virsh console` or detach-device-alias); a
 * definition keeps only a user's alias, "ua-" and letters, digits, '_' and '-' (libvirt drops
 * another one silently), the status file of a running guest keeps them all. */
static bool driver_alias(const char *alias) {
        static const char user_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
        return alias && (strncmp(alias, "ua-", 3) != 0 || alias[strspn(alias, user_chars)] != '\0');
}

void domain_device_alias_parsed(xmlNodePtr node, const DeviceKind *k, void *dev) {
        long off = domain_device_alias_offset(k);
        if (off < 0)
                return;
        char **alias = (char **) ((char *) dev + off);
        if (driver_alias(*alias) && !in_live_domain(node)) {
                free(*alias);
                *alias = NULL;
        }
}

const void *domain_device_without_driver_alias(const DeviceKind *k, const void *dev, size_t size,
                                               DomainDeviceCopy *copy) {
        long off = domain_device_alias_offset(k);
        if (off < 0 || size > sizeof *copy || !driver_alias(*(char *const *) ((const char *) dev + off)))
                return dev;
        memcpy(copy, dev, size);
        *(char **) ((char *) copy + off) = NULL;
        return copy;
}

static int alias_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A user's aliases ("ua-…") name one device each, as libvirt refuses at define: two devices
 * with one id would only fail later, at QEMU's start ("Duplicate ID"). A console on a serial
 * port shares that serial's alias and is not counted. Sorted, not compared pairwise, so a
 * large <devices> costs n log n. ds: the device sets taken together; kinds: the device kinds
 * (domain-devices.c's table, passed in so that this file stays below it). */
int domain_devices_aliases_check(const DomainDevices *const *ds, size_t n_ds, const DeviceKind *kinds,
                                 size_t n_kinds, VbError *err) {
        size_t n = 0, cap = 0;
        const char **all = NULL;
        int r = 0;
        for (size_t s = 0; s < n_ds && r == 0; s++) {
                const DomainDevices *d = ds[s];
                for (size_t i = 0; d && i < n_kinds && r == 0; i++) {
                        const DeviceKind *k = &kinds[i];
                        long off = domain_device_alias_offset(k);
                        if (off < 0 || strcmp(k->name, "console") == 0)
                                continue;
                        const char *array = k->size ? *(char *const *) ((const char *) d + k->array)
                                                    : (const char *) &d->memballoon;
                        size_t count = k->size ? *(const size_t *) ((const char *) d + k->count)
                                               : (d->memballoon.model ? 1 : 0);
                        size_t size = k->size ? k->size : sizeof d->memballoon;
                        for (size_t j = 0; j < count; j++) {
                                const char *a = *(char *const *) (array + j * size + off);
                                if (!a || strncmp(a, "ua-", 3) != 0)
                                        continue;
                                if (n == cap) {
                                        const char **m = realloc(all, (cap = cap ? 2 * cap : 16) * sizeof *all);
                                        if (!m) {
                                                r = vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
                                                break;
                                        }
                                        all = m;
                                }
                                all[n++] = a;
                        }
                }
        }
        if (r == 0 && n > 1) {
                qsort(all, n, sizeof *all, alias_cmp);
                for (size_t i = 1; i < n && r == 0; i++)
                        if (strcmp(all[i - 1], all[i]) == 0)
                                r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                                 "non unique alias detected: %s", all[i]);
        }
        free(all);
        return r;
}

