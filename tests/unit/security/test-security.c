/* test-security.c: the files of a definition, the DAC owner records (take, share, give back, stale), the access check, the cgroup cpu plan. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "domain-conf.h"
#include "../../../drivers/security/security-dac.h"

static DomainDef *parse(const char *xml) {
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!def)
                print_error("parse: %s\n", err.message);
        assert_non_null(def);
        return def;
}

static void test_paths(void **state) {
        DomainDef *def = parse(
                "<domain type='qemu'><name>p</name><memory>65536</memory>"
                "<os><type>hvm</type><kernel>/b/vmlinuz</kernel><initrd>/b/initrd</initrd></os><devices>"
                "<disk type='file' device='disk'><source file='/i/a.img'/><target dev='vda' bus='virtio'/></disk>"
                "<disk type='file' device='disk'><source file='/i/a.img'/><target dev='vdb' bus='virtio'/><readonly/></disk>"
                "<disk type='file' device='cdrom'><source file='/i/cd.iso'/><target dev='hdc' bus='ide'/></disk>"
                "<serial type='file'><source path='/l/console'/><target port='0'/></serial>"
                "<console type='file'><source path='/l/console'/><target type='serial' port='0'/></console>"
                "<serial type='pty'><target port='1'/></serial>"
                "</devices></domain>");
        SecurityPaths p;
        assert_int_equal(security_paths_of(def, &p), 0);
        assert_int_equal(p.n, 5);
        /* A path named twice is there once, writable when either says so. */
        assert_string_equal(p.v[0].path, "/i/a.img");
        assert_false(p.v[0].readonly);
        assert_int_equal(p.v[0].kind, SECURITY_PATH_DISK);
        assert_string_equal(p.v[1].path, "/i/cd.iso");
        assert_true(p.v[1].readonly);
        assert_string_equal(p.v[2].path, "/b/vmlinuz");
        assert_int_equal(p.v[2].kind, SECURITY_PATH_BOOT);
        assert_string_equal(p.v[3].path, "/b/initrd");
        assert_string_equal(p.v[4].path, "/l/console");
        assert_int_equal(p.v[4].kind, SECURITY_PATH_CHARDEV);
        security_paths_free(&p);
        domain_def_free(def);
}

static char dir[] = "/tmp/virtbus-sec-XXXXXX";

static char *file_in(const char *name, mode_t mode) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, mode);
        assert_true(fd >= 0);
        close(fd);
        assert_int_equal(chmod(p, mode), 0);
        return p;
}

static void owner_is(const char *p, uid_t u, gid_t g) {
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_uid, u);
        assert_int_equal(st.st_gid, g);
}

static void test_owner_records(void **state) {
        if (geteuid() != 0) {
                skip();
                return;
        }
        char *p = file_in("img", 0640);
        assert_int_equal(chown(p, 4321, 4322), 0);
        VbError err = { 0 };
        /* Two guests take it: the first one's record counts both. */
        assert_int_equal(dac_owner_take(p, 995, 995, true, &err), 0);
        assert_int_equal(dac_owner_take(p, 995, 995, true, &err), 0);
        owner_is(p, 995, 995);
        char v[32] = "";
        assert_true(getxattr(p, "trusted.virtbus.dac.refs", v, sizeof v - 1) > 0);
        assert_string_equal(v, "2");
        memset(v, 0, sizeof v);
        assert_true(getxattr(p, "trusted.virtbus.dac.owner", v, sizeof v - 1) > 0);
        assert_string_equal(v, "4321:4322");
        dac_owner_give_back(p, true);
        owner_is(p, 995, 995);
        dac_owner_give_back(p, true);
        owner_is(p, 4321, 4322);
        assert_true(getxattr(p, "trusted.virtbus.dac.refs", v, sizeof v) < 0);
        /* Without a record nothing is given back (no guess at an owner). */
        dac_owner_give_back(p, true);
        owner_is(p, 4321, 4322);
        /* A record from an earlier boot is stale: the owner now is the one remembered. */
        assert_int_equal(chown(p, 995, 995), 0);
        setxattr(p, "trusted.virtbus.dac.owner", "1:1", 3, 0);
        setxattr(p, "trusted.virtbus.dac.refs", "1", 1, 0);
        setxattr(p, "trusted.virtbus.dac.boot", "not-this-boot", 13, 0);
        assert_int_equal(dac_owner_take(p, 996, 996, true, &err), 0);
        memset(v, 0, sizeof v);
        assert_true(getxattr(p, "trusted.virtbus.dac.owner", v, sizeof v - 1) > 0);
        assert_string_equal(v, "995:995");
        dac_owner_give_back(p, true);
        owner_is(p, 995, 995);
        /* remember_owner = 0: libvirt's rule, root:root. */
        assert_int_equal(dac_owner_take(p, 996, 996, false, &err), 0);
        owner_is(p, 996, 996);
        dac_owner_give_back(p, false);
        owner_is(p, 0, 0);
        unlink(p);
        free(p);
}

