/* test-hostfacts.c: lib/netif.c and lib/hostinfo.c over a fake tree: interfaces with their bridge, bond and vlan structure; CPU times, meminfo, NUMA cells and the CPU map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostinfo.h"
#include "netif.h"
#include "sysfs-devices.h"

static char root[256];

static void put(const char *path, const char *text) {
        char full[1024], dir[1024];
        snprintf(full, sizeof full, "%s%s", root, path);
        snprintf(dir, sizeof dir, "%s", full);
        for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(dir, 0755);
                *p = '/';
        }
        if (text) {
                FILE *f = fopen(full, "w");
                assert_non_null(f);
                fputs(text, f);
                fclose(f);
        } else {
                mkdir(full, 0755);
        }
}

static void iface(const char *name, const char *mac, const char *flags, const char *state, const char *speed) {
        char p[256];
        snprintf(p, sizeof p, "/sys/class/net/%s/address", name);
        put(p, mac);
        snprintf(p, sizeof p, "/sys/class/net/%s/flags", name);
        put(p, flags);
        snprintf(p, sizeof p, "/sys/class/net/%s/operstate", name);
        put(p, state);
        if (speed) {
                snprintf(p, sizeof p, "/sys/class/net/%s/speed", name);
                put(p, speed);
        }
}

static int setup(void **state) {
        snprintf(root, sizeof root, "/tmp/virtbus-hostfacts-XXXXXX");
        assert_non_null(mkdtemp(root));
        iface("eth0", "52:54:00:aa:bb:01\n", "0x1003\n", "up\n", "1000\n");
        iface("eth1", "52:54:00:aa:bb:02\n", "0x1002\n", "down\n", "-1\n");
        iface("br0", "52:54:00:aa:bb:03\n", "0x1003\n", "up\n", NULL);
        put("/sys/class/net/br0/bridge", NULL);
        put("/sys/class/net/br0/brif/eth0", "");
        iface("bond0", "52:54:00:aa:bb:04\n", "0x1003\n", "up\n", NULL);
        put("/sys/class/net/bond0/bonding/slaves", "eth1\n");
        iface("eth0.10", "52:54:00:aa:bb:01\n", "0x1003\n", "up\n", NULL);
        put("/proc/net/vlan/config", "VLAN Dev name    | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
                                     "eth0.10        | 10  | eth0\n");
        put("/proc/stat", "cpu  100 20 30 400 5 6 7 0 0 0\ncpu0 50 10 15 200 2 3 3 0 0 0\n");
        put("/proc/meminfo", "MemTotal:       16000 kB\nMemFree:         4000 kB\n");
        put("/sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:  8000 kB\nNode 1 MemFree:   1234 kB\n");
        put("/sys/devices/system/cpu/present", "0-9\n");
        put("/sys/devices/system/cpu/online", "0-2,8\n");
        return 0;
}

static int teardown(void **state) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
        return 0;
}

static const NetIf *find(const NetIf *l, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(l[i].name, name) == 0)
                        return &l[i];
        fail_msg("%s not listed", name);
        return NULL;
}

static void test_interfaces(void **state) {
        NetIf *l = NULL;
        size_t n = 0;
        assert_int_equal(netif_scan(root, &l, &n), 0);
        assert_int_equal(n, 5);
        assert_string_equal(l[0].name, "bond0");        /* by name */
        const NetIf *eth0 = find(l, n, "eth0"), *eth1 = find(l, n, "eth1");
        assert_true(eth0->up);
        assert_false(eth1->up);
        assert_string_equal(eth0->mac, "52:54:00:aa:bb:01");
        assert_string_equal(eth0->xml, "<interface type='ethernet' name='eth0'>\n"
                                       "  <mac address='52:54:00:aa:bb:01'/>\n"
                                       "  <link speed='1000' state='up'/>\n"
                                       "</interface>\n");
        assert_string_equal(find(l, n, "br0")->xml, "<interface type='bridge' name='br0'>\n"
                                                    "  <mac address='52:54:00:aa:bb:03'/>\n"
                                                    "  <link state='up'/>\n"
                                                    "  <bridge>\n"
                                                    "    <interface type='ethernet' name='eth0'>\n"
                                                    "      <mac address='52:54:00:aa:bb:01'/>\n"
                                                    "      <link speed='1000' state='up'/>\n"
                                                    "    </interface>\n"
                                                    "  </bridge>\n"
                                                    "</interface>\n");
        assert_string_equal(find(l, n, "bond0")->xml, "<interface type='bond' name='bond0'>\n"
                                                      "  <mac address='52:54:00:aa:bb:04'/>\n"
                                                      "  <link state='up'/>\n"
                                                      "  <bond>\n"
                                                      "    <interface type='ethernet' name='eth1'>\n"
                                                      "      <mac address='52:54:00:aa:bb:02'/>\n"
                                                      "      <link state='down'/>\n"
                                                      "    </interface>\n"
                                                      "  </bond>\n"
                                                      "</interface>\n");
        assert_string_equal(find(l, n, "eth0.10")->xml, "<interface type='vlan' name='eth0.10'>\n"
                                                        "  <mac address='52:54:00:aa:bb:01'/>\n"
                                                        "  <link state='up'/>\n"
                                                        "  <vlan tag='10'>\n"
                                                        "    <interface name='eth0'/>\n"
                                                        "  </vlan>\n"
                                                        "</interface>\n");
        netif_free(l, n);
        assert_int_equal(netif_scan("/nonexistent-root", &l, &n), -ENOENT);
}

