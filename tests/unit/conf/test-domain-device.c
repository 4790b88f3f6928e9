/* test-domain-device.c: one device element parsed alone (UpdateDevice's argument), and a NIC's <driver>/<target managed> round trip. */
#include "conf-test.h"

#include "domain-conf.h"
#include "domain-device.h"

static void test_interface_alone(void **state) {
        const char *xml = "<interface type='network'><mac address='52:54:00:77:00:01'/>"
                          "<source network='default' bridge='virbr0'/><target dev='vnet0'/>"
                          "<model type='virtio'/><driver name='vhost' queues='4'/><link state='down'/>"
                          "<alias name='net0'/></interface>";
        const char *kind = NULL;
        VbError err = { 0 };
        DomainDevices *dev = domain_device_parse(xml, strlen(xml), &kind, &err);
        assert_non_null(dev);
        assert_string_equal(kind, "interface");
        assert_int_equal(dev->n_interfaces, 1);
        const DomainInterface *n = &dev->interfaces[0];
        assert_string_equal(n->type, "network");
        assert_int_equal(n->mac[5], 1);
        assert_string_equal(n->link_state, "down");
        assert_string_equal(n->driver_name, "vhost");
        assert_true(n->driver_queues.set);
        assert_int_equal(n->driver_queues.v, 4);
        assert_string_equal(n->target_dev, "vnet0");
        domain_device_free(dev);
}

static void test_other_kinds_and_refusals(void **state) {
        const char *kind = NULL;
        VbError err = { 0 };
        const char *disk = "<disk type='file' device='cdrom'><target dev='hdc'/></disk>";
        DomainDevices *dev = domain_device_parse(disk, strlen(disk), &kind, &err);
        assert_non_null(dev);
        assert_string_equal(kind, "disk");
        assert_int_equal(dev->n_disks, 1);
        assert_int_equal(dev->n_interfaces, 0);
        domain_device_free(dev);

        const char *odd = "<frobnicator/>";
        dev = domain_device_parse(odd, strlen(odd), &kind, &err);
        assert_non_null(dev);
        assert_string_equal(kind, "");
        domain_device_free(dev);

        static const char *const bad[] = {
                "<interface type='network'><link state='sideways'/></interface>",      /* not up/down */
                "<interface type='network'><mac address='01:00:00:00:00:01'/></interface>",   /* multicast */
                "<interface><source network='default'/></interface>",                   /* no type */
                "<interface type='network'",                                           /* not XML */
                "<!DOCTYPE x [<!ENTITY a 'b'>]><interface type='user'/>",              /* a DOCTYPE */
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                err = (VbError) { 0 };
                assert_null(domain_device_parse(bad[i], strlen(bad[i]), &kind, &err));
                assert_true(err.code != 0);
        }
}

/* <driver queues> and <target managed='no'> survive a definition's round trip. */
static void test_nic_fields_round_trip(void **state) {
        const char *xml = "<domain type='qemu'><name>n</name><memory>131072</memory><os><type>hvm</type></os>"
                          "<devices><interface type='ethernet'><mac address='52:54:00:10:00:02'/>"
                          "<target dev='mytap0' managed='no'/><model type='virtio'/>"
                          "<driver name='vhost' queues='2'/></interface></devices></domain>";
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, strlen(xml), DOMAIN_PARSE_VALIDATE, &err);
        if (!def)
                print_error("%s\n", err.message);
        assert_non_null(def);
        char *out = domain_def_format(def, 0);
        assert_non_null(out);
        assert_non_null(strstr(out, "<target dev='mytap0' managed='no'/>"));
        assert_non_null(strstr(out, "<driver name='vhost' queues='2'/>"));
        free(out);
        domain_def_free(def);
}

/* A running guest's NIC alias (a hotplugged net1) is kept by the live XML and the status
 * file, dropped by the inactive XML and by a definition; a user's ua- alias stays. */
static void test_nic_alias(void **state) {
        const char *live = "<domain type='qemu' id='3'><name>n</name><memory>131072</memory><os><type>hvm</type></os>"
                           "<devices><interface type='user'><mac address='52:54:00:10:00:03'/>"
                           "<alias name='net1'/></interface></devices></domain>";
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(live, strlen(live), 0, &err);
        assert_non_null(def);
        assert_string_equal(def->priv->devices.interfaces[0].alias, "net1");
        char *out = domain_def_format(def, 0);
        assert_non_null(strstr(out, "<alias name='net1'/>"));
        free(out);
        out = domain_def_format(def, DOMAIN_FORMAT_INACTIVE);
        assert_null(strstr(out, "<alias"));
        free(out);
        domain_def_free(def);

        const char *xml = "<interface type='user'><alias name='net4'/></interface>";
        DomainDevices *dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_non_null(dev);
        assert_null(dev->interfaces[0].alias);
        domain_device_free(dev);
        xml = "<interface type='user'><alias name='ua-mine'/></interface>";
        dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_non_null(dev);
        assert_string_equal(dev->interfaces[0].alias, "ua-mine");

        /* hotplug's helpers: moved to the end, found by MAC, removed */
        DomainDevices to = { 0 };
        uint8_t mac[6];
        memcpy(mac, dev->interfaces[0].mac, 6);
        assert_int_equal(domain_devices_move_interface(&to, dev, 0), 0);
        assert_int_equal(dev->n_interfaces, 0);
        assert_int_equal(domain_devices_find_interface(&to, mac), 0);
        mac[5] ^= 1;
        assert_int_equal(domain_devices_find_interface(&to, mac), -1);
        domain_devices_remove_interface(&to, 0);
        assert_int_equal(to.n_interfaces, 0);
        free(to.interfaces);
        domain_device_free(dev);
}

/* A device attached with a user's alias another device of the guest has is refused, whatever
 * their kinds, as libvirt's; the driver's aliases are no user's. */
static void test_user_alias_taken(void **state) {
        const char *live = "<domain type='qemu' id='3'><name>n</name><memory>131072</memory><os><type>hvm</type></os>"
                           "<devices><disk type='file' device='disk'><source file='/a.img'/><target dev='vda'/>"
                           "<alias name='ua-foo'/></disk><channel type='unix'><target type='virtio' name='a'/>"
                           "<alias name='channel0'/></channel></devices></domain>";
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(live, strlen(live), 0, &err);
        assert_non_null(def);
        const char *xml = "<channel type='unix'><target type='virtio' name='b'/><alias name='ua-foo'/></channel>";
        DomainDevices *dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_non_null(dev);
        assert_int_equal(domain_devices_aliases_free(&def->priv->devices, dev, &err), -1);
        assert_string_equal(err.message, "unsupported configuration: non unique alias detected: ua-foo");
        vb_error_clear(&err);
        domain_device_free(dev);
        xml = "<channel type='unix'><target type='virtio' name='b'/><alias name='ua-bar'/></channel>";
        dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_int_equal(domain_devices_aliases_free(&def->priv->devices, dev, &err), 0);
        domain_device_free(dev);
        xml = "<channel type='unix'><target type='virtio' name='b'/></channel>";
        dev = domain_device_parse(xml, strlen(xml), NULL, &err);
        assert_int_equal(domain_devices_aliases_free(&def->priv->devices, dev, &err), 0);
        domain_device_free(dev);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interface_alone),
                cmocka_unit_test(test_other_kinds_and_refusals),
                cmocka_unit_test(test_nic_fields_round_trip),
                cmocka_unit_test(test_nic_alias),
                cmocka_unit_test(test_user_alias_taken),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