static void test_access(void **state) {
        if (geteuid() != 0) {
                skip();
                return;
        }
        gid_t groups[] = { 4000 };
        SecurityDacConfig c = { .uid = 4100, .gid = 4100, .groups = groups, .n_groups = 1 };
        char *p = file_in("acc", 0600), where[512];
        assert_int_equal(chown(p, 4100, 0), 0);
        assert_int_equal(dac_check_access(p, &c, true, where, sizeof where), 0);
        assert_int_equal(chown(p, 0, 4000), 0);
        assert_int_equal(dac_check_access(p, &c, false, where, sizeof where), -EACCES);
        assert_string_equal(where, p);
        assert_int_equal(chmod(p, 0640), 0);
        assert_int_equal(dac_check_access(p, &c, false, where, sizeof where), 0);     /* by a supplementary group */
        assert_int_equal(dac_check_access(p, &c, true, where, sizeof where), -EACCES);
        /* The directory in the way is named. */
        assert_int_equal(chmod(dir, 0700), 0);
        assert_int_equal(dac_check_access(p, &c, false, where, sizeof where), -EACCES);
        assert_string_equal(where, dir);
        assert_int_equal(chmod(dir, 0755), 0);
        unlink(p);
        free(p);
}

static void test_cgroup_plan(void **state) {
        CgroupWrite w[CGROUP_MAX_WRITES];
        CgroupCpuTune t = { .has_shares = true, .shares = 512, .period_us = 100000, .quota_us = 50000 };
        assert_int_equal(cgroup_cpu_plan(&t, false, w), 3);
        assert_string_equal(w[0].file, "cpu.shares");
        assert_string_equal(w[0].value, "512");
        assert_string_equal(w[1].file, "cpu.cfs_period_us");
        assert_string_equal(w[2].file, "cpu.cfs_quota_us");
        assert_string_equal(w[2].value, "50000");
        assert_int_equal(cgroup_cpu_plan(&t, true, w), 2);
        assert_string_equal(w[0].file, "cpu.weight");
        assert_string_equal(w[0].value, "20");
        assert_string_equal(w[1].file, "cpu.max");
        assert_string_equal(w[1].value, "50000 100000");
        /* The default shares (1024) give weight 39, as in libvirt; no quota is "max". */
        t = (CgroupCpuTune) { .has_shares = true, .shares = 1024, .period_us = 20000, .quota_us = -1 };
        assert_int_equal(cgroup_cpu_plan(&t, true, w), 2);
        assert_string_equal(w[0].value, "39");
        assert_string_equal(w[1].value, "max 20000");
        assert_int_equal(cgroup_cpu_plan(&t, false, w), 3);
        assert_string_equal(w[2].value, "-1");
        t = (CgroupCpuTune) { 0 };
        assert_int_equal(cgroup_cpu_plan(&t, false, w), 0);
}

static void test_memory_plan(void **state) {
        CgroupWrite w[CGROUP_MAX_WRITES];
        CgroupMemTune t = { .hard_kib = 1048576, .soft_kib = 524288, .swap_hard_kib = 2097152 };
        assert_int_equal(cgroup_memory_plan(&t, false, w), 3);
        assert_string_equal(w[0].controller, "memory");
        assert_string_equal(w[0].file, "memory.limit_in_bytes");
        assert_string_equal(w[0].value, "1073741824");
        assert_string_equal(w[1].file, "memory.soft_limit_in_bytes");
        assert_string_equal(w[1].value, "536870912");
        assert_string_equal(w[2].file, "memory.memsw.limit_in_bytes");
        assert_string_equal(w[2].value, "2147483648");
        /* v2: swap.max counts the swap alone. */
        assert_int_equal(cgroup_memory_plan(&t, true, w), 3);
        assert_string_equal(w[0].file, "memory.max");
        assert_string_equal(w[1].file, "memory.high");
        assert_string_equal(w[2].file, "memory.swap.max");
        assert_string_equal(w[2].value, "1073741824");
        t = (CgroupMemTune) { .soft_kib = 1 };
        assert_int_equal(cgroup_memory_plan(&t, true, w), 1);
        assert_string_equal(w[0].value, "1024");
        t = (CgroupMemTune) { 0 };
        assert_int_equal(cgroup_memory_plan(&t, false, w), 0);
}

int main(void) {
        assert_non_null(mkdtemp(dir));
        chmod(dir, 0755);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_owner_records),
                cmocka_unit_test(test_access),
                cmocka_unit_test(test_cgroup_plan),
                cmocka_unit_test(test_memory_plan),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        rmdir(dir);
        return r;
}
