/* test-secmodel.c: what a connection's security stack answers about itself (security-model.c): NodeGetSecurityModel's model, virsh capabilities' <secmodel>s (golden tests/data/selinux/caps-*.xml) and a running guest's labels, on a host without SELinux (as the daemon answers here) and with an active SELinux driver whose state is made by hand (SELinux need not run here). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <selinux/selinux.h>

#include "selinux-test.h"

#include "domain-conf.h"
#include "domain-model.h"
#include "security.h"

static int enforce_mode;
static int fake_getenforce(void) {
        return enforce_mode;
}

/* An active SELinux driver as security_selinux_init() leaves it on a Fedora host (its
 * virtual_domain_context has svirt_t, then svirt_tcg_t), stacked above DAC as the QEMU
 * connection stacks it. */
typedef struct Host {
        SecurityDacConfig dac;
        SecuritySelinuxConfig selinux;
        SecurityStack stack;
} Host;

static void host_init(Host *h, bool selinux) {
        memset(h, 0, sizeof *h);
        h->dac = (SecurityDacConfig) { .uid = 107, .gid = 107, .dynamic_ownership = true, .remember_owner = true };
        assert_int_equal(security_stack_push(&h->stack, &security_driver_dac, &h->dac), 0);
        if (!selinux)
                return;
        SecuritySelinuxConfig *c = &h->selinux;
        snprintf(c->process, sizeof c->process, "%s", selinux_test_base.process);
        snprintf(c->tcg, sizeof c->tcg, "system_u:system_r:svirt_tcg_t:s0");
        snprintf(c->image, sizeof c->image, "%s", selinux_test_base.image);
        snprintf(c->content, sizeof c->content, "%s", selinux_test_base.content);
        c->getenforce = fake_getenforce;
        enforce_mode = 1;
        assert_int_equal(selinux_mcs_init(&c->mcs, SELINUX_MCS_CATEGORIES), 0);
        assert_int_equal(security_stack_push(&h->stack, &security_driver_selinux, c), 0);
}

static void host_done(Host *h) {
        security_selinux_done(&h->selinux);
}

/* The capabilities the stack makes of tests/data/selinux/caps.xml, against golden. */
static void check_caps(const Host *h, const SecurityDacConfig *dac, const char *golden) {
        char *got = security_caps_secmodel(&h->stack, dac, selinux_test_read("caps.xml"));
        assert_non_null(got);
        if (getenv("VIRTBUS_REGENERATE")) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s", SELINUX_DATA, golden);
                FILE *f = fopen(path, "w");
                fputs(got, f);
                fclose(f);
        }
        char *want = selinux_test_read(golden);
        if (strcmp(got, want) != 0)
                fail_msg("%s differs; got:\n%s", golden, got);
        free(want);
        free(got);
}

/* SELinux off (this host): the answers stay libvirt's for a DAC-only stack: none/0, then DAC
 * with QEMU's user; without a known user, none alone. */
static void models_without_selinux(void **state) {
        Host h;
        host_init(&h, false);
        SecurityModel m[SECURITY_MODELS_MAX];
        assert_int_equal(security_models(&h.stack, &h.dac, m), 2);
        assert_string_equal(m[0].drv->model, "none");
        assert_string_equal(m[0].drv->doi, "0");
        assert_string_equal(m[1].drv->model, "dac");
        check_caps(&h, &h.dac, "caps-dac.xml");
        SecurityStack empty = { 0 };
        assert_int_equal(security_models(&empty, NULL, m), 1);
        char *got = security_caps_secmodel(&empty, NULL, selinux_test_read("caps.xml"));
        char *input = selinux_test_read("caps.xml");
        assert_string_equal(got, input);        /* exactly the driver's own none */
        free(input);
        free(got);
        host_done(&h);
}

/* SELinux active: selinux/0 first, with the KVM and TCG base labels, then DAC's. */
static void models_with_selinux(void **state) {
        Host h;
        host_init(&h, true);
        SecurityModel m[SECURITY_MODELS_MAX];
        assert_int_equal(security_models(&h.stack, &h.dac, m), 2);
        assert_string_equal(m[0].drv->model, "selinux");
        assert_string_equal(m[0].drv->doi, "0");
        assert_ptr_equal(m[0].cfg, &h.selinux);
        assert_string_equal(m[1].drv->model, "dac");
        check_caps(&h, &h.dac, "caps-selinux.xml");
        /* a host whose virtual_domain_context has one line: KVM's context for both types */
        h.selinux.tcg[0] = '\0';
        char *got = security_caps_secmodel(&h.stack, &h.dac, selinux_test_read("caps.xml"));
        assert_non_null(strstr(got, "<baselabel type='qemu'>system_u:system_r:svirt_t:s0</baselabel>"));
        free(got);
        host_done(&h);
}

/* guest.xml as a running definition of virttype with SECLABEL replaced. */
static DomainDef *guest(const char *virttype, const char *seclabel, const char *uuid_last) {
        char *tmpl = selinux_test_read("guest.xml"), xml[8192];
        char *mark = strstr(tmpl, "SECLABEL");
        assert_non_null(mark);
        const char *head = "<domain type='qemu'>";
        assert_memory_equal(tmpl, head, strlen(head));
        snprintf(xml, sizeof xml, "<domain type='%s'>%.*s%s%s", virttype, (int) (mark - tmpl - strlen(head)),
                 tmpl + strlen(head), seclabel, mark + strlen("SECLABEL"));
        if (uuid_last)
                memcpy(strstr(xml, "3fa0</uuid>"), uuid_last, 4);
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), DOMAIN_PARSE_STATUS, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        free(tmpl);
        return d;
}

