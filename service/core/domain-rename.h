/* domain-rename.h: virDomainRename: a shut-off persistent domain gets a new name, its files with it. */
#pragma once

#include "error.h"

typedef struct Domain Domain;

/* The definition, autostart mark, snapshot metadata and managed save image (its XML renamed
 * too) move to new_name, and the driver's own files (DomainOps.rename: NVRAM). Events:
 * UNDEFINED/RENAMED under the old name, DEFINED/RENAMED under the new one. */
int domain_rename(Domain *d, const char *new_name, unsigned flags, VbError *err);
