/* qemu-define.c: what the QEMU driver settles when a domain is defined, as libvirt does: the versioned machine type that keeps the guest's hardware across QEMU upgrades. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "manager.h"
#include "qemu-command.h"
#include "qemu-priv.h"
#include "qemu-firmware.h"
#include "qemu-tpm.h"

static int qemu_domain_resolve_machine(Connection *c, DomainDef *def, VbError *err);

/* A machine alias ("pc", "q35") or no machine at all becomes the versioned type QEMU names for
 * it ("pc-i440fx-7.2"), and that is what the persistent definition keeps: every later start
 * gets the same virtual hardware whatever QEMU is installed then. Without the probe of the
 * binary (still running right after the daemon started) the alias is kept as written. */
static int set_str(char **field, const char *v) {
        char *s = strdup(v);
        if (!s)
                return -1;
        free(*field);
        *field = s;
        return 0;
}

/* The machine as firmware descriptors name it: an alias not resolved yet stands for its family. */
static const char *firmware_machine(const DomainOs *os) {
        if (!os->machine || strcmp(os->machine, "pc") == 0)
                return "pc-i440fx-0";
        return strcmp(os->machine, "q35") == 0 ? "pc-q35-0" : os->machine;
}

/* <os firmware='efi'> without a <loader>: the first UEFI firmware QEMU's descriptors offer for
 * the machine (Debian's: Secure Boot with Microsoft's keys on q35, plain OVMF on i440fx), with
 * its variable store as the template of the guest's own NVRAM. A pflash <loader> without
 * <nvram> gets the NVRAM its descriptor names. Written into the definition, so every start
 * uses the same firmware (libvirt 9.0 chooses at each start and keeps only firmware='efi'). */
static int qemu_define_firmware(Connection *c, DomainDef *def, VbError *err) {
        DomainOs *os = &def->priv->os;
        bool autoselect = os->firmware && strcmp(os->firmware, "efi") == 0 && !os->loader;
        bool need_vars = os->loader && os->loader_type && strcmp(os->loader_type, "pflash") == 0 && !os->nvram &&
                         !(os->loader_readonly && strcmp(os->loader_readonly, "no") == 0);
        if (!autoselect && !need_vars)
                return 0;
        QemuFirmware fw;
        int r = qemu_firmware_find(os->arch ? os->arch : "x86_64", firmware_machine(os),
                                   autoselect ? NULL : os->loader, &fw);
        if (r == -ENOENT)
                return autoselect ? vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                                 "Unable to find any firmware to satisfy 'efi'")
                                  : vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                                 "unable to find any master var store for loader: %s", os->loader);
        if (r < 0)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        char *nvram = NULL;
        bool ok = asprintf(&nvram, "%s/qemu/nvram/%s_VARS.fd", c->manager->state_root, def->name) >= 0;
        if (ok && autoselect)
                ok = set_str(&os->loader, fw.executable) == 0 && set_str(&os->loader_type, "pflash") == 0 &&
                     set_str(&os->loader_readonly, "yes") == 0 &&
                     set_str(&os->loader_secure, fw.secure_boot ? "yes" : "no") == 0 &&
                     (!fw.requires_smm || def->priv->features.smm_state ||
                      set_str(&def->priv->features.smm_state, "on") == 0);
        ok = ok && (os->nvram_template || set_str(&os->nvram_template, fw.nvram_template) == 0) &&
             set_str(&os->nvram, nvram) == 0;
        free(nvram);
        qemu_firmware_clear(&fw);
        return ok ? 0 : vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
}

int qemu_domain_post_parse(Connection *c, DomainDef *def, VbError *err) {
        if (qemu_domain_resolve_machine(c, def, err) < 0)
                return -1;
        if (qemu_define_usb_addresses(def, err) < 0)
                return -1;
        QemuConn *qc = c->driver_data;
        if (qemu_define_pci_addresses(def, qc ? qc->cfg.machine_type : NULL, !c->keep_layout, err) < 0)
                return -1;
        return qemu_define_firmware(c, def, err);
}

static int qemu_domain_resolve_machine(Connection *c, DomainDef *def, VbError *err) {
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

/* ---- undefine: the guest's NVRAM goes with its definition only when asked ---- */

#define UNDEFINE_NVRAM 4u
#define UNDEFINE_KEEP_NVRAM 8u
#define UNDEFINE_MANAGED_SAVE 1u

static const char *nvram_of(const DomainDef *def) {
        return def && def->priv->os.nvram && access(def->priv->os.nvram, F_OK) == 0 ? def->priv->os.nvram : NULL;
}

/* libvirt's rule: a domain whose NVRAM exists is undefined with --nvram (the file goes) or
 * --keep-nvram (it stays), never silently either way. */
int qemu_domain_undefine_check(Domain *d, unsigned flags, VbError *err) {
        if (qemu_tpm_undefine_check(flags, err) < 0)
                return -1;
        if ((flags & UNDEFINE_NVRAM) && (flags & UNDEFINE_KEEP_NVRAM))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cannot both keep and delete nvram");
        if (nvram_of(d->def) && !(flags & (UNDEFINE_NVRAM | UNDEFINE_KEEP_NVRAM)))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cannot undefine domain with nvram");
        /* A managed save image goes only with --managed-save (libvirt's rule). */
        char *image = qemu_domain_managed_save_path(d);
        bool has_image = image && access(image, F_OK) == 0;
        free(image);
        if (has_image && !(flags & UNDEFINE_MANAGED_SAVE))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "Refusing to undefine while domain managed save image exists");
        return 0;
}

void qemu_domain_undefined(Domain *d, const DomainDef *def, unsigned flags) {
        const char *nvram = nvram_of(def);
        if (nvram && (flags & UNDEFINE_NVRAM) && unlink(nvram) < 0)
                log_warning("domain %s: cannot remove NVRAM %s: %s", d->obj.name, nvram, strerror(errno));
        char *image = (flags & UNDEFINE_MANAGED_SAVE) ? qemu_domain_managed_save_path(d) : NULL;
        if (image && unlink(image) < 0 && errno != ENOENT)
                log_warning("domain %s: cannot remove managed save image %s: %s", d->obj.name, image, strerror(errno));
        free(image);
        qemu_tpm_undefined(d, def, flags);   /* the TPM's state goes unless KEEP_TPM */
}
