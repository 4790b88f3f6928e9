/* security-dac.h: the DAC driver's pieces (private to drivers/security). */
#pragma once

#include "security.h"

/* Give path to uid:gid. With remember, its owner before the first guest took it is kept with
 * a reference count in trusted.virtbus.dac.* (each take counts once). */
int dac_owner_take(const char *path, uid_t uid, gid_t gid, bool remember, VbError *err);
/* Undo one take: the last one gives the file back to the remembered owner; without remember
 * (or without a record) libvirt's rule: root:root, or (record missing) left alone. */
void dac_owner_give_back(const char *path, bool remember);

/* May uid (with gid and groups) reach path (search permission on every directory above it)
 * and open it for reading, and for writing when write is true? From the mode bits, as the
 * kernel decides for a process without capabilities (ACLs are not read). 0, or a negative
 * errno (-EACCES, -ENOENT …) with *where the path component that refuses. */
int dac_check_access(const char *path, const SecurityDacConfig *c, bool write, char *where, size_t wherelen);
