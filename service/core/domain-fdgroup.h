/* domain-fdgroup.h: virDomainFDAssociate: descriptors a client keeps with a domain under a name, for disks' <source fdgroup='NAME'>, until the client goes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct Domain Domain;

enum {
        DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE = 1u << 0,  /* VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE */
        DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE = 1u << 1, /* VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE */
};
#define DOMAIN_FD_GROUP_FDS_MAX 32      /* what one call can bring (the remote door's limit) */

/* Keep fds[0..n) (taken in every case: closed on failure) under name for d, owned by owner (a
 * door's client: released with domain_fd_groups_release(owner)). A group of the same name is
 * replaced, as libvirt does. "not supported" when d's driver has no fd groups
 * (DomainOps.fd_groups); n 0, an empty name or unknown flags: an error, nothing kept. */
int domain_fd_associate(Domain *d, const void *owner, const char *name, int *fds, size_t n, unsigned flags,
                        VbError *err);

/* The client owner went: close its groups (of every domain). */
void domain_fd_groups_release(const void *owner);

/* The descriptors d keeps under name (the group keeps them: the caller duplicates what it
 * passes on), or NULL with err set to libvirt's "file descriptor group 'NAME' was not associated
 * with the domain". */
const int *domain_fd_group_find(const Domain *d, const char *name, size_t *n, VbError *err);
