/* qemu-ns.c: qemu.conf namespaces = [ "mount" ]: which host device nodes a guest's QEMU gets in its private /dev (lib/process-ns.c builds it in the child). */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "domain-model.h"
#include "log.h"

/* qemu.conf namespaces unset: the system daemon's default is [ "mount" ], libvirt's default;
 * the session daemon's is none (QEMU there runs as the daemon's user, who may not unshare). */
int qemu_ns_init(QemuConn *qc, bool system) {
        if (qc->cfg.namespaces || !system)
                return 0;
        char **v = calloc(2, sizeof *v);
        if (!v || !(v[0] = strdup("mount"))) {
                free(v);
                return -ENOMEM;
        }
        qc->cfg.namespaces = v;
        log_info("guests get a private /dev (namespaces = [ \"mount\" ], the default)");
        return 0;
}

static bool wants_mount_ns(const QemuConn *qc) {
        for (char **n = qc->cfg.namespaces; n && *n; n++)
                if (strcmp(*n, "mount") == 0)
                        return true;
        return false;
}

static int add(QemuMountNs *out, const char *path, bool required, VbError *err) {
        if (out->ns.n_nodes == QEMU_DEV_NODES_MAX)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU,
                                    "more than %d device nodes for QEMU's private /dev", QEMU_DEV_NODES_MAX);
        ProcessDevNode *n = &out->nodes[out->ns.n_nodes];
        int r = process_dev_node(path, n);
        if (r == -ENOENT && !required)
                return 0;
        if (r < 0)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "cannot give %s to QEMU's private /dev: %s", path, strerror(-r));
        for (size_t i = 0; i < out->ns.n_nodes; i++)
                if (strcmp(out->nodes[i].name, n->name) == 0)
                        return 0;
        out->ns.n_nodes++;
        return 0;
}

int qemu_ns_prepare(QemuConn *qc, Connection *c, const DomainDef *def, QemuMountNs *out, VbError *err) {
        if (!wants_mount_ns(qc))
                return 0;
        memset(out, 0, sizeof *out);
        /* One empty directory for every QEMU: each mounts its /dev there in its own namespace. */
        int n = snprintf(out->staging, sizeof out->staging, "%s/dev-staging", c->state_dir);
        if (n < 0 || (size_t) n >= sizeof out->staging)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "state directory path too long");
        if (mkdir(out->staging, 0700) < 0 && errno != EEXIST)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot create %s: %s", out->staging,
                                    strerror(errno));
        static const char *const base[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                                            "/dev/ptmx" };
        /* only /dev/null is a must: a host missing another one gives QEMU none either */
        for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
                if (add(out, base[i], i == 0, err) < 0)
                        return -1;
        if (add(out, "/dev/kvm", false, err) < 0 || add(out, "/dev/net/tun", false, err) < 0 ||
            add(out, "/dev/vhost-net", false, err) < 0)
                return -1;
        const DomainDevices *dv = def->priv ? &def->priv->devices : NULL;
        for (size_t i = 0; dv && i < dv->n_disks; i++) {
                const DomainDisk *k = &dv->disks[i];
                if (!k->type || strcmp(k->type, "block") != 0 || !k->source_dev)
                        continue;
                /* the name QEMU is given, and the node it resolves to (a /dev/mapper link …) */
                char real[PATH_MAX];
                if (strncmp(k->source_dev, "/dev/", 5) == 0 && add(out, k->source_dev, true, err) < 0)
                        return -1;
                if (realpath(k->source_dev, real) && strcmp(real, k->source_dev) != 0 &&
                    strncmp(real, "/dev/", 5) == 0 && add(out, real, true, err) < 0)
                        return -1;
        }
        out->ns = (ProcessMountNs) { .staging = out->staging, .nodes = out->nodes, .n_nodes = out->ns.n_nodes };
        log_debug("domain %s: private /dev with %zu node(s)", def->name, out->ns.n_nodes);
        return 1;
}
