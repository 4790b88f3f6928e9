/* test-secmodel-apparmor.c: the AppArmor driver as a security model (security-apparmor-model.c) with its state made by hand (AppArmor need not run here): the injectable host probe, qemu.conf security_driver's choice, NodeGetSecurityModel's model, virsh capabilities' <secmodel>s (golden tests/data/apparmor/caps-apparmor.xml), the running definition's <seclabel> (golden live.xml, through a status file round trip) and a guest's label read from a /proc-like tree ("NAME (enforce)", "(complain)", "unconfined"). */
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
#include <unistd.h>
#include <cmocka.h>

#include "selinux-test.h"

#include "domain-conf.h"
#include "domain-model.h"
#include "security-apparmor.h"
#include "security.h"

#define UUID "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"     /* tests/data/selinux/guest.xml's */

static char *apparmor_read(const char *name) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", APPARMOR_DATA, name);
        FILE *f = fopen(path, "r");
        if (!f)
                fail_msg("cannot open %s", path);
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return strdup(buf);
}

static void check_golden(const char *got, const char *golden) {
        if (getenv("VIRTBUS_REGENERATE")) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s", APPARMOR_DATA, golden);
                FILE *f = fopen(path, "w");
                fputs(got, f);
                fclose(f);
        }
        char *want = apparmor_read(golden);
        if (strcmp(got, want) != 0)
                fail_msg("%s differs; got:\n%s", golden, got);
        free(want);
}

static void put_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* A scratch tree under /tmp; removed with rm -r by the test that made it. */
static void tree(char *dir, size_t len) {
        snprintf(dir, len, "/tmp/test-secmodel-aa-XXXXXX");
        assert_non_null(mkdtemp(dir));
}

static void rm_tree(const char *dir) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

static void mkdirs(const char *root, const char *rel) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s'", root, rel);
        assert_int_equal(system(cmd), 0);
}

/* The probe: the module's enabled parameter must say Y, and securityfs must have apparmor/. */
static void probe_injected(void **state) {
        char root[256], why[256], p[512];
        tree(root, sizeof root);
        assert_false(security_apparmor_probe_at(root, why, sizeof why));
        assert_string_equal(why, "AppArmor is not enabled on this host (no /sys/module/apparmor)");
        mkdirs(root, "sys/module/apparmor/parameters");
        snprintf(p, sizeof p, "%s/sys/module/apparmor/parameters/enabled", root);
        put_file(p, "N\n");
        assert_false(security_apparmor_probe_at(root, why, sizeof why));
        assert_string_equal(why, "AppArmor is not enabled on this host");
        put_file(p, "Y\n");
        assert_false(security_apparmor_probe_at(root, why, sizeof why));
        assert_non_null(strstr(why, "securityfs has no apparmor interface"));
        mkdirs(root, "sys/kernel/security/apparmor");
        assert_true(security_apparmor_probe_at(root, why, sizeof why));
        assert_string_equal(why, "AppArmor is enabled");
        rm_tree(root);
        /* this host: no AppArmor, so the daemon's answers stay as they were */
        assert_false(security_apparmor_active(why, sizeof why));
}

/* qemu.conf security_driver: unset takes the host's; "none" keeps none where AppArmor runs. */
static void primary_choice(void **state) {
        char why[256];
        assert_ptr_equal(security_primary_driver(NULL, false, true, why, sizeof why), &security_driver_apparmor);
        assert_ptr_equal(security_primary_driver(NULL, false, false, why, sizeof why), &security_driver_none);
        assert_ptr_equal(security_primary_driver(NULL, true, false, why, sizeof why), &security_driver_selinux);
        char *none[] = { "none", NULL }, *aa[] = { "apparmor", NULL }, *dac_aa[] = { "dac", "apparmor", NULL };
        char *dac[] = { "dac", NULL }, *se[] = { "selinux", NULL };
        assert_ptr_equal(security_primary_driver(none, false, true, why, sizeof why), &security_driver_none);
        assert_ptr_equal(security_primary_driver(aa, false, true, why, sizeof why), &security_driver_apparmor);
        assert_ptr_equal(security_primary_driver(dac_aa, false, true, why, sizeof why), &security_driver_apparmor);
        assert_ptr_equal(security_primary_driver(dac, false, true, why, sizeof why), &security_driver_none);
        assert_null(security_primary_driver(se, false, true, why, sizeof why));
        assert_string_equal(why, "security driver 'selinux' is not enabled on this host");
        assert_null(security_primary_driver(aa, false, false, why, sizeof why));
        assert_string_equal(why, "security driver 'apparmor' is not enabled on this host");
}

