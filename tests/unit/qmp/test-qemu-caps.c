/* test-qemu-caps.c: probing the installed QEMU, the cache in memory and on disk, and the capabilities XML it gives. */
#include "qmp-test.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "log.h"
#include "qemu-caps.h"
#include "../core/test-util.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct Got {
        bool done;
        unsigned count;
        QemuCaps *caps;         /* a reference */
        VbError err;
} Got;

static void on_caps(QemuCaps *caps, const VbError *err, void *userdata) {
        Got *g = userdata;
        g->done = true;
        g->count++;
        g->caps = qemu_caps_ref(caps);
        if (err)
                g->err = *err;
}

typedef struct Fixture {
        sd_event *e;
        char *dir, *cache_dir, *run_dir;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        assert_int_equal(sd_event_new(&f->e), 0);
        f->dir = tu_mkdtemp();
        f->cache_dir = tu_path(f->dir, "cache");
        f->run_dir = tu_path(f->dir, "run");
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        sd_event_unref(f->e);
        free(f->cache_dir);
        free(f->run_dir);
        tu_rm_rf(f->dir);
        free(f);
        return 0;
}

static QemuCaps *get(Fixture *f, QemuCapsCache *c, const char *binary, VbError *err) {
        Got g = { 0 };
        assert_int_equal(qemu_caps_cache_get(c, binary, on_caps, &g), 0);
        assert_false(g.done);   /* never from inside the call */
        tq_run_until(f->e, &g.done, 60000);
        assert_int_equal(g.count, 1);
        if (err)
                *err = g.err;
        return g.caps;
}

/* The text of the first node at xpath, or NULL. */
static char *xpath_text(xmlDocPtr doc, const char *xpath) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *) xpath, ctx);
        char *s = NULL;
        if (o && o->nodesetval && o->nodesetval->nodeNr > 0)
                s = (char *) xmlNodeGetContent(o->nodesetval->nodeTab[0]);
        xmlXPathFreeObject(o);
        xmlXPathFreeContext(ctx);
        return s;
}

static int xpath_count(xmlDocPtr doc, const char *xpath) {
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *) xpath, ctx);
        int n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
        xmlXPathFreeObject(o);
        xmlXPathFreeContext(ctx);
        return n;
}

static void assert_xpath(xmlDocPtr doc, const char *xpath, const char *expect) {
        char *s = xpath_text(doc, xpath);
        if (!s || strcmp(s, expect) != 0)
                fail_msg("%s: '%s', expected '%s'", xpath, s ? s : "(none)", expect);
        xmlFree(s);
}

static xmlDocPtr parse(const char *xml) {
        assert_non_null(xml);
        xmlDocPtr doc = xmlReadMemory(xml, (int) strlen(xml), "caps.xml", NULL, XML_PARSE_NONET);
        if (!doc)
                fail_msg("not XML:\n%s", xml);
        return doc;
}

static void check_caps(const QemuCaps *caps) {
        assert_string_equal(caps->binary, QEMU);
        assert_string_equal(caps->arch, "x86_64");
        assert_true(caps->version >= 7000000);
        const QemuMachine *pc = qemu_caps_find_machine(caps, "pc"), *q35 = qemu_caps_find_machine(caps, "q35");
        assert_non_null(pc);
        assert_non_null(q35);
        assert_non_null(strstr(pc->name, "pc-i440fx-"));
        assert_non_null(strstr(q35->name, "pc-q35-"));
        assert_true(pc->is_default);
        assert_ptr_equal(qemu_caps_default_machine(caps), pc);
        assert_int_equal(pc->max_cpus, 255);
        assert_null(qemu_caps_find_machine(caps, "none"));
        assert_null(qemu_caps_find_machine(caps, "no-such-machine"));
        const QemuCpuModel *m = qemu_caps_find_cpu(caps, QEMU_ACCEL_TCG, "qemu64");
        assert_non_null(m);
        assert_true(m->usable);
        assert_true(qemu_caps_has_device(caps, "virtio-blk-pci"));
        assert_true(qemu_caps_has_device(caps, "virtio-net-pci"));
        assert_false(qemu_caps_has_device(caps, "no-such-device"));
        /* KVM is offered exactly when /dev/kvm works. */
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                assert_false(caps->kvm);
        else
                close(fd);
}

