/* test-selinux-live.c: the SELinux driver's live <seclabel> (golden tests/data/selinux/live.xml, as libvirt's dumpxml shows an sVirt guest), kept through the status file and read back; and a daemon restart: a running guest's MCS pair reserved again from its recorded label, never given to another guest, released when it stops. SELinux need not run here: the driver is driven with its state made by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "selinux-test.h"

#include "domain-conf.h"
#include "domain-model.h"
#include "security-selinux-plan.h"
#include "security.h"

/* guest.xml with SECLABEL replaced and, when uuid_last is not NULL, another UUID ending. */
static DomainDef *guest(const char *seclabel, unsigned flags, const char *uuid_last) {
        char *tmpl = selinux_test_read("guest.xml"), xml[8192];
        char *mark = strstr(tmpl, "SECLABEL");
        assert_non_null(mark);
        snprintf(xml, sizeof xml, "%.*s%s%s", (int) (mark - tmpl), tmpl, seclabel, mark + strlen("SECLABEL"));
        if (uuid_last)
                memcpy(strstr(xml, "3fa0</uuid>"), uuid_last, 4);
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), flags, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        free(tmpl);
        return d;
}

static void init_state(SecuritySelinuxConfig *c) {
        memset(c, 0, sizeof *c);
        snprintf(c->process, sizeof c->process, "%s", selinux_test_base.process);
        snprintf(c->image, sizeof c->image, "%s", selinux_test_base.image);
        snprintf(c->content, sizeof c->content, "%s", selinux_test_base.content);
        assert_int_equal(selinux_mcs_init(&c->mcs, SELINUX_MCS_CATEGORIES), 0);
}

/* The running definition libvirt shows for an sVirt guest: the selinux label first, then
 * DAC's; the status file keeps it and a restarted daemon reads the pair back from it. */
static void live_seclabel(void **state) {
        DomainDef *d = guest("<seclabel type='dynamic' model='dac' relabel='yes'><label>+995:+995</label>"
                             "<imagelabel>+995:+995</imagelabel></seclabel>", 0, NULL);
        SelinuxStartPlan p;
        VbError err = { 0 };
        assert_int_equal(selinux_start_plan(d, &selinux_test_base, 12, 345, &p, &err), 0);
        assert_int_equal(selinux_live_seclabel(d, &p), 0);
        selinux_start_plan_done(&p);
        char *got = domain_def_format(d, 0), *want = selinux_test_read("live.xml");
        if (getenv("VIRTBUS_REGENERATE")) {
                FILE *f = fopen(SELINUX_DATA "/live.xml", "w");
                fputs(got, f);
                fclose(f);
        }
        if (strcmp(got, want) != 0)
                fail_msg("live.xml differs; got:\n%s", got);
        /* the status file's round trip keeps it, and the pair is read back */
        DomainDef *back = domain_def_parse(got, strlen(got), DOMAIN_PARSE_STATUS, &err);
        assert_non_null(back);
        unsigned c1 = 0, c2 = 0;
        assert_int_equal(selinux_live_pair(back, &c1, &c2), 1);
        assert_int_equal(c1, 12);
        assert_int_equal(c2, 345);
        char *again = domain_def_format(back, 0);
        assert_string_equal(again, got);
        free(again);
        free(got);
        free(want);
        domain_def_free(back);
        domain_def_free(d);
}

/* A definition's own <seclabel type='dynamic' model='selinux'/> is filled in; static and none
 * labels stand as written; a recorded label without a pair is refused. */
