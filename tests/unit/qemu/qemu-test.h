/* qemu-test.h: what the qemu/ unit tests share: cmocka, the golden cases and their inputs. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-conf.h"
#include "domain-model.h"
#include "qemu-command.h"
#include "qemu-conf.h"

/* The golden directory comes from the build (VIRTBUS_QEMU_DATA), so tests run from anywhere. */
static inline char *qt_path(const char *name) {
        const char *dir = getenv("VIRTBUS_QEMU_DATA");
        char *path;
        if (asprintf(&path, "%s/%s", dir ? dir : "tests/data/qemu", name) < 0)
                return NULL;
        return path;
}

/* The whole file, or NULL when it does not exist. */
static inline char *qt_read(const char *name) {
        char *path = qt_path(name);
        assert_non_null(path);
        FILE *f = fopen(path, "rb");
        free(path);
        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

static inline DomainDef *qt_parse(const char *name) {
        char file[256];
        snprintf(file, sizeof file, "%s.xml", name);
        char *xml = qt_read(file);
        if (!xml)
                print_error("no file %s\n", file);
        assert_non_null(xml);
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!def)
                print_error("%s: %s\n", file, err.message);
        assert_non_null(def);
        free(xml);
        return def;
}

/* An argv as NAME.argv holds it: one argument a line. */
static inline char *qt_argv_lines(char **argv) {
        size_t len = 1;
        for (char **a = argv; *a; a++)
                len += strlen(*a) + 1;
        char *s = malloc(len), *p = s;
        assert_non_null(s);
        for (char **a = argv; *a; a++)
                p += sprintf(p, "%s\n", *a);
        *p = '\0';
        return s;
}

/* got against the golden file (VIRTBUS_REGENERATE=1 writes it instead: review the diff). */
static inline void qt_golden(const char *file, const char *got) {
        if (getenv("VIRTBUS_REGENERATE")) {
                char *path = qt_path(file);
                FILE *f = fopen(path, "w");
                assert_non_null(f);
                fputs(got, f);
                fclose(f);
                free(path);
                return;
        }
        char *want = qt_read(file);
        if (!want)
                print_error("no file %s\n", file);
        assert_non_null(want);
        if (strcmp(want, got) != 0)
                print_error("%s differs; got:\n%s", file, got);
        assert_string_equal(want, got);
        free(want);
}

/* A golden case: NAME.xml gives NAME.argv (one argument a line) or the error. */
typedef struct QemuGoldenCase {
        const char *name;
        bool kvm_unavailable;
        int error_code;             /* 0: NAME.argv */
        const char *error;          /* the whole message */
} QemuGoldenCase;

