/* domain-device.h: one device element alone (virDomainUpdateDeviceFlags' argument), parsed as <devices> parses it. */
#pragma once

#include <stddef.h>

#include "domain-model.h"
#include "error.h"

/* Parse xml, which must be one device element (<interface>, <disk>, …), into a DomainDevices
 * that holds just it; *kind (may be NULL) receives the element's name (static storage, from
 * the device table, or "" for a kind conf does not model). The same limits and checks as a
 * domain definition (size, depth, no DOCTYPE, the device's own fields and MAC). */
DomainDevices *domain_device_parse(const char *xml, size_t len, const char **kind, VbError *err);
DomainDevices *domain_device_free(DomainDevices *dev);