static void test_probe_and_cache(void **state) {
        Fixture *f = *state;
        QemuCapsCache *c;
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        assert_null(qemu_caps_cache_lookup(c, QEMU));

        /* Two requests at once share one probe. */
        Got a = { 0 }, b = { 0 };
        uint64_t t0 = tq_now_usec();
        assert_int_equal(qemu_caps_cache_get(c, QEMU, on_caps, &a), 0);
        assert_int_equal(qemu_caps_cache_get(c, QEMU, on_caps, &b), 0);
        tq_run_until(f->e, &a.done, 60000);
        tq_run_until(f->e, &b.done, 60000);
        printf("# probe of %s: %.1f ms, %u QEMU run(s)\n", QEMU, (tq_now_usec() - t0) / 1000.0,
               qemu_caps_cache_n_probes(c));
        assert_non_null(a.caps);
        assert_ptr_equal(a.caps, b.caps);
        unsigned probes = qemu_caps_cache_n_probes(c);
        assert_true(probes == 1 || probes == 2);        /* 2 with a kvm run */
        check_caps(a.caps);
        assert_int_equal(tu_count_entries(f->run_dir), 0);       /* socket and log gone */

        /* The file: mode 0600, JSON, naming the binary. */
        char *file = tu_path(f->cache_dir, "usr_bin_qemu-system-x86_64.json");
        struct stat st;
        assert_int_equal(stat(file, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        char *text = tu_read_file(file);
        json_object *record = json_tokener_parse(text);
        assert_non_null(record);
        json_object *v;
        assert_true(json_object_object_get_ex(record, "binary", &v));
        assert_string_equal(json_object_get_string(v), QEMU);
        json_object_put(record);
        free(text);

        /* Again from memory: no QEMU started. */
        QemuCaps *again = get(f, c, QEMU, NULL);
        assert_ptr_equal(again, a.caps);
        assert_int_equal(qemu_caps_cache_n_probes(c), probes);
        assert_ptr_equal(qemu_caps_cache_lookup(c, QEMU), a.caps);
        qemu_caps_unref(again);
        qemu_caps_unref(a.caps);
        qemu_caps_unref(b.caps);
        qemu_caps_cache_free(c);

        /* The next daemon start: from the file, no QEMU started, the same answers. */
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        QemuCaps *cached = get(f, c, QEMU, NULL);
        assert_non_null(cached);
        assert_int_equal(qemu_caps_cache_n_probes(c), 0);
        check_caps(cached);
        struct stat st2;
        assert_int_equal(stat(file, &st2), 0);
        assert_true(st2.st_mtim.tv_sec == st.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
        qemu_caps_unref(cached);
        qemu_caps_cache_free(c);

        /* A cache file from another binary's mtime is not believed. */
        text = tu_read_file(file);
        record = json_tokener_parse(text);
        json_object_object_add(record, "mtime", json_object_new_int64(12345));
        const char *s = json_object_to_json_string(record);
        assert_int_equal(tu_write_file(file, s, strlen(s)), 0);
        json_object_put(record);
        free(text);
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        assert_null(qemu_caps_cache_lookup(c, QEMU));
        qemu_caps_cache_free(c);
        free(file);
}

/* The binary changes (its mtime moves): the cache probes again. The binary is a script that
 * runs QEMU (a copy of QEMU would not find its modules). */
static void test_stale_binary(void **state) {
        Fixture *f = *state;
        char *copy = tu_path(f->dir, "qemu-system-x86_64");
        const char *script = "#!/bin/sh\nexec " QEMU " \"$@\"\n";
        assert_int_equal(tu_write_file(copy, script, strlen(script)), 0);
        assert_int_equal(chmod(copy, 0755), 0);
        QemuCapsCache *c;
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        QemuCaps *caps = get(f, c, copy, NULL);
        assert_non_null(caps);
        assert_string_equal(caps->binary, copy);
        unsigned probes = qemu_caps_cache_n_probes(c);
        qemu_caps_unref(caps);
        assert_non_null(qemu_caps_cache_lookup(c, copy));

        struct timespec times[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
        assert_int_equal(utimensat(AT_FDCWD, copy, times, 0), 0);
        assert_null(qemu_caps_cache_lookup(c, copy));
        caps = get(f, c, copy, NULL);
        assert_non_null(caps);
        assert_int_equal(qemu_caps_cache_n_probes(c), 2 * probes);
        qemu_caps_unref(caps);
        qemu_caps_cache_free(c);
        free(copy);
}

/* A "QEMU" that dies at once: the error carries its last words. */
static void test_probe_failure(void **state) {
        Fixture *f = *state;
        char *fake = tu_path(f->dir, "fake-qemu");
        const char *script = "#!/bin/sh\necho 'fake-qemu: cannot do anything' >&2\nexit 1\n";
        assert_int_equal(tu_write_file(fake, script, strlen(script)), 0);
        assert_int_equal(chmod(fake, 0755), 0);
        QemuCapsCache *c;
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        VbError err = { 0 };
        QemuCaps *caps = get(f, c, fake, &err);
        assert_null(caps);
        assert_non_null(strstr(err.message, "Failed to probe QEMU binary"));
        assert_non_null(strstr(err.message, "fake-qemu: cannot do anything"));
        assert_null(qemu_caps_cache_lookup(c, fake));

        /* A binary that is not there. */
        caps = get(f, c, "/nonexistent/qemu", &err);
        assert_null(caps);
        assert_non_null(strstr(err.message, "Cannot find QEMU binary /nonexistent/qemu"));
        /* A request still running when the cache goes: told, not forgotten. */
        Got g = { 0 };
        assert_int_equal(qemu_caps_cache_get(c, QEMU, on_caps, &g), 0);
        tq_run_for(f->e, 5);
        qemu_caps_cache_free(c);
        assert_true(g.done);
        assert_null(g.caps);
        free(fake);
}

static void test_capabilities_xml(void **state) {
        Fixture *f = *state;
        QemuCapsCache *c;
        assert_int_equal(qemu_caps_cache_new(f->e, f->cache_dir, f->run_dir, &c), 0);
        QemuCaps *caps = get(f, c, QEMU, NULL);
        assert_non_null(caps);
        VbError err = { 0 };

        char *xml = qemu_caps_format_capabilities(&caps, 1, &err);
        xmlDocPtr doc = parse(xml);
        struct utsname u;
        uname(&u);
        assert_xpath(doc, "/capabilities/host/cpu/arch", u.machine);
        assert_true(xpath_count(doc, "/capabilities/host/topology/cells/cell") >= 1);
        assert_true(xpath_count(doc, "/capabilities/host/topology/cells/cell/cpus/cpu") == (int) sysconf(_SC_NPROCESSORS_ONLN));
        char *mem = xpath_text(doc, "/capabilities/host/topology/cells/cell/memory");
        assert_true(mem && strtoull(mem, NULL, 10) > 0);
        xmlFree(mem);
        assert_xpath(doc, "/capabilities/guest/os_type", "hvm");
        assert_xpath(doc, "/capabilities/guest/arch/@name", "x86_64");
        assert_xpath(doc, "/capabilities/guest/arch/wordsize", "64");
        assert_xpath(doc, "/capabilities/guest/arch/emulator", QEMU);
        const QemuMachine *pc = qemu_caps_find_machine(caps, "pc");
        assert_xpath(doc, "/capabilities/guest/arch/machine[1]", pc->name);
        assert_xpath(doc, "/capabilities/guest/arch/machine[2]", "pc");
        assert_xpath(doc, "/capabilities/guest/arch/machine[2]/@canonical", pc->name);
        assert_xpath(doc, "/capabilities/guest/arch/machine[2]/@maxCpus", "255");
        assert_int_equal(xpath_count(doc, "/capabilities/guest/arch/machine[text()='q35']"), 1);
        assert_int_equal(xpath_count(doc, "/capabilities/guest/arch/machine[text()='none']"), 0);
        assert_int_equal(xpath_count(doc, "/capabilities/guest/arch/domain[@type='qemu']"), 1);
        assert_int_equal(xpath_count(doc, "/capabilities/guest/arch/domain[@type='kvm']"), caps->kvm ? 1 : 0);
        assert_int_equal(xpath_count(doc, "/capabilities/guest/features/acpi[@default='on'][@toggle='yes']"), 1);
        xmlFreeDoc(doc);
        free(xml);

        xml = qemu_caps_format_domain_capabilities(caps, "qemu", NULL, &err);
        doc = parse(xml);
        assert_xpath(doc, "/domainCapabilities/path", QEMU);
        assert_xpath(doc, "/domainCapabilities/domain", "qemu");
        assert_xpath(doc, "/domainCapabilities/machine", pc->name);
        assert_xpath(doc, "/domainCapabilities/arch", "x86_64");
        assert_xpath(doc, "/domainCapabilities/vcpu/@max", "255");
        assert_xpath(doc, "/domainCapabilities/cpu/mode[@name='host-passthrough']/@supported", "no");
        assert_xpath(doc, "/domainCapabilities/cpu/mode[@name='maximum']/@supported", "yes");
        assert_xpath(doc, "/domainCapabilities/cpu/mode[@name='custom']/@supported", "yes");
        assert_xpath(doc, "/domainCapabilities/cpu/mode[@name='custom']/model[text()='qemu64']/@usable", "yes");
        assert_int_equal(xpath_count(doc, "/domainCapabilities/cpu/mode[@name='custom']/model[text()='max']"), 0);
        assert_int_equal(xpath_count(doc, "/domainCapabilities/cpu/mode[@name='custom']/model[contains(text(), '-v1')]"), 0);
        assert_int_equal(xpath_count(doc, "/domainCapabilities/devices/disk/enum[@name='bus']/value[text()='virtio']"), 1);
        assert_int_equal(xpath_count(doc, "/domainCapabilities/devices/disk/enum[@name='bus']/value[text()='ide']"), 1);
        if (access("/usr/share/qemu/firmware/60-edk2-x86_64.json", F_OK) == 0)
                assert_int_equal(xpath_count(doc, "/domainCapabilities/os/loader/value"), 1);
        xmlFreeDoc(doc);
        free(xml);

        /* q35: its own vcpu limit, no IDE, Secure Boot firmware where installed. */
        xml = qemu_caps_format_domain_capabilities(caps, "qemu", "q35", &err);
        doc = parse(xml);
        assert_xpath(doc, "/domainCapabilities/machine", qemu_caps_find_machine(caps, "q35")->name);
        assert_xpath(doc, "/domainCapabilities/vcpu/@max", "288");
        assert_int_equal(xpath_count(doc, "/domainCapabilities/devices/disk/enum[@name='bus']/value[text()='ide']"), 0);
        if (access("/usr/share/qemu/firmware/50-edk2-x86_64-secure.json", F_OK) == 0)
                assert_int_equal(xpath_count(doc, "/domainCapabilities/os/loader/enum[@name='secure']/value[text()='yes']"), 1);
        xmlFreeDoc(doc);
        free(xml);

        assert_null(qemu_caps_format_domain_capabilities(caps, "qemu", "no-such-machine", &err));
        assert_string_equal(err.message, "invalid argument: the machine 'no-such-machine' is not supported by "
                                         "emulator '" QEMU "'");
        assert_null(qemu_caps_format_domain_capabilities(caps, "xen", NULL, &err));
        if (!caps->kvm) {
                assert_null(qemu_caps_format_domain_capabilities(caps, "kvm", NULL, &err));
                assert_string_equal(err.message, "invalid argument: the accel 'kvm' is not supported by '" QEMU
                                                 "' on this host");
        }
        qemu_caps_unref(caps);
        qemu_caps_cache_free(c);
}

int main(void) {
        if (access(QEMU, X_OK) < 0)
                return tu_skip_program(QEMU " is not installed (Debian package qemu-system-x86)");
        log_setup(4, NULL, NULL, NULL, 0);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_probe_and_cache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_stale_binary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_probe_failure, setup, teardown),
                cmocka_unit_test_setup_teardown(test_capabilities_xml, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
