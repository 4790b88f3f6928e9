/* storage-pool-path.c: virStoragePoolLookupByTargetPath: the active pool whose target is the path, after libvirt's cleaning of the path. */
#include "storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "driver.h"
#include "host.h"
#include "manager.h"

/* libvirt's virFileSanitizePath: "//" → "/", "/./" → "/", no trailing "/" (but "/" itself). */
static char *sanitize_path(const char *path) {
        size_t n = strlen(path);
        char *out = malloc(n + 1);
        if (!out)
                return NULL;
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
                if (path[i] == '/' && j > 0 && out[j - 1] == '/')
                        continue;
                if (path[i] == '.' && j > 0 && out[j - 1] == '/' && (path[i + 1] == '/' || path[i + 1] == '\0'))
                        continue;       /* "/./" or a trailing "/." */
                out[j++] = path[i];
        }
        while (j > 1 && out[j - 1] == '/')
                j--;
        out[j] = '\0';
        return out;
}

StoragePool *pool_lookup_target_path(Connection *c, const char *path, VbError *err) {
        if (c->driver->own_pools) {
                /* The connection's own pools are libvirt's test driver's, which has no such call. */
                const ApiRow *row = api_row(API_STORAGE_POOL_LOOKUP_BY_TARGET_PATH);
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", row->name);
                return NULL;
        }
        char *clean = sanitize_path(path);
        if (!clean) {
                vb_error_errno(err, -ENOMEM, "storage pool lookup");
                return NULL;
        }
        StoragePool *found = NULL;
        REGISTRY_FOREACH(o, &c->storage->pools) {
                StoragePool *p = (StoragePool *) o;
                if (pool_is_active(p) && p->def->target_path && strcmp(p->def->target_path, clean) == 0) {
                        found = p;
                        break;
                }
        }
        if (!found) {
                if (strcmp(path, clean) == 0)
                        vb_error_set(err, VB_ERR_NO_STORAGE_POOL, c->storage->error_from,
                                     "no storage pool with matching target path '%s'", path);
                else
                        vb_error_set(err, VB_ERR_NO_STORAGE_POOL, c->storage->error_from,
                                     "no storage pool with matching target path '%s' (%s)", path, clean);
        }
        free(clean);
        return found;
}