static void live_seclabel_forms(void **state) {
        DomainDef *d = guest("<seclabel type='dynamic' model='selinux'/>", 0, NULL);
        SelinuxStartPlan p;
        VbError err = { 0 };
        assert_int_equal(selinux_start_plan(d, &selinux_test_base, 7, 9, &p, &err), 0);
        assert_int_equal(selinux_live_seclabel(d, &p), 0);
        selinux_start_plan_done(&p);
        assert_int_equal(d->priv->n_seclabels, 1);
        assert_string_equal(d->priv->seclabels[0].label, "system_u:system_r:svirt_t:s0:c7,c9");
        assert_string_equal(d->priv->seclabels[0].imagelabel, "system_u:object_r:svirt_image_t:s0:c7,c9");
        domain_def_free(d);

        d = guest("<seclabel type='static' model='selinux' relabel='no'><label>system_u:system_r:svirt_t:s0:c1,c2"
                  "</label></seclabel>", 0, NULL);
        char *before = domain_def_format(d, 0);
        assert_int_equal(selinux_start_plan(d, &selinux_test_base, 7, 9, &p, &err), 0);
        assert_int_equal(selinux_live_seclabel(d, &p), 0);
        selinux_start_plan_done(&p);
        char *after = domain_def_format(d, 0);
        assert_string_equal(before, after);
        unsigned c1, c2;
        assert_int_equal(selinux_live_pair(d, &c1, &c2), 0);     /* static: no pair of the allocator's */
        free(before);
        free(after);
        domain_def_free(d);

        d = guest("<seclabel type='dynamic' model='selinux' relabel='yes'><label>system_u:system_r:svirt_t:s0"
                  "</label></seclabel>", DOMAIN_PARSE_STATUS, NULL);
        assert_int_equal(selinux_live_pair(d, &c1, &c2), -EINVAL);
        domain_def_free(d);
}

/* Every pair but (1,2) and the running guest's is taken: after the restart the guest's pair is
 * held again, a new guest gets (1,2), never the running one's; the pair is free once the
 * running guest stops. */
static void restart_keeps_pairs(void **state) {
        SecuritySelinuxConfig c;
        init_state(&c);
        const char *dyn = "<seclabel type='dynamic' model='selinux' relabel='yes'>"
                          "<label>system_u:system_r:svirt_t:s0:c12,c345</label>"
                          "<imagelabel>system_u:object_r:svirt_image_t:s0:c12,c345</imagelabel></seclabel>";
        DomainDef *running = guest(dyn, DOMAIN_PARSE_STATUS, NULL);
        VbError err = { 0 };
        assert_int_equal(security_driver_selinux.reattach(&c, running, &err), 0);
        assert_true(selinux_mcs_has(&c.mcs, 12, 345));
        /* a second guest claiming the same pair (a corrupt status) is refused, naming it */
        DomainDef *clash = guest(dyn, DOMAIN_PARSE_STATUS, "3fa1");
        assert_int_equal(security_driver_selinux.reattach(&c, clash, &err), -1);
        assert_non_null(strstr(err.message, "MCS pair c12,c345 is held by another running guest"));
        domain_def_free(clash);

        for (unsigned a = 0; a < SELINUX_MCS_CATEGORIES; a++)
                for (unsigned b = a + 1; b < SELINUX_MCS_CATEGORIES; b++)
                        if (!(a == 1 && b == 2) && !(a == 12 && b == 345))
                                assert_int_equal(selinux_mcs_reserve(&c.mcs, a, b), 0);
        DomainDef *fresh = guest("", 0, "3fa2");
        ProcessCreds creds = { 0 };
        err = (VbError) { 0 };
        assert_int_equal(security_driver_selinux.set_process(&c, fresh, &creds, &err), 0);
        assert_string_equal(creds.exec_label, "system_u:system_r:svirt_t:s0:c1,c2");
        assert_int_equal(security_driver_selinux.live_label(&c, fresh), 0);
        assert_string_equal(fresh->priv->seclabels[0].label, "system_u:system_r:svirt_t:s0:c1,c2");

        /* no pair is left now; the running guest's comes back when it stops */
        DomainDef *third = guest("", 0, "3fa3");
        assert_int_equal(security_driver_selinux.set_process(&c, third, &creds, &err), -1);
        assert_non_null(strstr(err.message, "no free MCS category pair left"));
        c.guests[0].files_done = true;  /* its files are not on this host */
        security_driver_selinux.restore_files(&c, running);
        assert_false(selinux_mcs_has(&c.mcs, 12, 345));
        err = (VbError) { 0 };
        assert_int_equal(security_driver_selinux.set_process(&c, third, &creds, &err), 0);
        assert_string_equal(creds.exec_label, "system_u:system_r:svirt_t:s0:c12,c345");

        domain_def_free(third);
        domain_def_free(fresh);
        domain_def_free(running);
        security_selinux_done(&c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(live_seclabel),
                cmocka_unit_test(live_seclabel_forms),
                cmocka_unit_test(restart_keeps_pairs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
