/* test-qemu-alias.c: the running definition's device <alias>es (qemu-alias.c) are the ids the command line gives QEMU, and libvirt 9.0's names for virt-install's guests. */
#include "qemu-test.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

static char *argv_lines(const DomainDef *def, bool kvm) {
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

/* The <alias>es of a domain XML, one "element alias" a line in document order. */
static char *alias_lines(const char *xml) {
        xmlDocPtr doc = xmlReadMemory(xml, (int) strlen(xml), NULL, NULL, XML_PARSE_NONET);
        assert_non_null(doc);
        size_t cap = 4096, len = 0;
        char *s = calloc(1, cap);
        assert_non_null(s);
        xmlNodePtr devices = NULL;
        for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "devices"))
                        devices = n;
        for (xmlNodePtr dev = devices ? devices->children : NULL; dev; dev = dev->next)
                for (xmlNodePtr c = dev->type == XML_ELEMENT_NODE ? dev->children : NULL; c; c = c->next) {
                        if (c->type != XML_ELEMENT_NODE || !xmlStrEqual(c->name, BAD_CAST "alias"))
                                continue;
                        xmlChar *name = xmlGetProp(c, BAD_CAST "name");
                        assert_true(len + 128 < cap);
                        len += (size_t) snprintf(s + len, cap - len, "%s %s\n", (const char *) dev->name,
                                                 name ? (const char *) name : "");
                        xmlFree(name);
                }
        xmlFreeDoc(doc);
        return s;
}

/* The devices QEMU has no -device of its own for: the root bus, the chipset's IDE and (q35)
 * AHCI, the floppy controller, UHCI companions (libvirt names them after their EHCI). */
static bool machine_own(const char *alias) {
        return strcmp(alias, "pci.0") == 0 || strcmp(alias, "pcie.0") == 0 || strcmp(alias, "ide") == 0 ||
               strcmp(alias, "fdc0") == 0 || strcmp(alias, "usb") == 0;
}

/* A PS/2 input is the PC's own i8042: libvirt names it, QEMU has no device of that id. */
static bool ps2_input(const DomainDef *def, const char *alias) {
        const DomainDevices *d = &def->priv->devices;
        for (size_t i = 0; i < d->n_inputs; i++)
                if (d->inputs[i].alias && strcmp(d->inputs[i].alias, alias) == 0)
                        return !d->inputs[i].bus || strcmp(d->inputs[i].bus, "ps2") == 0;
        return false;
}

/* Every golden definition: once started (aliases assigned), each alias is an id= its command
 * line gives QEMU, the command line is the very same, and a second assignment changes nothing. */
static void test_aliases_are_qemu_ids(void **state) {
        (void) state;
        for (size_t i = 0; i < QEMU_N_GOLDEN; i++) {
                const QemuGoldenCase *gc = &qemu_golden_cases[i];
                if (gc->error_code)
                        continue;
                char file[256];
                snprintf(file, sizeof file, "%s.argv", gc->name);
                char *want = qt_read(file);
                assert_non_null(want);
                DomainDef *def = qt_parse(gc->name);
                assert_int_equal(qemu_aliases_assign(def, true), 0);
                char *got = argv_lines(def, !gc->kvm_unavailable);
                assert_string_equal(want, got);
                char *xml = domain_def_format(def, 0);
                assert_int_equal(qemu_aliases_assign(def, true), 0);
                char *again = domain_def_format(def, 0);
                assert_string_equal(xml, again);
                char *lines = alias_lines(xml);
                for (char *l = lines, *nl; *l; l = nl + 1) {
                        nl = strchr(l, '\n');
                        *nl = '\0';
                        const char *alias = strchr(l, ' ') + 1;
                        char needle[96];
                        snprintf(needle, sizeof needle, ",id=%s,", alias);
                        char needle_end[96];
                        snprintf(needle_end, sizeof needle_end, ",id=%s\n", alias);
                        bool found = strstr(want, needle) || strstr(want, needle_end);
                        bool own = (strncmp(l, "controller ", 11) == 0 && machine_own(alias)) ||
                                   (strncmp(l, "input ", 6) == 0 && ps2_input(def, alias));
                        if (!found && !own)
                                print_error("%s: <%s> has no device id=%s on its command line\n", gc->name, l, alias);
                        assert_true(found || own);
                }
                free(lines);
                free(again);
                free(xml);
                free(got);
                free(want);
                domain_def_free(def);
        }
}

/* NAME.live-aliases: the aliases of the running definition of NAME.defined.xml (define, then
 * start, before QEMU answers). Each device has the alias libvirt 9.0's QEMU driver gives it
 * for the same definition (checked with `virsh -c qemu:///embed?root=DIR` define + start +
 * dumpxml, Debian's libvirt 9.0.0, TCG). libvirt's list has more: the serial, console and
 * channels (named once QEMU reports their ptys, qemu-live.c, not here) and the PS/2 mouse and
 * keyboard its define adds (input1, input2); it also sorts the disks by bus at define.
 * VIRTBUS_REGENERATE=1 writes them. */
static void test_live_aliases_as_libvirt(void **state) {
        (void) state;
        static const char *const names[] = {
                "virtinst-linux2022-q35", "virtinst-linux2022-pc", "virtinst-generic-q35", "q35-storage",
        };
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char file[128];
                snprintf(file, sizeof file, "%s.defined", names[i]);
                DomainDef *def = qt_parse(file);
                assert_int_equal(qemu_aliases_assign(def, true), 0);
                char *xml = domain_def_format(def, 0);
                char *lines = alias_lines(xml);
                snprintf(file, sizeof file, "%s.live-aliases", names[i]);
                qt_golden(file, lines);
                /* the inactive XML keeps none of them */
                char *inactive = domain_def_format(def, DOMAIN_FORMAT_INACTIVE);
                assert_null(strstr(inactive, "<alias"));
                free(inactive);
                free(lines);
                free(xml);
                domain_def_free(def);
        }
}