static const QemuGoldenCase qemu_golden_cases[] = {
        { "minimal", false, 0, NULL },
        { "kvm", false, 0, NULL },
        { "q35-storage", false, 0, NULL },
        { "kernel-boot", false, 0, NULL },
        { "memory-dimm", false, 0, NULL },
        { "nics", false, 0, NULL },
        { "nics-host", false, 0, NULL },
        { "nics-mtu", false, 0, NULL },
        { "chardevs", false, 0, NULL },
        { "console-file", false, 0, NULL },
        { "graphics", false, 0, NULL },
        { "spice", false, 0, NULL },
        { "vnc-default-video", false, 0, NULL },
        { "cpu-custom", false, 0, NULL },
        { "cpu-host-model-tcg", false, 0, NULL },
        { "cpu-maximum", false, 0, NULL },
        { "firmware-efi", false, 0, NULL },
        { "rich", false, 0, NULL },
        { "virtinst-linux2022-q35", false, 0, NULL },
        { "virtinst-linux2022-pc", false, 0, NULL },
        { "virtinst-generic-q35", false, 0, NULL },
        { "virtinst-generic-pc", false, 0, NULL },
        { "virtinst-uefi-q35", false, 0, NULL },
        { "tpm-crb", false, 0, NULL },
        { "tpm-tis", false, 0, NULL },
        { "kvm", true, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: Domain requires KVM, but it is not available. Check that "
          "virtualization is enabled in the host BIOS, and host configuration is setup to load the "
          "kvm modules." },
        { "err-disk-bus", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: disk bus 'usb' of disk 'sdb' is not supported" },
        { "err-ide-q35", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: IDE controllers are unsupported for this QEMU binary or machine type" },
        { "err-topology", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: CPU topology doesn't match maximum vcpu count" },
        { "err-usb-disabled", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: USB is disabled for this domain, but USB devices are present in "
          "the domain XML" },
        { "err-host-passthrough-tcg", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: CPU mode 'host-passthrough' for x86_64 qemu domain on x86_64 host "
          "is not supported by hypervisor" },
        { "err-disk-network", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: disk type 'network' of disk 'vda' is not supported" },
        { "err-boot-mixed", false, VB_ERR_XML_ERROR,
          "XML error: per-device boot elements cannot be used together with os/boot elements" },
        { "err-machine", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: machine type 'microvm' is not supported (only the pc and q35 "
          "families are)" },
        { "err-nic-mq-model", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: multiqueue (<driver queues='2'>) needs the virtio model" },
        { "err-nic-mq-user", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: multiqueue is not supported for interfaces of type 'user'" },
        { "err-nic-mtu-user", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: setting MTU on interface type user is not supported yet" },
        { "err-disk-duplicate", false, VB_ERR_XML_ERROR,
          "XML error: target 'vda' duplicated for disk sources '/var/lib/virtbus/images/a.img' and "
          "'/var/lib/virtbus/images/b.img'" },
        { "err-tpm-passthrough", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: <tpm> with backend 'passthrough' is not supported yet (only 'emulator' is)" },
        { "err-tpm-version", false, VB_ERR_CONFIG_UNSUPPORTED,
          "unsupported configuration: TPM version '1.2' is not supported (only 2.0 is)" },
};

#define QEMU_N_GOLDEN (sizeof qemu_golden_cases / sizeof qemu_golden_cases[0])

/* What the driver cannot do yet, refused with the inputs it gives today (no tap fds): NAME.xml
 * gives the error. */
static const QemuGoldenCase qemu_driver_refusals[] = {
        { "err-nic-network", false, VB_ERR_NO_SUPPORT,
          "this function is not supported by the connection driver: interface type 'network' (no tap "
          "device can be created for it yet)" },
        { "err-nic-bridge", false, VB_ERR_NO_SUPPORT,
          "this function is not supported by the connection driver: interface type 'bridge' (no tap "
          "device can be created for it yet)" },
};

/* Fixed stand-ins for what the driver chooses at start. */
static const int qemu_test_tap_fds[] = { 30, 31, 32, 33, 34, 35, 36, 37 };
/* Interface i's queue descriptors when it has <driver queues>: 40 + 10i onwards. */
#define QT_QUEUES(i) ((const int[]) { 40 + 10 * (i), 41 + 10 * (i), 42 + 10 * (i), 43 + 10 * (i), \
                                      44 + 10 * (i), 45 + 10 * (i), 46 + 10 * (i), 47 + 10 * (i) })
static const int *const qemu_test_tap_queue_fds[] = {
        QT_QUEUES(0), QT_QUEUES(1), QT_QUEUES(2), QT_QUEUES(3), QT_QUEUES(4), QT_QUEUES(5), QT_QUEUES(6), QT_QUEUES(7),
};

typedef struct QemuTestInput {
        QemuCommandInput in;
        QemuConfig cfg;
        char qmp[256];
        char channels[256];
        char tpm[256];
} QemuTestInput;

/* The golden input for def: qemu.conf's defaults, ports 5900 (VNC) and 5901 (SPICE), tap fds
 * from 30, sockets under /run/virtbus/qemu/NAME/. */
static inline void qt_input(QemuTestInput *t, const DomainDef *def, bool kvm) {
        memset(t, 0, sizeof *t);
        assert_int_equal(qemu_conf_init(&t->cfg), 0);
        snprintf(t->qmp, sizeof t->qmp, "/run/virtbus/qemu/%s/monitor.sock", def->name);
        snprintf(t->channels, sizeof t->channels, "/run/virtbus/qemu");      /* the state directory */
        snprintf(t->tpm, sizeof t->tpm, "/run/virtbus/qemu/%s.swtpm.sock", def->name);
        t->in = (QemuCommandInput) {
                .def = def,
                .cfg = &t->cfg,
                .qmp_socket_path = t->qmp,
                .kvm_available = kvm,
                .seccomp_sandbox = t->cfg.seccomp_sandbox,
                .vnc_port = 5900,
                .spice_port = 5901,
                .tap_fds = qemu_test_tap_fds,
                .n_tap_fds = sizeof qemu_test_tap_fds / sizeof qemu_test_tap_fds[0],
                .tap_queue_fds = qemu_test_tap_queue_fds,
                .channel_dir = t->channels,
                .tpm_socket_path = t->tpm,
        };
}

static inline void qt_input_done(QemuTestInput *t) {
        qemu_conf_done(&t->cfg);
}
