/* domain-fdgroup.c: the fd groups of virDomainFDAssociate, each held for (domain, name) until its client goes. */
#define LOG_MODULE "domain"
#include "domain-fdgroup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "driver.h"
#include "log.h"

typedef struct FdGroup {
        struct FdGroup *next;
        Domain *domain;         /* a reference */
        const void *owner;
        char *name;
        int *fds;
        size_t n;
        unsigned flags;
} FdGroup;

static FdGroup *groups;

static void close_all(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
}

static void group_free(FdGroup *g) {
        close_all(g->fds, g->n);
        free(g->fds);
        free(g->name);
        domain_unref(g->domain);
        free(g);
}

static FdGroup **group_slot(const Domain *d, const char *name) {
        FdGroup **p = &groups;
        while (*p && ((*p)->domain != d || strcmp((*p)->name, name) != 0))
                p = &(*p)->next;
        return p;
}

static int check_args(Domain *d, const char *name, size_t n, unsigned flags, VbError *err) {
        const Driver *drv = d->obj.conn->driver;
        if (!drv->domain || !drv->domain->fd_groups)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainFDAssociate");
        if (vb_check_flags(flags, DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE | DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE,
                           "virDomainFDAssociate", err) < 0)
                return -1;
        if (!name || !*name)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "name in virDomainFDAssociate must not be empty");
        if (n == 0 || n > DOMAIN_FD_GROUP_FDS_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "nfds in virDomainFDAssociate must be between 1 and %d", DOMAIN_FD_GROUP_FDS_MAX);
        return 0;
}

int domain_fd_associate(Domain *d, const void *owner, const char *name, int *fds, size_t n, unsigned flags,
                        VbError *err) {
        if (check_args(d, name, n, flags, err) < 0) {
                close_all(fds, n);
                return -1;
        }
        FdGroup *g = calloc(1, sizeof *g);
        if (g) {
                g->name = strdup(name);
                g->fds = malloc(n * sizeof *g->fds);
        }
        if (!g || !g->name || !g->fds) {
                if (g) {
                        free(g->name);
                        free(g->fds);
                        free(g);
                }
                close_all(fds, n);
                return vb_error_errno(err, -ENOMEM, "fd group");
        }
        memcpy(g->fds, fds, n * sizeof *fds);
        g->n = n;
        g->flags = flags;
        g->owner = owner;
        g->domain = domain_ref(d);
        FdGroup **slot = group_slot(d, name);
        if (*slot) {    /* the same name again: the new descriptors replace the old ones */
                g->next = (*slot)->next;
                group_free(*slot);
        }
        *slot = g;
        log_debug("domain %s: fd group '%s' of %zu descriptor(s)", d->obj.name, name, n);
        return 0;
}

void domain_fd_groups_release(const void *owner) {
        FdGroup **p = &groups;
        while (*p) {
                FdGroup *g = *p;
                if (g->owner != owner) {
                        p = &g->next;
                        continue;
                }
                *p = g->next;
                log_debug("domain %s: fd group '%s' released with its client", g->domain->obj.name, g->name);
                group_free(g);
        }
}

const int *domain_fd_group_find(const Domain *d, const char *name, size_t *n, VbError *err) {
        FdGroup *g = name ? *group_slot(d, name) : NULL;
        if (!g) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                             "file descriptor group '%s' was not associated with the domain", name ? name : "");
                return NULL;
        }
        *n = g->n;
        return g->fds;
}