/* What the QEMU driver does at a start: the stack's process and live label (files aside). */
static void start(Host *h, DomainDef *d, ProcessCreds *creds) {
        VbError err = { 0 };
        for (size_t i = 0; i < h->stack.n; i++)
                if (h->stack.layer[i].drv->set_process)
                        assert_int_equal(h->stack.layer[i].drv->set_process(h->stack.layer[i].cfg, d, creds, &err), 0);
        assert_int_equal(security_stack_live_label(&h->stack, d), 0);
}

/* A running guest's labels: the process context it was executed in (KVM: svirt_t, TCG:
 * svirt_tcg_t, with its own pair) and whether SELinux enforces, then DAC's. */
static void labels_with_selinux(void **state) {
        Host h;
        host_init(&h, true);
        DomainDef *kvm = guest("kvm", "", NULL), *tcg = guest("qemu", "", "3fa1");
        ProcessCreds creds = { 0 };
        start(&h, kvm, &creds);
        char want[256];
        snprintf(want, sizeof want, "system_u:system_r:svirt_t:s0:c%u,c%u", h.selinux.guests[0].c1,
                 h.selinux.guests[0].c2);
        assert_string_equal(creds.exec_label, want);
        start(&h, tcg, &creds);
        assert_non_null(strstr(creds.exec_label, "system_u:system_r:svirt_tcg_t:s0:c"));

        SecurityLabel l[SECURITY_MODELS_MAX];
        VbError err = { 0 };
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, kvm, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, want);
        assert_true(l[0].enforcing);
        char ids[64];
        snprintf(ids, sizeof ids, "+%u:+%u", (unsigned) getuid(), (unsigned) getgid());
        assert_string_equal(l[1].label, ids);   /* the process's own ids: no DAC <label> here */
        assert_false(l[1].enforcing);
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, tcg, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, creds.exec_label);

        /* permissive: the same label, not enforced; the mode unreadable: libvirt's error */
        enforce_mode = 0;
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, kvm, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, want);
        assert_false(l[0].enforcing);
        enforce_mode = -1;
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, kvm, getpid(), l, &err), -1);
        assert_non_null(strstr(err.message, "error calling security_getenforce()"));
        enforce_mode = 1;

        /* after a daemon restart: the label recorded in the status file, and its DAC <label> */
        char *status = domain_def_format(kvm, 0);
        VbError perr = { 0 };
        DomainDef *back = domain_def_parse(status, strlen(status), DOMAIN_PARSE_STATUS, &perr);
        assert_non_null(back);
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, back, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, want);
        domain_def_free(back);
        free(status);
        DomainDef *labelled = guest("kvm", "<seclabel type='static' model='selinux' relabel='no'>"
                                    "<label>system_u:system_r:svirt_t:s0:c1,c2</label></seclabel>"
                                    "<seclabel type='dynamic' model='dac' relabel='yes'><label>+107:+107</label>"
                                    "<imagelabel>+107:+107</imagelabel></seclabel>", "3fa2");
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, labelled, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, "system_u:system_r:svirt_t:s0:c1,c2");
        assert_string_equal(l[1].label, "+107:+107");
        domain_def_free(labelled);

        /* type='none': no recorded context, the kernel is asked for the process's own */
        DomainDef *none = guest("kvm", "<seclabel type='none' model='selinux'/>", "3fa3");
        err = (VbError) { 0 };
        int r = security_guest_labels(&h.stack, &h.dac, none, getpid(), l, &err);
        if (is_selinux_enabled() > 0) {
                assert_int_equal(r, 2);
                assert_true(l[0].label[0] != '\0');
        } else {
                char msg[128];
                snprintf(msg, sizeof msg, "unable to get PID %d security context", (int) getpid());
                assert_int_equal(r, -1);
                assert_non_null(strstr(err.message, msg));
        }
        domain_def_free(none);

        domain_def_free(tcg);
        domain_def_free(kvm);
        host_done(&h);
}

/* Without SELinux: the primary none's empty label, then DAC's; nothing enforced. */
static void labels_without_selinux(void **state) {
        Host h;
        host_init(&h, false);
        DomainDef *d = guest("kvm", "", NULL);
        SecurityLabel l[SECURITY_MODELS_MAX];
        VbError err = { 0 };
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, getpid(), l, &err), 2);
        assert_string_equal(l[0].label, "");
        assert_false(l[0].enforcing);
        char ids[64];
        snprintf(ids, sizeof ids, "+%u:+%u", (unsigned) getuid(), (unsigned) getgid());
        assert_string_equal(l[1].label, ids);
        assert_false(l[1].enforcing);
        domain_def_free(d);
        host_done(&h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(models_without_selinux),
                cmocka_unit_test(models_with_selinux),
                cmocka_unit_test(labels_with_selinux),
                cmocka_unit_test(labels_without_selinux),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
