/* test-qemu-pci-define.c: PCI addresses written into a definition at define time (qemu-pci-define.c): the same command line as before, libvirt's XML, and places that never move when devices are added. */
#include "qemu-test.h"

#include "domain-device.h"

static char *argv_lines(DomainDef *def, bool kvm) {
        QemuTestInput t;
        qt_input(&t, def, kvm);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        if (!argv)
                print_error("%s: %s\n", def->name, err.message);
        assert_non_null(argv);
        char *s = qt_argv_lines(argv);
        qemu_argv_free(argv);
        qt_input_done(&t);
        return s;
}

/* def after define: addresses assigned, then through the XML (as the daemon keeps it on disk). */
static DomainDef *defined(DomainDef *def, bool extend, char **xml_out) {
        VbError err = { 0 };
        assert_int_equal(qemu_define_pci_addresses(def, NULL, extend, &err), 0);
        char *xml = domain_def_format(def, DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_SECURE);
        assert_non_null(xml);
        DomainDef *again = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!again)
                print_error("%s\n%s\n", err.message, xml);
        assert_non_null(again);
        domain_def_free(def);
        if (xml_out)
                *xml_out = xml;
        else
                free(xml);
        return again;
}

/* Every golden definition gives the very command line it gave without written addresses: a
 * guest defined by an older virtbus keeps its hardware when it gets them. Assigning again
 * changes nothing (a fixed point). */
static void test_argv_unchanged(void **state) {
        for (size_t i = 0; i < QEMU_N_GOLDEN; i++) {
                const QemuGoldenCase *gc = &qemu_golden_cases[i];
                if (gc->error_code)
                        continue;
                char file[256], *xml1, *xml2;
                snprintf(file, sizeof file, "%s.argv", gc->name);
                char *want = qt_read(file);
                assert_non_null(want);
                DomainDef *def = defined(qt_parse(gc->name), false, &xml1);
                char *got = argv_lines(def, !gc->kvm_unavailable);
                if (strcmp(want, got) != 0) {
                        print_error("%s: the command line changed once addresses were written:\n%s\n%s", gc->name,
                                    xml1, got);
                        if (getenv("VIRTBUS_DEBUG_DIR")) {
                                char path[512];
                                snprintf(path, sizeof path, "%s/%s.argv", getenv("VIRTBUS_DEBUG_DIR"), gc->name);
                                FILE *f = fopen(path, "w");
                                if (f) {
                                        fputs(got, f);
                                        fclose(f);
                                }
                        }
                }
                assert_string_equal(want, got);
                def = defined(def, false, &xml2);
                assert_string_equal(xml1, xml2);
                free(want);
                free(got);
                free(xml1);
                free(xml2);
                domain_def_free(def);
        }
}

/* NAME.defined.xml: the inactive XML after define; the addresses are libvirt 9.0's for the
 * same XML (compared with `virsh -c qemu:///embed` define + dumpxml --inactive).
 * VIRTBUS_REGENERATE=1 writes them. */
static void test_defined_xml(void **state) {
        static const char *const names[] = {
                "virtinst-linux2022-q35", "virtinst-linux2022-pc", "virtinst-generic-q35", "nics", "minimal",
                "q35-storage", "q35-pci-extend",
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char *xml, file[256];
                domain_def_free(defined(qt_parse(names[i]), true, &xml));
                snprintf(file, sizeof file, "%s.defined.xml", names[i]);
                qt_golden(file, xml);
                free(xml);
        }
}

static void add_device(DomainDef *def, const char *kind, const char *xml) {
        VbError err = { 0 };
        DomainDevices *dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_non_null(dev);
        int r = strcmp(kind, "disk") == 0        ? domain_devices_move_disk(&def->priv->devices, dev, 0)
                : strcmp(kind, "interface") == 0 ? domain_devices_move_interface(&def->priv->devices, dev, 0)
                                                 : domain_devices_move(&def->priv->devices, dev, kind, 0);
        assert_int_equal(r, 0);
        domain_device_free(dev);
}

