/* domain-alias.c: a device's <alias name='…'/>, for every kind that has one: the driver's names of a running guest's devices, a user's "ua-" ones. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
