/* proc-domain-seclabel.c: virDomainGetSecurityLabelList on the wire: decode → core domain-seclabel.c → encode. */
#include "dispatch.h"

#include "domain-seclabel.h"
#include "domain.h"

/* {dom} → {remote_domain_get_security_label_ret labels<64>: {char label<4097>; int enforcing}; int ret} */
REMOTE_HANDLER(proc_domain_get_security_label_list) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        static DomainSecLabel labels[DOMAIN_SECLABEL_MAX];
        int n = domain_security_label_list(d, labels, &rc->err);
        if (n < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint32_t) n);
        for (int i = 0; i < n; i++) {
                xdr_put_char_array(&rc->ret, labels[i].label);
                xdr_put_i32(&rc->ret, labels[i].enforcing ? 1 : 0);
        }
        xdr_put_i32(&rc->ret, n);
        return 0;
}
