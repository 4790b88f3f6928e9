/* proc-domain-net.c: a domain's network interfaces: virDomainInterfaceAddresses, virDomainUpdateDeviceFlags (a NIC's link). */
#include "dispatch.h"

#include <errno.h>
#include <stdlib.h>

#include "domain-agent.h"
#include "domain-ifaddr.h"
#include "domain-update.h"

/* {iface ifaces<>} with iface = {string name; string? hwaddr; {int type; string addr; u32 prefix} addrs<>} */
static void put_iface_addrs(XdrWriter *w, const DomainIfaceAddrsList *l) {
        xdr_put_u32(w, (uint32_t) l->n);
        for (size_t i = 0; i < l->n; i++) {
                xdr_put_string(w, l->v[i].name);
                xdr_put_opt_string(w, l->v[i].hwaddr);
                xdr_put_u32(w, (uint32_t) l->v[i].n_leases);
                for (size_t j = 0; j < l->v[i].n_leases; j++) {
                        xdr_put_i32(w, l->v[i].leases[j].type);
                        xdr_put_string(w, l->v[i].leases[j].ipaddr);
                        xdr_put_u32(w, l->v[i].leases[j].prefix);
                }
        }
}

/* The guest agent's answer, later. */
static int encode_iface_addrs(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        if (result)
                put_iface_addrs(w, result);
        return 0;
}

/* {dom; u32 source; u32 flags} → {iface ifaces<>}: leases now, the agent's answer later. */
REMOTE_HANDLER(proc_domain_interface_addresses) {
        RemoteRef ref = { 0 };
        uint32_t source = 0, flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_u32(&rc->args, &source);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_args_end(rc) == 0 ? remote_find_domain(rc, &ref) : NULL;
        remote_ref_done(&ref);
        Call *call = d ? remote_call_new(rc, encode_iface_addrs, d) : NULL;
        if (!call)
                return -1;
        DomainIfaceAddrsList l = { 0 };
        int r = domain_interface_addresses_call(d, source, flags, call, &l, &rc->err);
        if (r == 0)
                put_iface_addrs(&rc->ret, &l);
        domain_iface_addrs_free(l.v, l.n);
        return remote_call_finish(rc, call, r);
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
