/* test-disk-seclabel.c: a disk's own <source><seclabel model=… relabel=…>: kept by the XML round trip, honoured by the SELinux plan (golden tests/data/selinux/disk-seclabel.plan: a disk left alone, a disk with its own label) and by the DAC driver on real files (a disk with relabel='no' keeps its owner, one with its own <label> — ids or user and group names — gets that owner, the others QEMU's user; all given back; an unknown name refused with libvirt's error, nothing changed). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "selinux-test.h"

#include "domain-conf.h"
#include "security-selinux-plan.h"
#include "security.h"

#define DOMAIN_FMT \
        "<domain type='qemu'><name>ds</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fb0</uuid>" \
        "<memory>65536</memory><os><type>hvm</type></os><devices>" \
        "<disk type='file' device='disk'><source file='%s'>" \
        "<seclabel model='selinux' relabel='no'/><seclabel model='dac' relabel='no'/></source>" \
        "<target dev='vda'/></disk>" \
        "<disk type='file' device='disk'><source file='%s'>" \
        "<seclabel model='selinux' relabel='yes'><label>system_u:object_r:svirt_image_t:s0:c1,c2</label>" \
        "</seclabel></source><target dev='vdb'/></disk>" \
        "<disk type='file' device='disk'><source file='%s'/><target dev='vdc'/></disk>" \
        "<disk type='file' device='disk'><source file='%s'><seclabel model='dac' relabel='yes'>" \
        "<label>+4300:+4301</label></seclabel></source><target dev='vdd'/></disk>" \
        "</devices></domain>"

static DomainDef *parse(const char *a, const char *b, const char *c, const char *e) {
        char xml[4096];
        snprintf(xml, sizeof xml, DOMAIN_FMT, a, b, c, e);
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        return d;
}

static void xml_round_trip(void **state) {
        DomainDef *d = parse("/srv/a.img", "/srv/b.img", "/srv/c.img", "/srv/d.img");
        char *out = domain_def_format(d, 0);
        assert_non_null(strstr(out, "      <source file='/srv/a.img'>\n"
                                    "        <seclabel model='selinux' relabel='no'/>\n"
                                    "        <seclabel model='dac' relabel='no'/>\n"
                                    "      </source>\n"));
        assert_non_null(strstr(out, "      <source file='/srv/b.img'>\n"
                                    "        <seclabel model='selinux' relabel='yes'>\n"
                                    "          <label>system_u:object_r:svirt_image_t:s0:c1,c2</label>\n"
                                    "        </seclabel>\n"
                                    "      </source>\n"));
        assert_non_null(strstr(out, "      <source file='/srv/c.img'/>\n"));
        VbError err = { 0 };
        DomainDef *again = domain_def_parse(out, strlen(out), 0, &err);
        assert_non_null(again);
        char *out2 = domain_def_format(again, 0);
        assert_string_equal(out, out2);
        DomainDef *copy = domain_def_copy(again);
        char *out3 = domain_def_format(copy, 0);
        assert_string_equal(out, out3);
        free(out3);
        free(out2);
        free(out);
        domain_def_free(copy);
        domain_def_free(again);
        domain_def_free(d);

        /* libvirt's refusals */
        const char *bad = "<domain type='qemu'><name>x</name><memory>1024</memory><os><type>hvm</type></os><devices>"
                          "<disk type='file'><source file='/x'><seclabel model='dac' relabel='no'><label>+0:+0</label>"
                          "</seclabel></source><target dev='vda'/></disk></devices></domain>";
        assert_null(domain_def_parse(bad, strlen(bad), 0, &err));
        assert_string_equal(err.message, "XML error: Cannot specify a label if relabelling is turned off. model=dac");
}

static void selinux_plan(void **state) {
        DomainDef *d = parse("/srv/a.img", "/srv/b.img", "/srv/c.img", "/srv/d.img");
        SelinuxStartPlan p;
        VbError err = { 0 };
        assert_int_equal(selinux_start_plan(d, &selinux_test_base, 12, 345, &p, &err), 0);
        char *got = selinux_start_plan_format(&p), *want = selinux_test_read("disk-seclabel.plan");
        if (strcmp(got, want) != 0)
                fail_msg("disk-seclabel.plan differs; got:\n%s", got);
        free(got);
        free(want);
        selinux_start_plan_done(&p);
        domain_def_free(d);
}

