/* test-qemu-command.c: domain definitions → QEMU command lines against tests/data/qemu (NAME.xml → NAME.argv), errors, quoting. */
#include "qemu-test.h"

/* NAME.argv: one argument a line (qt_argv_lines). VIRTBUS_REGENERATE=1 writes the files instead
 * of checking them (review the diff before committing). */

static void check_golden(const QemuGoldenCase *gc) {
        DomainDef *def = qt_parse(gc->name);
        QemuTestInput t;
        qt_input(&t, def, !gc->kvm_unavailable);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        if (gc->error_code) {
                if (argv)
                        print_error("%s: expected an error, got a command line\n", gc->name);
                assert_null(argv);
                if (strcmp(err.message, gc->error) != 0)
                        print_error("%s: got \"%s\"\n", gc->name, err.message);
                assert_int_equal(err.code, gc->error_code);
                assert_int_equal(err.from, VB_FROM_QEMU);
                assert_string_equal(err.message, gc->error);
        } else {
                if (!argv)
                        print_error("%s: %s\n", gc->name, err.message);
                assert_non_null(argv);
                char *got = qt_argv_lines(argv), file[256];
                snprintf(file, sizeof file, "%s.argv", gc->name);
                qt_golden(file, got);
                free(got);
        }
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

static void test_golden(void **state) {
        for (size_t i = 0; i < QEMU_N_GOLDEN; i++)
                check_golden(&qemu_golden_cases[i]);
}

/* Interfaces on a bridge or a virtual network need taps the driver does not create yet: a
 * start answers libvirt's "not supported" naming the type (define accepts them). */
static void test_driver_refusals(void **state) {
        for (size_t i = 0; i < sizeof qemu_driver_refusals / sizeof qemu_driver_refusals[0]; i++) {
                const QemuGoldenCase *gc = &qemu_driver_refusals[i];
                DomainDef *def = qt_parse(gc->name);
                QemuTestInput t;
                qt_input(&t, def, true);
                t.in.tap_fds = NULL;
                t.in.n_tap_fds = 0;
                VbError err = { 0 };
                char **argv = qemu_command_build(&t.in, &err);
                if (argv || strcmp(err.message, gc->error) != 0)
                        print_error("%s: got \"%s\"\n", gc->name, argv ? "a command line" : err.message);
                assert_null(argv);
                assert_int_equal(err.code, gc->error_code);
                assert_int_equal(err.from, VB_FROM_QEMU);
                assert_string_equal(err.message, gc->error);
                qt_input_done(&t);
                domain_def_free(def);
        }
}

/* The argv every command line starts and ends with, whatever the guest. */
static void test_fixed_parts(void **state) {
        DomainDef *def = qt_parse("minimal");
        QemuTestInput t;
        qt_input(&t, def, false);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        char *line = qemu_command_to_string(argv);
        assert_non_null(line);
        static const char *const parts[] = {
                " -name guest=minimal,debug-threads=on -S ",
                " -machine pc,usb=off,dump-guest-core=off,acpi=off -accel tcg ",
                " -m size=262144k ",
                " -uuid 6ba7b810-9dad-41d1-80b4-00c04fd430c8 -no-user-config -nodefaults ",
                " -chardev socket,id=charmonitor,path=/run/virtbus/qemu/minimal/monitor.sock,server=on,wait=off"
                " -mon chardev=charmonitor,id=monitor,mode=control ",
                " -no-shutdown ",
                " -sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny -msg timestamp=on",
        };
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
                if (!strstr(line, parts[i]))
                        print_error("missing \"%s\" in %s\n", parts[i], line);
                assert_non_null(strstr(line, parts[i]));
        }
        assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
        assert_null(strstr(line, "-no-reboot"));
        /* one -sandbox (qemu.conf's default seccomp_sandbox = 1), at libvirt's place */
        assert_null(strstr(strstr(line, " -sandbox ") + 1, " -sandbox "));
        free(line);
        qemu_argv_free(argv);

        /* seccomp_sandbox = 0: no -sandbox at all */
        t.in.seccomp_sandbox = false;
        argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        line = qemu_command_to_string(argv);
        assert_non_null(line);
        assert_null(strstr(line, "-sandbox"));
        assert_non_null(strstr(line, " -msg timestamp=on"));
        free(line);
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

static char **build_xml(const char *xml, QemuTestInput *t, bool kvm, VbError *err, DomainDef **out) {
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, err);
        assert_non_null(def);
        qt_input(t, def, kvm);
        *out = def;
        return qemu_command_build(&t->in, err);
}

static bool argv_has(char **argv, const char *opt, const char *value) {
        for (size_t i = 0; argv[i] && argv[i + 1]; i++)
                if (strcmp(argv[i], opt) == 0 && strcmp(argv[i + 1], value) == 0)
                        return true;
        return false;
}

