/* proc-domain-net.c: a domain's network interfaces: virDomainInterfaceAddresses (virDomainUpdateDeviceFlags, a NIC's link, is proc-domain-hotplug.c's). */
#include "dispatch.h"

#include <stdlib.h>

#include "domain-agent.h"
#include "domain-ifaddr.h"

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
        uint32_t source = 0, flags = 0;
        Domain *d = remote_read_domain_u32(rc, &source, &flags);
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
