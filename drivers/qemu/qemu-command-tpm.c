/* qemu-command-tpm.c: <tpm> with the swtpm emulator on the command line (the socket the driver's swtpm listens on), and the refusal of the backends the driver does not run. */
#include "qemu-command-priv.h"

#include <string.h>

const DomainTpm *qemu_tpm_emulator(const DomainDef *def) {
        const DomainDevices *d = def && def->priv ? &def->priv->devices : NULL;
        for (size_t i = 0; d && i < d->n_tpms; i++)
                if (qemu_str_eq(d->tpms[i].backend_type, "emulator"))
                        return &d->tpms[i];
        return NULL;
}

/* libvirt's ids: chardev "chrtpm", backend "tpm-tpm0", device "tpm0" (or the alias). */
int qemu_cmd_tpms(QemuCmd *c) {
        const DomainDevices *d = c->devs;
        if (!d->n_tpms)
                return 0;
        if (d->n_tpms > 1)
                return qemu_cmd_unsupported(c, "only a single TPM non-proxy device is supported");
        const DomainTpm *t = &d->tpms[0];
        const char *backend = t->backend_type ? t->backend_type : "";
        if (strcmp(backend, "emulator") != 0)
                return qemu_cmd_unsupported(c, "<tpm> with backend '%s' is not supported yet (only 'emulator' is)",
                                            backend);
        /* libvirt's default model on x86 is tpm-tis; tpm-crb is what virt-install writes. */
        const char *model = t->model ? t->model : "tpm-tis";
        if (strcmp(model, "tpm-tis") != 0 && strcmp(model, "tpm-crb") != 0)
                return qemu_cmd_unsupported(c, "TPM model '%s' is not supported by the QEMU driver", model);
        if (t->backend_version && strcmp(t->backend_version, "2.0") != 0)
                return qemu_cmd_unsupported(c, "TPM version '%s' is not supported (only 2.0 is)", t->backend_version);
        const char *sock = c->in->tpm_socket_path;
        if (!sock || !*sock)
                return vb_error_set(c->err, VB_ERR_NO_SUPPORT, VB_FROM_QEMU, "<tpm> emulator (no swtpm runs for it)");
        if (t->alias && !qemu_token_ok(t->alias))
                return qemu_cmd_unsupported(c, "TPM alias '%s' is not usable as a QEMU id", t->alias);
        const char *id = t->alias ? t->alias : "tpm0";
        QemuStr s = { 0 };
        qstr_printf(&s, "socket,id=chrtpm");
        qstr_kv(&s, "path", sock);
        qemu_cmd_opt(c, "-chardev", &s);
        qemu_cmd_arg(c, "-tpmdev");
        qemu_cmd_argf(c, "emulator,id=tpm-%s,chardev=chrtpm", id);
        qemu_cmd_arg(c, "-device");
        qemu_cmd_argf(c, "%s,tpmdev=tpm-%s,id=%s", model, id, id);
        return 0;
}