/* qemu.conf's emulator, machine type and VNC address stand in for what the XML leaves out;
 * without a qemu.conf, emulator_default does. */
static void test_config_defaults(void **state) {
        const char *xml = "<domain type='qemu'><name>c</name><memory>65536</memory><os><type>hvm</type></os>"
                          "<devices><graphics type='vnc'/></devices></domain>";
        QemuTestInput t;
        DomainDef *def;
        VbError err = { 0 };
        char **argv = build_xml(xml, &t, false, &err, &def);
        assert_non_null(argv);
        assert_true(argv_has(argv, "-vnc", "127.0.0.1:0"));
        qemu_argv_free(argv);

        free(t.cfg.emulator);
        free(t.cfg.machine_type);
        free(t.cfg.vnc_listen);
        t.cfg.emulator = strdup("/opt/qemu/bin/qemu-system-x86_64");
        t.cfg.machine_type = strdup("q35");
        t.cfg.vnc_listen = strdup("0.0.0.0");
        t.in.vnc_port = 5917;
        argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        assert_string_equal(argv[0], "/opt/qemu/bin/qemu-system-x86_64");
        assert_true(argv_has(argv, "-machine", "q35,usb=off,dump-guest-core=off,acpi=off"));
        assert_true(argv_has(argv, "-vnc", "0.0.0.0:17"));
        qemu_argv_free(argv);

        t.in.cfg = NULL;
        t.in.emulator_default = "/usr/libexec/qemu-kvm";
        argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        assert_string_equal(argv[0], "/usr/libexec/qemu-kvm");
        assert_true(argv_has(argv, "-machine", "pc,usb=off,dump-guest-core=off,acpi=off"));
        assert_true(argv_has(argv, "-vnc", "127.0.0.1:17"));
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

/* Names and paths are the user's: a comma in them must not start another option. */
static void test_commas_escaped(void **state) {
        const char *xml = "<domain type='qemu'><name>a,b=c</name><memory>65536</memory><os><type>hvm</type></os>"
                          "<devices><disk type='file' device='disk'><source file='/img/x,file=/etc/shadow'/>"
                          "<target dev='vda' bus='virtio'/><serial>s,n</serial></disk>"
                          "<serial type='file'><source path='/log/a,b'/></serial></devices></domain>";
        QemuTestInput t;
        DomainDef *def;
        VbError err = { 0 };
        char **argv = build_xml(xml, &t, false, &err, &def);
        assert_non_null(argv);
        assert_true(argv_has(argv, "-name", "guest=a,,b=c,debug-threads=on"));
        assert_true(argv_has(argv, "-blockdev",
                             "driver=file,filename=/img/x,,file=/etc/shadow,node-name=drive-virtio-disk0-storage,"
                             "auto-read-only=on,discard=unmap"));
        assert_true(argv_has(argv, "-device",
                             "virtio-blk-pci,bus=pci.0,addr=0x3,drive=drive-virtio-disk0,id=virtio-disk0,bootindex=1,serial=s,,n"));
        assert_true(argv_has(argv, "-chardev", "file,id=charserial0,path=/log/a,,b"));
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

/* A disk on an iscsi-direct LUN (the runtime source the core resolved): QEMU's iscsi driver,
 * the user's strings escaped. */
static void test_iscsi_disk(void **state) {
        const char *xml = "<domain type='qemu'><name>i</name><memory>65536</memory><os><type>hvm</type></os>"
                          "<devices><disk type='volume' device='disk'><source pool='p' volume='unit:0:0:1'/>"
                          "<driver name='qemu' type='raw'/><target dev='vda' bus='virtio'/></disk></devices></domain>";
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, NULL);
        assert_non_null(def);
        DomainDiskNet *net = calloc(1, sizeof *net);
        assert_non_null(net);
        net->protocol = strdup("iscsi");
        net->host = strdup("192.0.2.1");
        net->port = 3260;
        net->target = strdup("iqn.2026-12.t:a,b");
        net->lun = 1;
        net->initiator = strdup("iqn.2026-12.t:me");
        def->priv->devices.disks[0].net = net;
        QemuTestInput t;
        VbError err = { 0 };
        qt_input(&t, def, false);
        char **argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        assert_true(argv_has(argv, "-blockdev",
                             "driver=iscsi,transport=tcp,portal=192.0.2.1:3260,target=iqn.2026-12.t:a,,b,lun=1,"
                             "initiator-name=iqn.2026-12.t:me,node-name=drive-virtio-disk0-storage,auto-read-only=on,"
                             "discard=unmap"));
        assert_true(argv_has(argv, "-blockdev",
                             "node-name=drive-virtio-disk0,read-only=off,driver=raw,file=drive-virtio-disk0-storage"));
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

/* What only the driver knows must be there: tap fds, the automatic port, the socket paths. */
static void test_driver_inputs_missing(void **state) {
        QemuTestInput t;
        DomainDef *def = qt_parse("nics");
        qt_input(&t, def, false);
        VbError err = { 0 };
        t.in.n_tap_fds = 1;
        assert_null(qemu_command_build(&t.in, &err));
        assert_int_equal(err.code, VB_ERR_INTERNAL_ERROR);
        assert_string_equal(err.message, "internal error: no tap device was opened for interface 1 (type 'bridge')");
        t.in.tap_fds = NULL;
        assert_null(qemu_command_build(&t.in, &err));
        assert_int_equal(err.code, VB_ERR_NO_SUPPORT);
        qt_input_done(&t);
        domain_def_free(def);

        def = qt_parse("graphics");
        qt_input(&t, def, false);
        t.in.vnc_port = -1;
        assert_null(qemu_command_build(&t.in, &err));
        assert_int_equal(err.code, VB_ERR_INTERNAL_ERROR);
        assert_string_equal(err.message, "internal error: no port was chosen for the automatic vnc display");
        t.in.vnc_port = 5900;
        t.in.qmp_socket_path = NULL;
        assert_null(qemu_command_build(&t.in, &err));
        assert_int_equal(err.code, VB_ERR_INTERNAL_ERROR);
        qt_input_done(&t);
        domain_def_free(def);

        def = qt_parse("chardevs");
        qt_input(&t, def, false);
        t.in.channel_dir = NULL;
        assert_null(qemu_command_build(&t.in, &err));
        assert_string_equal(err.message,
                            "internal error: no directory was given for the socket of channel 'org.qemu.guest_agent.0'");
        qt_input_done(&t);
        domain_def_free(def);

        assert_null(qemu_command_build(NULL, &err));
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
}

/* The daemon's own sockets for unix channels without a path (a QEMU running as another user
 * cannot create them): -chardev socket,fd=N; every other channel as in the golden. */
static void test_channel_fds(void **state) {
        DomainDef *def = qt_parse("chardevs");
        QemuTestInput t;
        qt_input(&t, def, false);
        static const int fds[] = { 41, 42 };    /* channel 1 is a pty: its fd is not used */
        t.in.channel_fds = fds;
        t.in.n_channel_fds = 2;
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        char *line = qemu_command_to_string(argv);
        assert_non_null(line);
        assert_non_null(strstr(line, " -chardev socket,id=charchannel0,fd=41,server=on,wait=off -device "
                                     "virtserialport,bus=virtio-serial0.0,chardev=charchannel0,id=channel0,"
                                     "name=org.qemu.guest_agent.0 "));
        assert_null(strstr(line, "chardevs.channel."));
        assert_non_null(strstr(line, " -chardev pty,id=charchannel1 "));
        assert_null(strstr(line, "fd=42"));
        free(line);
        qemu_argv_free(argv);
        /* -1 for a channel: QEMU binds the path itself, as without descriptors */
        static const int none[] = { -1 };
        t.in.channel_fds = none;
        t.in.n_channel_fds = 1;
        argv = qemu_command_build(&t.in, &err);
        assert_non_null(argv);
        line = qemu_command_to_string(argv);
        assert_non_null(strstr(line, " -chardev socket,id=charchannel0,path=/run/virtbus/qemu/chardevs.channel."
                                     "org.qemu.guest_agent.0,server=on,wait=off "));
        free(line);
        qemu_argv_free(argv);
        qt_input_done(&t);
        domain_def_free(def);
}

/* Values that reach an option string unescaped are checked. */
static void test_tokens_checked(void **state) {
        static const struct {
                const char *xml, *error;
        } cases[] = {
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type machine='pc,accel=kvm'>hvm"
                  "</type></os></domain>",
                  "unsupported configuration: machine type 'pc,accel=kvm' is not valid" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<cpu mode='custom'><model>qemu64,pmu=on</model></cpu></domain>",
                  "unsupported configuration: CPU model 'qemu64,pmu=on' is not valid" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><graphics type='vnc' listen='127.0.0.1,password=off'/></devices></domain>",
                  "unsupported configuration: graphics listen address '127.0.0.1,password=off' is not valid" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file'><source file='relative.img'/><target dev='vda'/></disk>"
                  "</devices></domain>",
                  "unsupported configuration: disk source 'relative.img' of disk 'vda' must be an absolute path" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file'><source file='/a.img'/><target dev='vd1'/></disk>"
                  "</devices></domain>",
                  "XML error: Unknown disk name 'vd1' and no address specified" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file'><driver name='qemu' type='vmdk'/><source file='/a.vmdk'/>"
                  "<target dev='vda'/></disk></devices></domain>",
                  "unsupported configuration: disk format 'vmdk' of disk 'vda' is not supported (only raw and "
                  "qcow2 are)" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><interface type='user'><model type='ne2k_pci'/></interface></devices></domain>",
                  "unsupported configuration: interface model 'ne2k_pci' is not supported" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><graphics type='vnc' port='5800' autoport='no'/></devices></domain>",
                  "unsupported configuration: vnc port must be in range [5900,65535]" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><video><model type='vga'/></video><video><model type='cirrus'/></video>"
                  "</devices></domain>",
                  "unsupported configuration: video type 'cirrus' is only valid as primary video device" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><serial type='pty'><target port='4'/></serial></devices></domain>",
                  "unsupported configuration: <serial> port 4 is out of range (0 to 3)" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<clock offset='variable' adjustment='10'/></domain>",
                  "unsupported configuration: clock offset 'variable' is not supported" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os firmware='efi'><type>hvm</type>"
                  "</os></domain>",
                  "unsupported configuration: firmware autoselection (<os firmware='efi'>) is not supported; "
                  "name the firmware with <loader>" },
                { "<domain type='test'><name>t</name><memory>65536</memory><os><type>hvm</type></os></domain>",
                  "unsupported configuration: domain type 'test' is not supported by the QEMU driver" },
                { "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                  "<devices><disk type='file' device='disk'><source file='/a.img'/><target dev='sda' bus='sata'/>"
                  "<readonly/></disk></devices></domain>",
                  "unsupported configuration: readonly sata disks are not supported" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                QemuTestInput t;
                DomainDef *def;
                VbError err = { 0 };
                char **argv = build_xml(cases[i].xml, &t, true, &err, &def);
                if (argv || strcmp(err.message, cases[i].error) != 0)
                        print_error("case %zu: got \"%s\"\n", i, argv ? "a command line" : err.message);
                assert_null(argv);
                assert_string_equal(err.message, cases[i].error);
                qt_input_done(&t);
                domain_def_free(def);
        }
}

static void test_disk_alias(void **state) {
        DomainDef *def = qt_parse("q35-storage");
        static const char *const want[] = {
                "sata0-0-0", "sata0-0-1", "scsi0-0-0-2", "scsi0-0-0-3", "virtio-disk1", "virtio-disk2",
                "sata0-0-4",
        };
        VbError err = { 0 };
        char buf[32];
        assert_int_equal(def->priv->devices.n_disks, 7);
        for (size_t i = 0; i < 7; i++) {
                assert_int_equal(qemu_disk_alias(def, i, buf, sizeof buf, &err), 0);
                assert_string_equal(buf, want[i]);
        }
        assert_int_equal(qemu_disk_alias(def, 7, buf, sizeof buf, &err), -1);
        domain_def_free(def);

        const char *xml = "<domain type='qemu'><name>t</name><memory>65536</memory><os><type>hvm</type></os>"
                          "<devices><disk type='file'><source file='/a'/><target dev='hdd'/></disk>"
                          "<disk type='file'><source file='/b'/><target dev='vdaa'/></disk>"
                          "<disk type='file'><source file='/c'/><target dev='sdj' bus='scsi'/></disk>"
                          "</devices></domain>";
        def = domain_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_int_equal(qemu_disk_alias(def, 0, buf, sizeof buf, &err), 0);
        assert_string_equal(buf, "ide0-1-1");
        assert_int_equal(qemu_disk_alias(def, 1, buf, sizeof buf, &err), 0);
        assert_string_equal(buf, "virtio-disk26");
        assert_int_equal(qemu_disk_alias(def, 2, buf, sizeof buf, &err), 0);
        assert_string_equal(buf, "scsi1-0-0-2");
        domain_def_free(def);
}

static void test_to_string(void **state) {
        char *argv[] = {
                "/usr/bin/qemu-system-x86_64", "-name", "guest=a,,b,debug-threads=on", "-append",
                "console=ttyS0 it's", "", "-vnc", "[::1]:0", "$HOME", NULL,
        };
        char *s = qemu_command_to_string(argv);
        assert_non_null(s);
        assert_string_equal(s, "/usr/bin/qemu-system-x86_64 -name guest=a,,b,debug-threads=on -append "
                               "'console=ttyS0 it'\\''s' '' -vnc '[::1]:0' '$HOME'");
        free(s);
        char *empty[] = { NULL };
        s = qemu_command_to_string(empty);
        assert_non_null(s);
        assert_string_equal(s, "");
        free(s);
        qemu_argv_free(NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_driver_refusals),
                cmocka_unit_test(test_fixed_parts),
                cmocka_unit_test(test_config_defaults),
                cmocka_unit_test(test_commas_escaped),
                cmocka_unit_test(test_driver_inputs_missing),
                cmocka_unit_test(test_iscsi_disk),
                cmocka_unit_test(test_tokens_checked),
                cmocka_unit_test(test_channel_fds),
                cmocka_unit_test(test_disk_alias),
                cmocka_unit_test(test_to_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