typedef struct Host {
        SecurityDacConfig dac;
        SecurityApparmorConfig aa;
        SecurityStack stack;
        char proc[256];
} Host;

/* The QEMU connection's stack on a Debian host running AppArmor: DAC, then AppArmor, its
 * /proc a scratch tree. */
static void host_init(Host *h) {
        memset(h, 0, sizeof *h);
        h->dac = (SecurityDacConfig) { .uid = 107, .gid = 107, .dynamic_ownership = true, .remember_owner = true };
        tree(h->proc, sizeof h->proc);
        h->aa.proc = h->proc;
        assert_int_equal(security_stack_push(&h->stack, &security_driver_dac, &h->dac), 0);
        assert_int_equal(security_stack_push(&h->stack, &security_driver_apparmor, &h->aa), 0);
}

static void models_with_apparmor(void **state) {
        Host h;
        host_init(&h);
        SecurityModel m[SECURITY_MODELS_MAX];
        assert_int_equal(security_models(&h.stack, &h.dac, m), 2);
        assert_string_equal(m[0].drv->model, "apparmor");
        assert_string_equal(m[0].drv->doi, "0");
        assert_string_equal(m[1].drv->model, "dac");
        /* libvirt's AppArmor driver has no base label: model and doi only, then DAC's */
        char *got = security_caps_secmodel(&h.stack, &h.dac, selinux_test_read("caps.xml"));
        assert_non_null(got);
        check_golden(got, "caps-apparmor.xml");
        free(got);
        rm_tree(h.proc);
}

static void parse_current(void **state) {
        char l[128];
        bool enf = true;
        assert_int_equal(apparmor_parse_current("libvirt-" UUID " (enforce)\n", l, sizeof l, &enf), 0);
        assert_string_equal(l, "libvirt-" UUID);
        assert_true(enf);
        assert_int_equal(apparmor_parse_current("libvirt-" UUID " (complain)\n", l, sizeof l, &enf), 0);
        assert_string_equal(l, "libvirt-" UUID);
        assert_false(enf);
        enf = true;
        assert_int_equal(apparmor_parse_current("unconfined\n", l, sizeof l, &enf), 0);
        assert_string_equal(l, "");
        assert_false(enf);
        /* a name with a space; a profile stacked on a namespace keeps its whole name */
        assert_int_equal(apparmor_parse_current("my profile (enforce)", l, sizeof l, &enf), 0);
        assert_string_equal(l, "my profile");
        assert_true(enf);
        assert_int_equal(apparmor_parse_current("libvirt-x (kill)\n", l, sizeof l, &enf), 0);
        assert_false(enf);
        assert_int_equal(apparmor_parse_current("", l, sizeof l, &enf), -EINVAL);
        assert_int_equal(apparmor_parse_current("\n", l, sizeof l, &enf), -EINVAL);
        assert_int_equal(apparmor_parse_current("libvirt-x (enforce\n", l, sizeof l, &enf), -EINVAL);
        assert_int_equal(apparmor_parse_current(" (enforce)\n", l, sizeof l, &enf), -EINVAL);
        assert_int_equal(apparmor_parse_current("libvirt-" UUID " (enforce)", l, 8, &enf), -ENOBUFS);
}

static DomainDef *guest(const char *seclabel) {
        char *tmpl = selinux_test_read("guest.xml"), xml[8192];
        char *mark = strstr(tmpl, "SECLABEL");
        assert_non_null(mark);
        snprintf(xml, sizeof xml, "%.*s%s%s", (int) (mark - tmpl), tmpl, seclabel, mark + strlen("SECLABEL"));
        VbError err = { 0 };
        DomainDef *d = domain_def_parse(xml, strlen(xml), DOMAIN_PARSE_STATUS, &err);
        if (!d)
                fail_msg("parse: %s", err.message);
        free(tmpl);
        return d;
}

/* The running definition: AppArmor's dynamic label first (the profile name as label and image
 * label), then DAC's, kept through the status file; as libvirt's dumpxml shows it. */
