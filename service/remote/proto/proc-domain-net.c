/* proc-domain-net.c: a domain's network interfaces: virDomainInterfaceAddresses, virDomainUpdateDeviceFlags (a NIC's link). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-ifaddr.h"
#include "domain-update.h"

/* {dom; u32 source; u32 flags} → {iface ifaces<>} with iface = {string name; string? hwaddr;
 * {int type; string addr; u32 prefix} addrs<>} */
REMOTE_HANDLER(proc_domain_interface_addresses) {
        RemoteRef ref = { 0 };
        uint32_t source = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &source);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) == 0 ? remote_find_domain(rc, &ref) : NULL;
        remote_ref_done(&ref);
        DomainIfaceAddrs *a = NULL;
        size_t n = 0;
        if (!d || domain_interface_addresses(d, source, flags, &a, &n, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (size_t i = 0; i < n; i++) {
                xdr_put_string(&rc->ret, a[i].name);
                xdr_put_opt_string(&rc->ret, a[i].hwaddr);
                xdr_put_u32(&rc->ret, (uint32_t) a[i].n_leases);
                for (size_t j = 0; j < a[i].n_leases; j++) {
                        xdr_put_i32(&rc->ret, a[i].leases[j].type);
                        xdr_put_string(&rc->ret, a[i].leases[j].ipaddr);
                        xdr_put_u32(&rc->ret, a[i].leases[j].prefix);
                }
        }
        domain_iface_addrs_free(a, n);
        return 0;
}

/* {dom; string xml; u32 flags} → {}: QEMU's set_link answers later. */
REMOTE_HANDLER(proc_domain_update_device_flags) {
        RemoteRef ref = { 0 };
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) == 0 ? remote_find_domain(rc, &ref) : NULL;
        remote_ref_done(&ref);
        if (!d) {
                free(xml);
                return -1;
        }
        Call *call = remote_call_new(rc, NULL, d);
        if (!call) {
                free(xml);
                return vb_error_errno(&rc->err, -ENOMEM, "pending call");
        }
        int r = domain_update_device(d, xml, len, flags, call, &rc->err);
        free(xml);
        return remote_call_finish(rc, call, r);
}
