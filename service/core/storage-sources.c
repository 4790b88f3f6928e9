/* storage-sources.c: virConnectFindStoragePoolSources: the host's storage subsystem scans for
 * sources of a pool type (the physical volumes of logical pools) and answers with libvirt's
 * <sources> XML. */
#include "storage.h"

#include "driver.h"
#include "host.h"

int pool_find_sources(Connection *c, const char *type, const char *spec, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, 0, "virConnectFindStoragePoolSources", err) < 0)
                return -1;
        if (!c->storage || !c->storage->ops->find_sources || !call)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE, "%s", "virConnectFindStoragePoolSources");
        return c->storage->ops->find_sources(c, type, spec, call, err);
}
