/* domain-device.h: one device element alone (virDomainUpdateDeviceFlags' argument), parsed as <devices> parses it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "domain-model.h"
#include "error.h"

/* Parse xml, which must be one device element (<interface>, <disk>, …), into a DomainDevices
 * that holds just it; *kind (may be NULL) receives the element's name (static storage, from
 * the device table, or "" for a kind conf does not model). The same limits and checks as a
 * domain definition (size, depth, no DOCTYPE, the device's own fields and MAC). */
DomainDevices *domain_device_parse(const char *xml, size_t len, const char **kind, VbError *err);
DomainDevices *domain_device_free(DomainDevices *dev);
/* A hotplug's device add may join have: -1 with libvirt's "non unique alias detected: ua-x"
 * when a user's alias of add names a device of have already (a user's alias names one). */
int domain_devices_aliases_free(const DomainDevices *have, const DomainDevices *add, VbError *err);

/* Hotplug (virDomainAttachDevice/DetachDevice): move disk i of from to the end of to's disks
 * (from no longer holds it); 0, or -ENOMEM with both unchanged. */
int domain_devices_move_disk(DomainDevices *to, DomainDevices *from, size_t i);
/* Remove disk i of d (freed); the disks after it move up. */
void domain_devices_remove_disk(DomainDevices *d, size_t i);
/* The index of the disk with target dev name in d, or -1. */
long domain_devices_find_disk(const DomainDevices *d, const char *target_dev);

/* The same for interfaces (NIC hotplug); an interface is found by its MAC. */
int domain_devices_move_interface(DomainDevices *to, DomainDevices *from, size_t i);
void domain_devices_remove_interface(DomainDevices *d, size_t i);
long domain_devices_find_interface(const DomainDevices *d, const uint8_t mac[6]);

/* The same for the kinds held by their field table alone ("input", "hub", "controller",
 * "channel"; -EINVAL / nothing / 0 for another kind): move element i of from's kind to the
 * end of to's, remove element i, count them. */
int domain_devices_move(DomainDevices *to, DomainDevices *from, const char *kind, size_t i);
void domain_devices_remove(DomainDevices *d, const char *kind, size_t i);
size_t domain_devices_count(const DomainDevices *d, const char *kind);
