/* test-selinux.c: sVirt's pure parts: 10^6 MCS allocations (never c1 == c2, never a pair of a running guest), a nearly full set, context arithmetic, and the seclabel plan of a definition (dynamic, static, relabel='no', type='none'). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain-conf.h"
#include "security-selinux-label.h"
#include "security.h"

static uint32_t xorshift(void *ctx) {
        uint32_t *x = ctx;
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        return *x;
}

#define RUNNING 2000            /* guests running at once */

/* 10^6 starts, each guest stopping RUNNING starts later: every pair c1 < c2 and none held by a
 * running guest (the set's own bits are checked against an independent list). */
static void million_allocations(void **state) {
        (void) state;
        SelinuxMcsSet s;
        assert_int_equal(selinux_mcs_init(&s, SELINUX_MCS_CATEGORIES), 0);
        static unsigned ring[RUNNING][2];
        uint32_t seed = 0x9e3779b9u;
        size_t dup = 0;
        for (size_t i = 0; i < 1000000; i++) {
                size_t slot = i % RUNNING;
                if (i >= RUNNING)
                        selinux_mcs_release(&s, ring[slot][0], ring[slot][1]);
                unsigned c1, c2;
                assert_int_equal(selinux_mcs_alloc(&s, xorshift, &seed, &c1, &c2), 0);
                assert_true(c1 < c2);
                assert_true(c2 < SELINUX_MCS_CATEGORIES);
                /* against the running ones, by a plain search every 100th start */
                if (i % 100 == 0)
                        for (size_t k = 0; k < RUNNING && k < i; k++)
                                if (k != slot && ring[k][0] == c1 && ring[k][1] == c2)
                                        dup++;
                ring[slot][0] = c1;
                ring[slot][1] = c2;
        }
        assert_int_equal(dup, 0);
        assert_int_equal(s.used, RUNNING);
        selinux_mcs_done(&s);
}

/* A small range filled completely: every pair handed out once, then -EBUSY. */
static void full_range(void **state) {
        (void) state;
        SelinuxMcsSet s;
        assert_int_equal(selinux_mcs_init(&s, 8), 0);
        uint32_t seed = 1;
        for (int i = 0; i < 28; i++) {          /* 8 * 7 / 2 pairs */
                unsigned a, b;
                assert_int_equal(selinux_mcs_alloc(&s, xorshift, &seed, &a, &b), 0);
                assert_true(a < b);
        }
        unsigned a, b;
        assert_int_equal(selinux_mcs_alloc(&s, xorshift, &seed, &a, &b), -EBUSY);
        selinux_mcs_release(&s, 2, 5);
        assert_int_equal(selinux_mcs_alloc(&s, xorshift, &seed, &a, &b), 0);
        assert_int_equal(a, 2);
        assert_int_equal(b, 5);
        assert_int_equal(selinux_mcs_reserve(&s, 2, 5), -EEXIST);
        assert_int_equal(selinux_mcs_reserve(&s, 5, 2), -EINVAL);
        assert_int_equal(selinux_mcs_reserve(&s, 3, 3), -EINVAL);
        selinux_mcs_done(&s);
}

