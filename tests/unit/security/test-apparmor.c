/* test-apparmor.c: the AppArmor profile generator against its golden file (tests/data/apparmor), the paths it refuses to write into a profile, and the probe on this host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain-conf.h"
#include "security-apparmor.h"

static char *slurp(const char *name) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", APPARMOR_DATA, name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return strdup(buf);
}

static DomainDef *parse(const char *xml) {
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        return d;
}

static void golden_profile(void **state) {
        (void) state;
        char *xml = slurp("guest.xml"), *want = slurp("guest.profile");
        DomainDef *d = parse(xml);
        VbError err = { 0 };
        char *got = apparmor_profile_generate(d, "/var/log/virtbus/qemu/aa.log", &err);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
        domain_def_free(d);
        free(xml);
        free(want);
}

static void unsafe_paths_refused(void **state) {
        (void) state;
        /* a quote, a backslash, not absolute, a newline (a character reference: XML keeps it) */
        const char *bad[] = { "/srv/a\"b.img", "/srv/a\\b.img", "relative.img", "/srv/new&#10;line.img" };
        for (size_t i = 0; i < 4; i++) {
                char xml[1024];
                snprintf(xml, sizeof xml,
                         "<domain type='qemu'><name>b</name><memory>1024</memory><os><type>hvm</type></os>"
                         "<devices><disk type='file' device='disk'><source file='%s'/><target dev='vda'/></disk>"
                         "</devices></domain>", bad[i]);
                VbError err = { 0 };
                DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
                assert_non_null(d);
                char *got = apparmor_profile_generate(d, NULL, &err);
                assert_null(got);
                assert_non_null(strstr(err.message, "into an AppArmor profile"));
                domain_def_free(d);
        }
}

/* The commands for a guest: load before exec, the profile QEMU is executed in, removal. */
static void golden_commands(void **state) {
        (void) state;
        char *xml = slurp("guest.xml"), *want = slurp("commands.plan");
        DomainDef *d = parse(xml);
        VbError err = { 0 };
        ApparmorPlan p;
        assert_int_equal(apparmor_command_plan(d, "/var/lib/virtbus/apparmor", &p, &err), 0);
        assert_null(p.load_argv[3]);
        assert_null(p.remove_argv[3]);
        char *got = apparmor_command_plan_format(&p);
        assert_non_null(got);
        assert_string_equal(got, want);
        err = (VbError) { 0 };
        assert_int_equal(apparmor_command_plan(d, "relative/dir", &p, &err), -1);
        assert_non_null(strstr(err.message, "relative/dir"));
        free(got);
        domain_def_free(d);
        free(xml);
        free(want);
}

static void inactive_here(void **state) {
        (void) state;
        char why[256];
        if (!security_apparmor_active(why, sizeof why))
                assert_non_null(strstr(why, "AppArmor is not enabled on this host"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(golden_profile),
                cmocka_unit_test(unsafe_paths_refused),
                cmocka_unit_test(golden_commands),
                cmocka_unit_test(inactive_here),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
