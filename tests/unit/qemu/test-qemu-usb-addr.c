/* test-qemu-usb-addr.c: USB ports given to redirdevs and hubs at define time (qemu-usb-addr.c),
 * as libvirt numbers them for virt-install's XML, and the command line that uses them. */
#include "qemu-test.h"

static char *argv_line(DomainDef *def) {
        QemuTestInput t;
        qt_input(&t, def, false);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        if (!argv)
                print_error("%s\n", err.message);
        assert_non_null(argv);
        char *line = qemu_command_to_string(argv);
        qemu_argv_free(argv);
        qt_input_done(&t);
        return line;
}

/* virt-install's i440fx guest: a USB tablet (port 1, QEMU's own choice, first on the command
 * line), then two SPICE redirdevs: ports 2 and 3, in the XML and on the command line. */
static void test_virtinst_redirdevs(void **state) {
        DomainDef *def = qt_parse("virtinst-linux2022-pc");
        VbError err = { 0 };
        assert_int_equal(qemu_define_usb_addresses(def, &err), 0);
        const DomainDevices *d = &def->priv->devices;
        assert_int_equal(d->n_redirdevs, 2);
        for (size_t i = 0; i < 2; i++) {
                assert_string_equal(d->redirdevs[i].address.type, "usb");
                assert_string_equal(d->redirdevs[i].address.bus, "0");
        }
        assert_string_equal(d->redirdevs[0].address.port, "2");
        assert_string_equal(d->redirdevs[1].address.port, "3");
        char *line = argv_line(def);
        assert_non_null(strstr(line, " usb-redir,chardev=charredir0,id=redir0,bus=usb.0,port=2 "));
        assert_non_null(strstr(line, " usb-redir,chardev=charredir1,id=redir1,bus=usb.0,port=3 "));
        assert_non_null(strstr(line, " usb-tablet,id=input0,bus=usb.0 "));
        free(line);
        /* defined again (a redefinition of the persistent XML): the ports stay */
        assert_int_equal(qemu_define_usb_addresses(def, &err), 0);
        assert_string_equal(d->redirdevs[1].address.port, "3");
        domain_def_free(def);
}

/* A port written in the XML is kept, and the others skip it; a bad one is refused by name. */
static void test_explicit_port(void **state) {
        DomainDef *def = qt_parse("virtinst-linux2022-pc");
        DomainDevices *d = &def->priv->devices;
        d->redirdevs[1].address.type = strdup("usb");
        d->redirdevs[1].address.port = strdup("2");
        VbError err = { 0 };
        assert_int_equal(qemu_define_usb_addresses(def, &err), 0);
        assert_string_equal(d->redirdevs[0].address.port, "3");
        assert_string_equal(d->redirdevs[1].address.port, "2");
        free(d->redirdevs[1].address.port);
        d->redirdevs[1].address.port = strdup("x1");
        free(d->redirdevs[0].address.port);
        d->redirdevs[0].address.port = strdup("3");
        assert_int_equal(qemu_define_usb_addresses(def, &err), -1);
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_string_equal(err.message, "XML error: invalid USB port 'x1' in <redirdev> <address>");
        vb_error_clear(&err);
        domain_def_free(def);
}

/* Hotplug: the lowest port no device holds (the tablet's implicit 1, the redirdevs' 2 and 3),
 * a chosen one when free, and the refusals; a hotplugged input keeps its id and port on the
 * command line (a live definition restored). */
static void test_hotplug_port(void **state) {
        DomainDef *def = qt_parse("virtinst-linux2022-pc");
        VbError err = { 0 };
        assert_int_equal(qemu_define_usb_addresses(def, &err), 0);
        assert_int_equal(qemu_usb_free_port(def, 0, "<input>", &err), 4);
        assert_int_equal(qemu_usb_free_port(def, 7, "<input>", &err), 7);
        assert_int_equal(qemu_usb_free_port(def, 2, "<input>", &err), -1);
        assert_string_equal(err.message, "XML error: USB port 2 is already in use");
        vb_error_clear(&err);
        assert_int_equal(qemu_usb_free_port(def, 16, "<input>", &err), -1);
        assert_non_null(strstr(err.message, "USB port 16 does not exist (the controller has 15)"));
        vb_error_clear(&err);
        DomainDevices *d = &def->priv->devices;
        DomainInputDev *in = conf_array_add(&d->inputs, &d->n_inputs, sizeof *in);
        assert_non_null(in);
        in->type = strdup("keyboard");
        in->bus = strdup("usb");
        in->alias = strdup("input5");
        in->address.type = strdup("usb");
        in->address.bus = strdup("0");
        in->address.port = strdup("4");
        assert_int_equal(qemu_usb_free_port(def, 0, "<input>", &err), 5);
        char *line = argv_line(def);
        assert_non_null(strstr(line, " usb-kbd,id=input5,bus=usb.0,port=4 "));
        free(line);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_virtinst_redirdevs),
                cmocka_unit_test(test_explicit_port),
                cmocka_unit_test(test_hotplug_port),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