/* libvirt's controller names. */
static void test_controller_ids(void **state) {
        (void) state;
        char id[64];
        qemu_controller_id("pci", "pcie-root", 0, true, id, sizeof id);
        assert_string_equal(id, "pcie.0");
        qemu_controller_id("pci", "pci-root", 0, false, id, sizeof id);
        assert_string_equal(id, "pci.0");
        qemu_controller_id("pci", "pcie-root-port", 7, true, id, sizeof id);
        assert_string_equal(id, "pci.7");
        qemu_controller_id("usb", "ich9-uhci2", 0, false, id, sizeof id);
        assert_string_equal(id, "usb");
        qemu_controller_id("usb", "qemu-xhci", 1, false, id, sizeof id);
        assert_string_equal(id, "usb1");
        qemu_controller_id("sata", NULL, 0, true, id, sizeof id);
        assert_string_equal(id, "ide");
        qemu_controller_id("sata", NULL, 0, false, id, sizeof id);
        assert_string_equal(id, "sata0");
        qemu_controller_id("ide", NULL, 0, false, id, sizeof id);
        assert_string_equal(id, "ide");
        qemu_controller_id("scsi", "virtio-scsi", 1, false, id, sizeof id);
        assert_string_equal(id, "scsi1");
        qemu_controller_id("virtio-serial", NULL, 0, true, id, sizeof id);
        assert_string_equal(id, "virtio-serial0");
        qemu_controller_id("fdc", NULL, 0, false, id, sizeof id);
        assert_string_equal(id, "fdc0");
}

/* A user's ua- alias on a sound card, NIC or channel is QEMU's id (and the codec's, the
 * chardev's), as libvirt passes it; a disk's QEMU id is the one the monitor calls use, its live
 * alias the user's. */
static void test_user_alias(void **state) {
        (void) state;
        static const char xml[] =
                "<domain type='qemu'><name>ua</name><memory>131072</memory>"
                "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                "<disk type='file' device='disk'><source file='/var/lib/virtbus/images/a.img'/>"
                "<target dev='vdb' bus='virtio'/><alias name='ua-data'/></disk>"
                "<interface type='user'><mac address='52:54:00:00:00:01'/><alias name='ua-nic'/></interface>"
                "<sound model='ich6'><alias name='ua-snd'/></sound>"
                "<channel type='unix'><source mode='bind' path='/run/ua.sock'/>"
                "<target type='virtio' name='org.example.ua'/><alias name='ua-chan'/></channel>"
                "<memballoon model='none'/></devices></domain>";
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, sizeof xml - 1, 0, &err);
        assert_non_null(def);
        assert_string_equal(def->priv->devices.sounds[0].alias, "ua-snd");
        assert_int_equal(qemu_aliases_assign(def, true), 0);
        assert_string_equal(def->priv->devices.sounds[0].alias, "ua-snd");
        /* a disk keeps the user's alias as libvirt's live XML does; QEMU's id is fixed */
        assert_string_equal(def->priv->devices.disks[0].alias, "ua-data");
        char *got = argv_lines(def, false);
        assert_non_null(strstr(got, "intel-hda,id=ua-snd,"));
        assert_non_null(strstr(got, "hda-duplex,id=ua-snd-codec0,bus=ua-snd.0,"));
        assert_non_null(strstr(got, ",id=virtio-disk1"));
        /* the backend is named after the device, as a detach removes it ("host" + the id) */
        assert_non_null(strstr(got, "user,id=hostua-nic\n"));
        assert_non_null(strstr(got, ",netdev=hostua-nic,id=ua-nic,"));
        assert_string_equal(def->priv->devices.interfaces[0].alias, "ua-nic");
        assert_non_null(strstr(got, "socket,id=charua-chan,path=/run/ua.sock,"));
        assert_non_null(strstr(got, "virtserialport,bus=virtio-serial0.0,chardev=charua-chan,id=ua-chan,"
                                    "name=org.example.ua\n"));
        assert_string_equal(def->priv->devices.channels[0].alias, "ua-chan");
        free(got);
        domain_def_free(def);
}

/* An alias QEMU cannot take as an id (a status file or a live XML written by hand) never
 * reaches its command line: the device gets its numbered id, and the live XML that one. */
static void test_unusable_alias(void **state) {
        (void) state;
        static const char xml[] =
                "<domain type='qemu' id='3'><name>bad</name><memory>131072</memory>"
                "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
                "<interface type='user'><mac address='52:54:00:00:00:01'/><alias name='n,addr=0x9'/></interface>"
                "<sound model='ich6'><alias name='s,addr=0x9'/></sound>"
                "<memballoon model='none'/></devices></domain>";
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, sizeof xml - 1, DOMAIN_PARSE_STATUS, &err);
        assert_non_null(def);
        assert_string_equal(def->priv->devices.sounds[0].alias, "s,addr=0x9");
        assert_int_equal(qemu_aliases_assign(def, true), 0);
        assert_string_equal(def->priv->devices.sounds[0].alias, "sound0");
        assert_string_equal(def->priv->devices.interfaces[0].alias, "net0");
        char *got = argv_lines(def, false);
        assert_null(strstr(got, "addr=0x9"));
        assert_non_null(strstr(got, "intel-hda,id=sound0,"));
        assert_non_null(strstr(got, ",id=net0,"));
        free(got);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_aliases_are_qemu_ids),
                cmocka_unit_test(test_live_aliases_as_libvirt),
                cmocka_unit_test(test_controller_ids),
                cmocka_unit_test(test_user_alias),
                cmocka_unit_test(test_unusable_alias),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