static void test_node_facts(void **state) {
        HostCpuTimes t;
        long hz = sysconf(_SC_CLK_TCK);
        uint64_t tick = 1000000000ULL / (uint64_t) hz;
        assert_int_equal(hostinfo_cpu_times(root, -1, &t), 0);
        assert_int_equal(t.user_ns, 120 * tick);
        assert_int_equal(t.kernel_ns, (30 + 6 + 7) * tick);
        assert_int_equal(t.idle_ns, 400 * tick);
        assert_int_equal(t.iowait_ns, 5 * tick);
        assert_int_equal(hostinfo_cpu_times(root, 0, &t), 0);
        assert_int_equal(t.user_ns, 60 * tick);
        assert_int_equal(hostinfo_cpu_times(root, 7, &t), -ENOENT);

        uint64_t kib = 0;
        char path[512];
        snprintf(path, sizeof path, "%s/proc/meminfo", root);
        assert_int_equal(hostinfo_meminfo(path, "MemFree", &kib), 0);
        assert_int_equal(kib, 4000);
        assert_int_equal(hostinfo_cell_free_kib(root, 1, &kib), 0);
        assert_int_equal(kib, 1234);
        assert_int_equal(hostinfo_cell_free_kib(root, 0, &kib), -ENOENT);

        uint8_t map[4];
        unsigned online = 0;
        assert_int_equal(hostinfo_cpu_map(root, map, sizeof map, &online), 10);
        assert_int_equal(online, 4);
        assert_int_equal(map[0], 0x07);
        assert_int_equal(map[1], 0x01);
}

/* A second tree: a PCI NIC (virtio) with its driver, and its network interface below it. */
static void test_node_devices(void **state) {
        char saved[200];
        snprintf(saved, sizeof saved, "%.190s", root);
        snprintf(root, sizeof root, "%.190s/devs", saved);
        assert_int_equal(mkdir(root, 0755), 0);
        const char *dev = "/sys/devices/pci0000:00/0000:00:03.0";
        char p[512], target[512];
        snprintf(p, sizeof p, "%s/class", dev);
        put(p, "0x020000\n");
        snprintf(p, sizeof p, "%s/vendor", dev);
        put(p, "0x1af4\n");
        snprintf(p, sizeof p, "%s/device", dev);
        put(p, "0x1041\n");
        put("/sys/bus/drivers/virtio-pci", NULL);
        snprintf(p, sizeof p, "%s%s/driver", root, dev);
        assert_int_equal(symlink("../../../bus/drivers/virtio-pci", p), 0);
        put("/sys/bus/pci/devices", NULL);
        snprintf(p, sizeof p, "%s/sys/bus/pci/devices/0000:00:03.0", root);
        assert_int_equal(symlink("../../../devices/pci0000:00/0000:00:03.0", p), 0);
        snprintf(p, sizeof p, "%s/virtio2/net/eth0/address", dev);
        put(p, "52:54:00:aa:bb:01\n");
        snprintf(p, sizeof p, "%s/virtio2/net/eth0/operstate", dev);
        put(p, "up\n");
        snprintf(p, sizeof p, "%s/virtio2/net/eth0/type", dev);
        put(p, "1\n");
        put("/sys/class/net", NULL);
        snprintf(p, sizeof p, "%s/sys/class/net/eth0", root);
        snprintf(target, sizeof target, "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0");
        assert_int_equal(symlink(target, p), 0);
        put("/sys/class/dmi/id/sys_vendor", "QEMU\n");
        put("/sys/class/dmi/id/product_name", "Standard PC\n");

        SysDev *l = NULL;
        size_t n = 0;
        assert_int_equal(sysdev_scan(root, &l, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(l[0].name, "computer");
        assert_string_equal(l[0].xml, "<device>\n  <name>computer</name>\n  <capability type='system'>\n"
                                      "    <product>Standard PC</product>\n    <hardware>\n      <vendor>QEMU</vendor>\n"
                                      "    </hardware>\n  </capability>\n</device>\n");
        assert_string_equal(l[1].name, "pci_0000_00_03_0");
        assert_string_equal(l[1].parent, "computer");
        assert_string_equal(l[1].xml, "<device>\n  <name>pci_0000_00_03_0</name>\n"
                                      "  <path>/sys/devices/pci0000:00/0000:00:03.0</path>\n  <parent>computer</parent>\n"
                                      "  <driver>\n    <name>virtio-pci</name>\n  </driver>\n"
                                      "  <capability type='pci'>\n    <class>0x020000</class>\n    <domain>0</domain>\n"
                                      "    <bus>0</bus>\n    <slot>3</slot>\n    <function>0</function>\n"
                                      "    <product id='0x1041'/>\n    <vendor id='0x1af4'/>\n  </capability>\n</device>\n");
        assert_string_equal(l[2].name, "net_eth0_52_54_00_aa_bb_01");
        assert_string_equal(l[2].parent, "pci_0000_00_03_0");
        assert_string_equal(l[2].cap, "net");
        assert_non_null(strstr(l[2].xml, "    <interface>eth0</interface>\n    <address>52:54:00:aa:bb:01</address>\n"
                                         "    <link state='up'/>\n    <capability type='80203'/>\n"));
        sysdev_free(l, n);
        snprintf(root, sizeof root, "%s", saved);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_interfaces),
                cmocka_unit_test(test_node_facts),
                cmocka_unit_test(test_node_devices),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