static void contexts(void **state) {
        (void) state;
        char out[256];
        unsigned a, b;
        assert_int_equal(selinux_context_with_mcs("system_u:system_r:svirt_t:s0", 12, 345, out, sizeof out), 0);
        assert_string_equal(out, "system_u:system_r:svirt_t:s0:c12,c345");
        assert_int_equal(selinux_context_with_mcs("system_u:object_r:svirt_image_t:s0-s0:c0.c1023", 1, 2, out,
                                                  sizeof out), 0);
        assert_string_equal(out, "system_u:object_r:svirt_image_t:s0:c1,c2");
        assert_int_equal(selinux_context_with_mcs("system_u:system_r:svirt_tcg_t", 7, 9, out, sizeof out), 0);
        assert_string_equal(out, "system_u:system_r:svirt_tcg_t:s0:c7,c9");
        assert_int_equal(selinux_context_with_mcs("u:r:t:s2:c1,c2", 3, 4, out, sizeof out), 0);
        assert_string_equal(out, "u:r:t:s2:c3,c4");
        assert_int_equal(selinux_context_with_mcs("notacontext", 1, 2, out, sizeof out), -EINVAL);
        assert_int_equal(selinux_context_with_mcs("u:r", 1, 2, out, sizeof out), -EINVAL);
        assert_int_equal(selinux_context_with_mcs("u:r::s0", 1, 2, out, sizeof out), -EINVAL);
        assert_int_equal(selinux_context_with_mcs("system_u:system_r:svirt_t:s0", 1, 2, out, 10), -ENOSPC);
        assert_int_equal(selinux_context_mcs("system_u:system_r:svirt_t:s0:c12,c345", &a, &b), 0);
        assert_int_equal(a, 12);
        assert_int_equal(b, 345);
        assert_int_equal(selinux_context_mcs("system_u:system_r:svirt_t:s0", &a, &b), -EINVAL);
        assert_int_equal(selinux_context_mcs("u:r:t:s0:c9,c3", &a, &b), -EINVAL);
}

static DomainDef *def_with(const char *seclabel) {
        char xml[1024];
        snprintf(xml, sizeof xml, "<domain type='qemu'><name>s</name><memory>1024</memory><os><type>hvm</type></os>"
                                  "%s</domain>", seclabel);
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(d);
        return d;
}

static void label_plans(void **state) {
        (void) state;
        SelinuxLabel l;
        VbError err = { 0 };
        DomainDef *d = def_with("");
        assert_int_equal(selinux_label_plan(d, &l, &err), 0);
        assert_int_equal(l.plan, SELINUX_PLAN_DYNAMIC);
        assert_true(l.relabel);
        domain_def_free(d);
        d = def_with("<seclabel type='static' model='selinux' relabel='no'>"
                     "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>");
        assert_int_equal(selinux_label_plan(d, &l, &err), 0);
        assert_int_equal(l.plan, SELINUX_PLAN_STATIC);
        assert_false(l.relabel);
        assert_string_equal(l.label, "system_u:system_r:svirt_t:s0:c1,c2");
        domain_def_free(d);
        d = def_with("<seclabel type='static' model='selinux' relabel='yes'>"
                     "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>");
        assert_int_equal(selinux_label_plan(d, &l, &err), 0);
        assert_true(l.relabel);
        domain_def_free(d);
        d = def_with("<seclabel type='none' model='selinux'/>");
        assert_int_equal(selinux_label_plan(d, &l, &err), 0);
        assert_int_equal(l.plan, SELINUX_PLAN_NONE);
        domain_def_free(d);
        /* the DAC driver's seclabel is not SELinux's */
        d = def_with("<seclabel type='none' model='dac'/>");
        assert_int_equal(selinux_label_plan(d, &l, &err), 0);
        assert_int_equal(l.plan, SELINUX_PLAN_DYNAMIC);
        domain_def_free(d);
        d = def_with("<seclabel type='static' model='selinux'/>");
        assert_int_equal(selinux_label_plan(d, &l, &err), -1);
        assert_non_null(strstr(err.message, "security label is missing"));
        domain_def_free(d);
}

/* This host runs without SELinux: the driver says so rather than pretending. */
static void inactive_here(void **state) {
        (void) state;
        char why[256];
        bool on = security_selinux_active(why, sizeof why);
        if (!on)
                assert_non_null(strstr(why, "SELinux is disabled on this host"));
        assert_string_equal(security_driver_selinux.model, "selinux");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(million_allocations),
                cmocka_unit_test(full_range),
                cmocka_unit_test(contexts),
                cmocka_unit_test(label_plans),
                cmocka_unit_test(inactive_here),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