static void live_seclabel(void **state) {
        Host h;
        host_init(&h);
        DomainDef *d = guest("");
        assert_int_equal(security_stack_live_label(&h.stack, d), 0);
        DomainSeclabel dac = { .type = "dynamic", .model = "dac", .relabel = "yes", .label = "+107:+107",
                               .imagelabel = "+107:+107" };
        /* the QEMU driver appends DAC's after the drivers' own (qemu-security.c) */
        DomainDefPrivate *p = d->priv;
        DomainSeclabel *v = realloc(p->seclabels, (p->n_seclabels + 1) * sizeof *v);
        assert_non_null(v);
        p->seclabels = v;
        v[p->n_seclabels++] = (DomainSeclabel) { strdup(dac.type), strdup(dac.model), strdup(dac.relabel),
                                                 strdup(dac.label), strdup(dac.imagelabel), NULL };
        char *status = domain_def_format(d, 0);
        VbError err = { 0 };
        DomainDef *back = domain_def_parse(status, strlen(status), DOMAIN_PARSE_STATUS, &err);
        assert_non_null(back);
        char *again = domain_def_format(back, 0);
        assert_string_equal(again, status);
        check_golden(again, "live.xml");
        free(again);
        free(status);
        domain_def_free(back);
        domain_def_free(d);
        /* a definition's own dynamic apparmor seclabel is filled in; none stands as written */
        d = guest("<seclabel type='dynamic' model='apparmor'/>");
        assert_int_equal(security_stack_live_label(&h.stack, d), 0);
        assert_int_equal(d->priv->n_seclabels, 1);
        assert_string_equal(d->priv->seclabels[0].label, "libvirt-" UUID);
        assert_string_equal(d->priv->seclabels[0].imagelabel, "libvirt-" UUID);
        domain_def_free(d);
        static const char *const unconfined[] = { "<seclabel type='none' model='apparmor'/>", "<seclabel type='none'/>" };
        for (size_t i = 0; i < 2; i++) {
                d = guest(unconfined[i]);
                assert_false(apparmor_confines(d));     /* no profile loaded for it */
                assert_int_equal(security_stack_live_label(&h.stack, d), 0);
                assert_int_equal(d->priv->n_seclabels, 1);
                assert_string_equal(d->priv->seclabels[0].type, "none");
                assert_null(d->priv->seclabels[0].label);
                domain_def_free(d);
        }
        /* confined: no seclabel, a dynamic one, or only DAC's none */
        static const char *const confined[] = { "", "<seclabel type='dynamic' model='apparmor'/>",
                                                 "<seclabel type='none' model='dac'/>" };
        for (size_t i = 0; i < 3; i++) {
                d = guest(confined[i]);
                assert_true(apparmor_confines(d));
                domain_def_free(d);
        }
        rm_tree(h.proc);
}

/* A running guest's labels: its QEMU's profile from PROC/PID/attr (apparmor/current where the
 * kernel has it, else current), enforcing in enforce mode only, then DAC's. */
static void labels_with_apparmor(void **state) {
        Host h;
        host_init(&h);
        DomainDef *d = guest("");
        pid_t pid = getpid();   /* DAC's label is read from the real /proc/PID/status */
        char dir[512], cur[600];
        snprintf(dir, sizeof dir, "%d/attr/apparmor", (int) pid);
        mkdirs(h.proc, dir);
        snprintf(cur, sizeof cur, "%s/%d/attr/current", h.proc, (int) pid);
        SecurityLabel l[SECURITY_MODELS_MAX];
        VbError err = { 0 };
        /* nothing readable: libvirt-like error naming the PID */
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, pid, l, &err), -1);
        char msg[128];
        snprintf(msg, sizeof msg, "unable to get PID %d AppArmor profile", (int) pid);
        assert_non_null(strstr(err.message, msg));

        put_file(cur, "libvirt-" UUID " (enforce)\n");
        err = (VbError) { 0 };
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, pid, l, &err), 2);
        assert_string_equal(l[0].label, "libvirt-" UUID);
        assert_true(l[0].enforcing);
        char ids[64];
        snprintf(ids, sizeof ids, "+%u:+%u", (unsigned) getuid(), (unsigned) getgid());
        assert_string_equal(l[1].label, ids);
        assert_false(l[1].enforcing);

        put_file(cur, "libvirt-" UUID " (complain)\n");
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, pid, l, &err), 2);
        assert_string_equal(l[0].label, "libvirt-" UUID);
        assert_false(l[0].enforcing);

        /* the LSM-specific file wins over the shared one */
        char aacur[600];
        snprintf(aacur, sizeof aacur, "%s/%d/attr/apparmor/current", h.proc, (int) pid);
        put_file(aacur, "unconfined\n");
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, pid, l, &err), 2);
        assert_string_equal(l[0].label, "");
        assert_false(l[0].enforcing);

        put_file(aacur, "garbage (enforce\n");
        err = (VbError) { 0 };
        assert_int_equal(security_guest_labels(&h.stack, &h.dac, d, pid, l, &err), -1);
        assert_non_null(strstr(err.message, "cannot read the AppArmor profile of PID"));
        domain_def_free(d);
        rm_tree(h.proc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(probe_injected),
                cmocka_unit_test(primary_choice),
                cmocka_unit_test(models_with_apparmor),
                cmocka_unit_test(parse_current),
                cmocka_unit_test(live_seclabel),
                cmocka_unit_test(labels_with_apparmor),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
