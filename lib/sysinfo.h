/* sysinfo.h: the host's SMBIOS facts as libvirt's <sysinfo type='smbios'> XML, from /sys/class/dmi/id and the raw table /sys/firmware/dmi/tables/DMI under a root (tests give a fake tree). */
#pragma once

/* The XML (malloc'ed) in *out: 0, -ENOENT when the host has no DMI at all, or another negative errno. */
int sysinfo_smbios_xml(const char *root, char **out);
