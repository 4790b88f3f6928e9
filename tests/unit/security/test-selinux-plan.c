/* test-selinux-plan.c: the SELinux driver's plan for a guest against golden files (tests/data/selinux: dynamic, static with and without relabel, an imagelabel, type='none'), and its file layer on real files (security.selinux and trusted.* attributes are plain extended attributes to root on a host without SELinux): a label taken by two guests, given back by the last, and a record from an earlier boot. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "selinux-test.h"

#include "domain-conf.h"
#include "security-selinux-files.h"
#include "security-selinux-plan.h"

/* guest.xml with its SECLABEL marker replaced, planned with the pair c12,c345. */
static void check(const char *seclabel, const char *golden) {
        char *tmpl = selinux_test_read("guest.xml"), xml[8192];
        char *mark = strstr(tmpl, "SECLABEL");
        assert_non_null(mark);
        snprintf(xml, sizeof xml, "%.*s%s%s", (int) (mark - tmpl), tmpl, seclabel, mark + strlen("SECLABEL"));
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        SelinuxStartPlan p;
        if (selinux_start_plan(d, &selinux_test_base, 12, 345, &p, &err) < 0)
                fail_msg("plan: %s", err.message);
        char *got = selinux_start_plan_format(&p), *want = selinux_test_read(golden);
        assert_non_null(got);
        if (strcmp(got, want) != 0)
                fail_msg("%s differs; got:\n%s", golden, got);
        free(got);
        free(want);
        free(tmpl);
        selinux_start_plan_done(&p);
        domain_def_free(d);
}

static void plan_dynamic(void **state) {
        (void) state;
        check("", "dynamic.plan");
        check("  <seclabel type='dynamic' model='selinux' relabel='yes'/>\n", "dynamic.plan");
}

static void plan_static(void **state) {
        (void) state;
        check("  <seclabel type='static' model='selinux' relabel='yes'>"
              "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>\n", "static-relabel.plan");
        check("  <seclabel type='static' model='selinux' relabel='yes'>"
              "<label>system_u:system_r:svirt_t:s0:c1,c2</label>"
              "<imagelabel>system_u:object_r:svirt_image_t:s0:c7,c8</imagelabel></seclabel>\n",
              "static-imagelabel.plan");
        check("  <seclabel type='static' model='selinux' relabel='no'>"
              "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>\n", "static-norelabel.plan");
}

static void plan_none(void **state) {
        (void) state;
        check("  <seclabel type='none' model='selinux'/>\n", "none.plan");
        /* a DAC seclabel is not SELinux's: the dynamic plan */
        check("  <seclabel type='dynamic' model='dac' relabel='yes'/>\n", "dynamic.plan");
}

static void plan_refused(void **state) {
        (void) state;
        const char *xml = "<domain type='qemu'><name>b</name><memory>1024</memory><os><type>hvm</type></os>"
                          "<seclabel type='static' model='selinux' relabel='yes'/></domain>";
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        SelinuxStartPlan p;
        if (!d)         /* refused by the parser already: fine too */
                return;
        assert_int_equal(selinux_start_plan(d, &selinux_test_base, 1, 2, &p, &err), -1);
        assert_non_null(strstr(err.message, "security label is missing"));
        const SelinuxBase bad = { "nocontext", selinux_test_base.image, selinux_test_base.content };
        const char *ok = "<domain type='qemu'><name>b</name><memory>1024</memory><os><type>hvm</type></os></domain>";
        DomainDef *d2 = domain_def_parse(ok, strlen(ok), 0, &err);
        assert_non_null(d2);
        err = (VbError) { 0 };
        assert_int_equal(selinux_start_plan(d2, &bad, 1, 2, &p, &err), -1);
        assert_non_null(strstr(err.message, "nocontext"));
        domain_def_free(d);
        domain_def_free(d2);
}

static char *label_of(const char *path, char *buf, size_t len) {
        ssize_t n = getxattr(path, "security.selinux", buf, len - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return buf;
}

/* The file layer on a real file: needs root (trusted.* and security.* attributes). */
static void files_shared_and_given_back(void **state) {
        (void) state;
        char dir[] = "/tmp/test-selinux-files-XXXXXX", path[128], buf[256];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/disk.img", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        const char *orig = "system_u:object_r:virt_image_t:s0";
        if (setxattr(path, "security.selinux", orig, strlen(orig) + 1, 0) < 0)
                fail_msg("cannot set security.selinux (not root?): %s", strerror(errno));
        VbError err = { 0 };
        assert_int_equal(selinux_file_take(path, "system_u:object_r:svirt_image_t:s0:c1,c2", &err), 0);
        assert_string_equal(label_of(path, buf, sizeof buf), "system_u:object_r:svirt_image_t:s0:c1,c2");
        assert_int_equal(selinux_file_take(path, "system_u:object_r:svirt_image_t:s0:c1,c2", &err), 0);
        selinux_file_give_back(path);   /* one guest still holds it */
        assert_string_equal(label_of(path, buf, sizeof buf), "system_u:object_r:svirt_image_t:s0:c1,c2");
        assert_int_equal(getxattr(path, "trusted.virtbus.selinux.refs", buf, sizeof buf), 1);
        selinux_file_give_back(path);
        assert_string_equal(label_of(path, buf, sizeof buf), orig);
        assert_true(getxattr(path, "trusted.virtbus.selinux.refs", buf, sizeof buf) < 0);
        /* a record from an earlier boot is stale: the label at take time is the one kept */
        assert_int_equal(selinux_file_take(path, "system_u:object_r:svirt_image_t:s0:c3,c4", &err), 0);
        assert_int_equal(setxattr(path, "trusted.virtbus.selinux.boot", "old", 3, 0), 0);
        assert_int_equal(selinux_file_take(path, "system_u:object_r:svirt_image_t:s0:c5,c6", &err), 0);
        selinux_file_give_back(path);
        assert_string_equal(label_of(path, buf, sizeof buf), "system_u:object_r:svirt_image_t:s0:c3,c4");
        /* a file that is not there: a clear error, nothing left behind */
        char gone[160];
        snprintf(gone, sizeof gone, "%s/gone.img", dir);
        err = (VbError) { 0 };
        assert_int_equal(selinux_file_take(gone, "system_u:object_r:svirt_image_t:s0:c1,c2", &err), -1);
        assert_non_null(strstr(err.message, gone));
        unlink(path);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(plan_dynamic),
                cmocka_unit_test(plan_static),
                cmocka_unit_test(plan_none),
                cmocka_unit_test(plan_refused),
                cmocka_unit_test(files_shared_and_given_back),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
