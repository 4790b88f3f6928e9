/* qemu-sysinfo.c: virConnectGetSysinfo on QEMU connections: the host's SMBIOS facts (lib/sysinfo.c), or libvirt's refusal on a host without them. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>

#include "sysinfo.h"

char *qemu_sysinfo(Connection *c, VbError *err) {
        char *xml = NULL;
        int r = sysinfo_smbios_xml("", &xml);
        if (r == -ENOENT)
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, "Host SMBIOS information is not available");
        else if (r < 0)
                vb_error_errno(err, r, "host SMBIOS information");
        return r < 0 ? NULL : xml;
}
