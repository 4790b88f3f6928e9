/* test-sysinfo.c: lib/sysinfo.c over a fake tree: /sys/class/dmi/id's files and a raw SMBIOS table with a processor (type 4), an installed and an empty memory slot (type 17), as libvirt's <sysinfo> shows them. */
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

#include "sysinfo.h"

static char root[256];

static void put(const char *path, const void *data, size_t n) {
        char full[1024];
        snprintf(full, sizeof full, "%s%s", root, path);
        for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(full, 0755);
                *p = '/';
        }
        FILE *f = fopen(full, "w");
        assert_non_null(f);
        fwrite(data, 1, n, f);
        fclose(f);
}

static void text(const char *file, const char *value) {
        char path[256];
        snprintf(path, sizeof path, "/sys/class/dmi/id/%s", file);
        put(path, value, strlen(value));
}

/* A type 4 structure (SMBIOS 2.6 layout, 0x2a bytes) and two type 17 (0x28 bytes), then 127. */
static size_t table(uint8_t *t) {
        size_t n = 0;
        uint8_t cpu[0x2a] = { 4, 0x2a, 0x00, 0x04, 1, 3, 0xb3, 2 };
        const uint32_t eax = 0x00050657;                    /* family 6, model 85, stepping 7 */
        memcpy(cpu + 0x08, &eax, 4);
        cpu[0x10] = 3;
        cpu[0x12] = 100;                                    /* external clock 100 MHz */
        cpu[0x14] = 0xa0, cpu[0x15] = 0x0f;                 /* max 4000 MHz */
        cpu[0x18] = 0x41;                                   /* populated, enabled */
        cpu[0x20] = 4, cpu[0x22] = 0;
        memcpy(t + n, cpu, sizeof cpu), n += sizeof cpu;
        const char cpu_strings[] = "CPU0\0Intel(R) Corporation\0Intel(R) Xeon(R) <Gold>\0SN-1\0";
        memcpy(t + n, cpu_strings, sizeof cpu_strings), n += sizeof cpu_strings;
        uint8_t mem[0x28] = { 17, 0x28, 0x00, 0x11 };
        mem[0x0c] = 0x00, mem[0x0d] = 0x40;                 /* 16384 MB */
        mem[0x10] = 1, mem[0x11] = 2;
        mem[0x15] = 0x80, mem[0x16] = 0x0c;                 /* 3200 MT/s */
        mem[0x17] = 3, mem[0x18] = 0, mem[0x1a] = 4;
        memcpy(t + n, mem, sizeof mem), n += sizeof mem;
        const char mem_strings[] = "DIMM 0\0BANK 0\0Samsung\0M393A2K43DB3\0";
        memcpy(t + n, mem_strings, sizeof mem_strings), n += sizeof mem_strings;
        uint8_t empty[0x28] = { 17, 0x28, 0x01, 0x11 };    /* no module installed */
        empty[0x10] = 1;
        memcpy(t + n, empty, sizeof empty), n += sizeof empty;
        const char empty_strings[] = "DIMM 1\0";
        memcpy(t + n, empty_strings, sizeof empty_strings), n += sizeof empty_strings;
        uint8_t eot[4] = { 127, 4, 0xff, 0xff };
        memcpy(t + n, eot, 4), n += 4;
        t[n++] = 0, t[n++] = 0;
        return n;
}

static void test_no_dmi(void **state) {
        char *xml = NULL;
        assert_int_equal(sysinfo_smbios_xml("/nonexistent-virtbus-root", &xml), -ENOENT);
        assert_null(xml);
}

static void test_dmi_and_table(void **state) {
        snprintf(root, sizeof root, "/tmp/virtbus-sysinfo-XXXXXX");
        assert_non_null(mkdtemp(root));
        text("bios_vendor", "SeaBIOS\n");
        text("bios_version", "1.16.2-debian-1.16.2-1\n");
        text("bios_date", "04/01/2014\n");
        text("bios_release", "0.0\n");
        text("sys_vendor", "QEMU\n");
        text("product_name", "Standard PC (i440FX + PIIX, 1996)\n");
        text("product_version", "pc-i440fx-7.2\n");
        text("product_serial", "\n");               /* empty: left out */
        text("chassis_vendor", "QEMU & Co\n");
        uint8_t t[1024];
        size_t n = table(t);
        put("/sys/firmware/dmi/tables/DMI", t, n);
        char *xml = NULL;
        assert_int_equal(sysinfo_smbios_xml(root, &xml), 0);
        assert_string_equal(xml,
                "<sysinfo type='smbios'>\n"
                "  <bios>\n"
                "    <entry name='vendor'>SeaBIOS</entry>\n"
                "    <entry name='version'>1.16.2-debian-1.16.2-1</entry>\n"
                "    <entry name='date'>04/01/2014</entry>\n"
                "    <entry name='release'>0.0</entry>\n"
                "  </bios>\n"
                "  <system>\n"
                "    <entry name='manufacturer'>QEMU</entry>\n"
                "    <entry name='product'>Standard PC (i440FX + PIIX, 1996)</entry>\n"
                "    <entry name='version'>pc-i440fx-7.2</entry>\n"
                "  </system>\n"
                "  <chassis>\n"
                "    <entry name='manufacturer'>QEMU &amp; Co</entry>\n"
                "  </chassis>\n"
                "  <processor>\n"
                "    <entry name='socket_destination'>CPU0</entry>\n"
                "    <entry name='type'>Central Processor</entry>\n"
                "    <entry name='manufacturer'>Intel(R) Corporation</entry>\n"
                "    <entry name='signature'>Type 0, Family 6, Model 85, Stepping 7</entry>\n"
                "    <entry name='version'>Intel(R) Xeon(R) &lt;Gold&gt;</entry>\n"
                "    <entry name='external_clock'>100 MHz</entry>\n"
                "    <entry name='max_speed'>4000 MHz</entry>\n"
                "    <entry name='status'>Populated, Enabled</entry>\n"
                "    <entry name='serial_number'>SN-1</entry>\n"
                "  </processor>\n"
                "  <memory_device>\n"
                "    <entry name='size'>16 GB</entry>\n"
                "    <entry name='locator'>DIMM 0</entry>\n"
                "    <entry name='bank_locator'>BANK 0</entry>\n"
                "    <entry name='speed'>3200 MT/s</entry>\n"
                "    <entry name='manufacturer'>Samsung</entry>\n"
                "    <entry name='part_number'>M393A2K43DB3</entry>\n"
                "  </memory_device>\n"
                "</sysinfo>\n");
        free(xml);
        /* a truncated table is read as far as it goes, never past its end */
        put("/sys/firmware/dmi/tables/DMI", t, 0x2a + 10);
        assert_int_equal(sysinfo_smbios_xml(root, &xml), 0);
        assert_non_null(strstr(xml, "</sysinfo>\n"));
        assert_null(strstr(xml, "<memory_device>"));
        free(xml);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_dmi),
                cmocka_unit_test(test_dmi_and_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
