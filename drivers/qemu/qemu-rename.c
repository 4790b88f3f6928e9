/* qemu-rename.c: virDomainRename's part of the QEMU driver: the NVRAM file it named after the domain (qemu-define.c) follows the new name. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"
#include "manager.h"

static char *nvram_default(Domain *d, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/qemu/nvram/%s_VARS.fd", d->obj.conn->manager->state_root, name) < 0 ? NULL : p;
}

int qemu_domain_rename(Domain *d, const char *from, const char *to, DomainDef *def, VbError *err) {
        char *a = nvram_default(d, from), *b = nvram_default(d, to);
        int r = 0;
        if (!a || !b) {
                r = vb_error_errno(err, -ENOMEM, "rename");
        } else if (access(a, F_OK) == 0) {
                if (access(b, F_OK) == 0)
                        r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "NVRAM file '%s' exists already", b);
                else if (rename(a, b) < 0)
                        r = vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot move NVRAM %s to %s: %s", a, b,
                                         strerror(errno));
        }
        /* Only the NVRAM the driver named follows; one the user named stays where it is. */
        DomainOs *os = def ? &def->priv->os : NULL;
        if (r == 0 && os && os->nvram && strcmp(os->nvram, a) == 0) {
                free(os->nvram);
                os->nvram = b;
                b = NULL;
        }
        if (r == 0)
                log_debug("domain %s: driver files renamed to %s", from, to);
        free(a);
        free(b);
        return r;
}
