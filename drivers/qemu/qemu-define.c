/* qemu-define.c: what the QEMU driver settles when a domain is defined, as libvirt does: the versioned machine type that keeps the guest's hardware across QEMU upgrades. */
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "log.h"
#include "qemu-driver.h"

/* A machine alias ("pc", "q35") or no machine at all becomes the versioned type QEMU names for
 * it ("pc-i440fx-7.2"), and that is what the persistent definition keeps: every later start
 * gets the same virtual hardware whatever QEMU is installed then. Without the probe of the
 * binary (still running right after the daemon started) the alias is kept as written. */
int qemu_domain_post_parse(Connection *c, DomainDef *def, VbError *err) {
        QemuConn *qc = c->driver_data;
        DomainOs *os = &def->priv->os;
        const char *binary = def->priv->devices.emulator ? def->priv->devices.emulator
                           : qc && qc->cfg.emulator ? qc->cfg.emulator : QEMU_EMULATOR_DEFAULT;
        QemuCaps *caps = qc ? qemu_caps_cache_lookup(qc->caps, binary) : NULL;
        if (!caps) {
                log_info("domain %s: machine type '%s' kept unresolved: %s is not probed yet", def->name,
                         os->machine ? os->machine : "(default)", binary);
                return 0;
        }
        const QemuMachine *m = os->machine ? qemu_caps_find_machine(caps, os->machine)
                                           : qemu_caps_default_machine(caps);
        if (!m) {
                if (!os->machine)
                        return 0;
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "Emulator '%s' does not support machine type '%s'", binary, os->machine);
        }
        if (os->machine && strcmp(os->machine, m->name) == 0)
                return 0;
        char *name = strdup(m->name);
        if (!name)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        free(os->machine);
        os->machine = name;
        return 0;
}