static void assert_pci(const DomainAddress *a, const char *bus, const char *slot, const char *fn) {
        assert_string_equal(a->type, "pci");
        assert_string_equal(a->domain, "0x0000");
        assert_string_equal(a->bus, bus);
        assert_string_equal(a->slot, slot);
        assert_string_equal(a->function, fn);
}

/* virt-install's q35 guest, defined, then a virtio disk and a NIC added (attach-device
 * --config): each gets the next free root port, nothing else moves; a written address stays. */
static void test_added_devices_keep_places(void **state) {
        DomainDef *def = defined(qt_parse("virtinst-linux2022-q35"), true, NULL);
        char *before = argv_lines(def, false);
        add_device(def, "disk", "<disk type='file' device='disk'><source file='/var/lib/a.qcow2'/>"
                                "<target dev='vda' bus='virtio'/></disk>");
        add_device(def, "interface", "<interface type='user'><mac address='52:54:00:00:00:99'/>"
                                     "<model type='virtio'/></interface>");
        add_device(def, "interface", "<interface type='user'><mac address='52:54:00:00:00:98'/><model type='virtio'/>"
                                     "<address type='pci' domain='0x0000' bus='0x0a' slot='0x00' function='0x0'/>"
                                     "</interface>");
        def = defined(def, true, NULL);
        const DomainDevices *d = &def->priv->devices;
        assert_int_equal(d->n_interfaces, 3);
        assert_pci(&d->interfaces[0].address, "0x01", "0x00", "0x0");   /* as defined */
        assert_pci(&d->interfaces[2].address, "0x0a", "0x00", "0x0");   /* as written */
        assert_pci(&d->interfaces[1].address, "0x06", "0x00", "0x0");   /* NICs before disks (libvirt's order), */
        assert_pci(&d->disks[0].address, "0x07", "0x00", "0x0");        /* placed ones stay */
        assert_pci(&d->memballoon.address, "0x04", "0x00", "0x0");
        assert_pci(&d->rngs[0].address, "0x05", "0x00", "0x0");
        /* The devices of the first definition are where they were on the command line. */
        char *after = argv_lines(def, false);
        for (char *line = strtok(before, "\n"); line; line = strtok(NULL, "\n"))
                if (strstr(line, "bus=pci") || strstr(line, "bus=pcie")) {
                        if (!strstr(after, line))
                                print_error("moved: %s\n", line);
                        assert_non_null(strstr(after, line));
                }
        assert_non_null(strstr(after, "virtio-net-pci,netdev=hostnet1,id=net1,mac=52:54:00:00:00:99,bus=pci.6,addr=0x0"));
        free(before);
        free(after);
        domain_def_free(def);
}

/* libvirt's own XML for the chipset's controllers (PIIX3's UHCI at 00:01.2, q35's SATA at
 * 00:1f.2) is taken as the chipset's, not as a second device in the slot. */
static void test_chipset_controllers(void **state) {
        DomainDef *def = defined(qt_parse("nics"), false, NULL);
        add_device(def, "controller", "<controller type='usb' index='0' model='piix3-uhci'>"
                                      "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>"
                                      "</controller>");
        char *argv = argv_lines(def, false);
        assert_non_null(strstr(argv, "piix3-usb-uhci,id=usb,bus=pci.0,addr=0x1.0x2\n"));
        free(argv);
        domain_def_free(def);
        def = defined(qt_parse("q35-storage"), false, NULL);
        const DomainDevices *d = &def->priv->devices;
        bool sata = false;
        for (size_t i = 0; i < d->n_controllers; i++)
                if (d->controllers[i].type && strcmp(d->controllers[i].type, "sata") == 0) {
                        assert_pci(&d->controllers[i].address, "0x00", "0x1f", "0x2");
                        sata = true;
                }
        assert_true(sata);
        free(argv_lines(def, false));
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_argv_unchanged),
                cmocka_unit_test(test_defined_xml),
                cmocka_unit_test(test_added_devices_keep_places),
                cmocka_unit_test(test_chipset_controllers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