static void dac_files(void **state) {
        if (geteuid() != 0)
                fail_msg("needs root (chown, trusted.* attributes)");
        char dir[] = "/tmp/virtbus-disk-seclabel-XXXXXX";
        assert_non_null(mkdtemp(dir));
        assert_int_equal(chmod(dir, 0755), 0);
        char a[256], b[256], c[256], e[256];
        snprintf(a, sizeof a, "%s/a.img", dir);
        snprintf(b, sizeof b, "%s/b.img", dir);
        snprintf(c, sizeof c, "%s/c.img", dir);
        snprintf(e, sizeof e, "%s/d.img", dir);
        for (const char *const *f = (const char *const[]) { a, b, c, e, NULL }; *f; f++) {
                FILE *fp = fopen(*f, "w");
                assert_non_null(fp);
                fclose(fp);
                assert_int_equal(chmod(*f, 0666), 0);
        }
        DomainDef *d = parse(a, b, c, e);
        SecurityDacConfig cfg = { .uid = 4200, .gid = 4201, .dynamic_ownership = true, .remember_owner = true };
        VbError err = { 0 };
        if (security_driver_dac.set_files(&cfg, d, &err) < 0)
                fail_msg("set_files: %s", err.message);
        struct stat st;
        assert_int_equal(stat(a, &st), 0);
        assert_int_equal(st.st_uid, 0);         /* relabel='no': left alone */
        assert_int_equal(stat(b, &st), 0);
        assert_int_equal(st.st_uid, 4200);      /* a selinux seclabel says nothing about DAC */
        assert_int_equal(stat(c, &st), 0);
        assert_int_equal(st.st_uid, 4200);
        assert_int_equal(st.st_gid, 4201);
        assert_int_equal(stat(e, &st), 0);
        assert_int_equal(st.st_uid, 4300);      /* its own DAC label */
        assert_int_equal(st.st_gid, 4301);
        security_driver_dac.restore_files(&cfg, d);
        for (const char *const *f = (const char *const[]) { a, b, c, e, NULL }; *f; f++) {
                assert_int_equal(stat(*f, &st), 0);
                assert_int_equal(st.st_uid, 0);
                assert_int_equal(st.st_gid, 0);
        }
        domain_def_free(d);

        /* owners by name, resolved by the daemon at the start; an unknown name refused with
         * libvirt's words, nothing changed */
        struct passwd *pw = getpwnam("daemon");
        struct group *gr = getgrnam("daemon");
        assert_non_null(pw);
        assert_non_null(gr);
        uid_t daemon_uid = pw->pw_uid;
        gid_t daemon_gid = gr->gr_gid;
        static const struct {
                const char *label, *error;
                long uid, gid;
        } cases[] = {
                { "daemon:daemon", NULL, -1, -1 },
                { "+4300:daemon", NULL, 4300, -1 },
                { "4302:4303", NULL, 4302, 4303 },      /* no such names: read as numbers, as libvirt */
                { "no-such-user:daemon", "invalid argument: Failed to parse user 'no-such-user'", 0, 0 },
                { "daemon:no-such-group", "invalid argument: Failed to parse group 'no-such-group'", 0, 0 },
                { "+x:+1", "invalid argument: Failed to parse user 'x'", 0, 0 },
                { "daemon", "invalid argument: Failed to parse uid and gid from 'daemon'", 0, 0 },
        };
        /* pass 0: set_files looks names up itself; pass 1: as the daemon, from a table looked
         * up before (security-dac-names.c): the same answers and errors */
        for (size_t k = 0; k < 2 * (sizeof cases / sizeof cases[0]); k++) {
                bool table = k >= sizeof cases / sizeof cases[0];
                if (table)
                        k -= sizeof cases / sizeof cases[0];
                char xml[4096], label[4096];
                snprintf(xml, sizeof xml, DOMAIN_FMT, a, b, c, e);
                char *at = strstr(xml, "+4300:+4301");
                snprintf(label, sizeof label, "%s%s", cases[k].label, at + strlen("+4300:+4301"));
                snprintf(at, sizeof xml - (size_t) (at - xml), "%s", label);
                err = (VbError) { 0 };
                d = domain_def_parse(xml, strlen(xml), 0, &err);
                if (!d)
                        fail_msg("%s: parse: %s", cases[k].label, err.message);
                SecurityDacNames names = { 0 };
                assert_int_equal(security_dac_names_of(d, &names), 0);
                if (table)
                        security_dac_names_lookup(&names);
                cfg.names = table ? &names : NULL;
                int r = security_driver_dac.set_files(&cfg, d, &err);
                if (cases[k].error) {
                        assert_int_equal(r, -1);
                        assert_string_equal(err.message, cases[k].error);
                        for (const char *const *f = (const char *const[]) { a, b, c, e, NULL }; *f; f++) {
                                assert_int_equal(stat(*f, &st), 0);
                                assert_int_equal(st.st_uid, 0);
                        }
                } else {
                        if (r < 0)
                                fail_msg("%s: set_files: %s", cases[k].label, err.message);
                        assert_int_equal(stat(e, &st), 0);
                        assert_int_equal(st.st_uid, cases[k].uid < 0 ? daemon_uid : (uid_t) cases[k].uid);
                        assert_int_equal(st.st_gid, cases[k].gid < 0 ? daemon_gid : (gid_t) cases[k].gid);
                        assert_int_equal(stat(c, &st), 0);
                        assert_int_equal(st.st_uid, 4200);
                        security_driver_dac.restore_files(&cfg, d);
                        assert_int_equal(stat(e, &st), 0);
                        assert_int_equal(st.st_uid, 0);
                        assert_int_equal(st.st_gid, 0);
                }
                domain_def_free(d);
                security_dac_names_free(&names);
                cfg.names = NULL;
                if (table)
                        k += sizeof cases / sizeof cases[0];
        }
        /* a table nobody looked up: set_files never asks NSS itself, the name is not found */
        char xml[4096], rest[4096];
        snprintf(xml, sizeof xml, DOMAIN_FMT, a, b, c, e);
        char *at = strstr(xml, "+4300:+4301");
        snprintf(rest, sizeof rest, "daemon:+4301%s", at + strlen("+4300:+4301"));
        snprintf(at, sizeof xml - (size_t) (at - xml), "%s", rest);
        err = (VbError) { 0 };
        d = domain_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(d);
        SecurityDacNames names = { 0 };
        assert_int_equal(security_dac_names_of(d, &names), 0);
        assert_int_equal(names.n, 1);
        assert_string_equal(names.v[0].name, "daemon");
        assert_false(names.v[0].group);
        cfg.names = &names;
        assert_int_equal(security_driver_dac.set_files(&cfg, d, &err), -1);
        assert_string_equal(err.message, "invalid argument: Failed to parse user 'daemon'");
        security_dac_names_free(&names);
        domain_def_free(d);
        for (const char *const *f = (const char *const[]) { a, b, c, e, NULL }; *f; f++)
                unlink(*f);
        rmdir(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(xml_round_trip),
                cmocka_unit_test(selinux_plan),
                cmocka_unit_test(dac_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
