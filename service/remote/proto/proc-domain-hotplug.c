/* proc-domain-hotplug.c: virDomainAttachDevice(Flags), virDomainDetachDevice(Flags) and virDomainUpdateDeviceFlags (procs 8, 160, 13, 161, 174): one device's XML in, the answer when the driver has done it. */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-hotplug.h"
#include "domain-update.h"

typedef int (*HotplugFn)(Domain *d, const char *xml, size_t len, unsigned flags, Call *call, VbError *err);

/* {dom; string xml[; u32 flags]} → {}: the driver answers when QEMU (and for a detach, the
 * guest) has done it. The calls without flags act on the running guest, as libvirt's do. */
static int hotplug(RemoteCall *rc, HotplugFn fn, bool has_flags) {
        RemoteRef ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = DOMAIN_AFFECT_LIVE;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        if (has_flags)
                xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        if (!d) {
                free(xml);
                return -1;
        }
        Call *call = remote_call_new(rc, NULL, d);
        if (!call) {
                free(xml);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        int r = fn(d, xml, len, flags, call, &rc->err);
        free(xml);
        return remote_call_finish(rc, call, r);
}

REMOTE_HANDLER(proc_domain_attach_device) {
        return hotplug(rc, domain_attach_device, false);
}

REMOTE_HANDLER(proc_domain_attach_device_flags) {
        return hotplug(rc, domain_attach_device, true);
}

REMOTE_HANDLER(proc_domain_detach_device) {
        return hotplug(rc, domain_detach_device, false);
}

REMOTE_HANDLER(proc_domain_detach_device_flags) {
        return hotplug(rc, domain_detach_device, true);
}

/* A NIC's link: QEMU's set_link answers later. */
REMOTE_HANDLER(proc_domain_update_device_flags) {
        return hotplug(rc, domain_update_device, true);
}

/* {dom; string alias; u32 flags} → {} */
REMOTE_HANDLER(proc_domain_detach_device_alias) {
        char *alias = NULL;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_string(rc, REMOTE_STRING_MAX, &alias, &flags);
        if (!d) {
                free(alias);
                return -1;
        }
        Call *call = remote_call_new(rc, NULL, d);
        if (!call) {
                free(alias);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        int r = domain_detach_device_alias(d, alias, flags, call, &rc->err);
        free(alias);
        return remote_call_finish(rc, call, r);
}
