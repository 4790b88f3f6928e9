/* test-domain-abi.c: which replacement definitions the ABI check lets through (a new description, a new disk path) and which it refuses, with libvirt's texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain-abi.h"

#define BASE \
        "<domain type='qemu'><name>%s</name><uuid>%s</uuid>%s" \
        "<memory unit='KiB'>%s</memory><vcpu current='%s'>2</vcpu>" \
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>" \
        "<disk type='file' device='disk'><source file='%s'/><target dev='%s' bus='virtio'/></disk>%s" \
        "<interface type='user'><mac address='%s'/><model type='virtio'/></interface></devices></domain>"
#define UUID "c7a5fdbd-cdaf-9455-926a-d65c16db1809"

typedef struct Variant {
        const char *name, *uuid, *desc, *mem, *cur, *file, *dev, *extra, *mac;
} Variant;

static const Variant base = { "g", UUID, "", "262144", "2", "/img/a.qcow2", "vda", "", "52:54:00:00:00:01" };

static DomainDef *parse(const Variant *v) {
        char xml[2048];
        snprintf(xml, sizeof xml, BASE, v->name, v->uuid, v->desc, v->mem, v->cur, v->file, v->dev, v->extra, v->mac);
        VbError err = { 0 };
        DomainDef *def = domain_def_parse(xml, strlen(xml), 0, &err);
        if (!def)
                fail_msg("parse: %s", err.message);
        return def;
}

static void expect(const Variant *v, const char *message) {
        DomainDef *a = parse(&base), *b = parse(v);
        VbError err = { 0 };
        int r = domain_def_check_abi(a, b, &err);
        if (!message) {
                assert_int_equal(r, 0);
        } else {
                assert_int_equal(r, -1);
                assert_int_equal(err.code, VB_ERR_CONFIG_UNSUPPORTED);
                assert_string_equal(err.message, message);
        }
        domain_def_free(a);
        domain_def_free(b);
}

static void test_accepted(void **state) {
        (void) state;
        Variant v = base;
        expect(&v, NULL);
        v.desc = "<description>edited in the image</description>";
        v.file = "/img/moved.qcow2";    /* where a disk's data lives is not the guest's hardware */
        expect(&v, NULL);
}

static void test_refused(void **state) {
        (void) state;
        Variant v = base;
        v.name = "other";
        expect(&v, "unsupported configuration: Target domain name 'other' does not match source 'g'");
        v = base;
        v.uuid = "11111111-2222-3333-4444-555555555555";
        expect(&v, "unsupported configuration: Target domain uuid 11111111-2222-3333-4444-555555555555 does not match source " UUID);
        v = base;
        v.mem = "524288";
        expect(&v, "unsupported configuration: Target domain max memory 524288 does not match source 262144");
        v = base;
        v.cur = "1";
        expect(&v, "unsupported configuration: vcpu enable state of vCPU '1' differs between source and destination definitions");
        v = base;
        v.extra = "<disk type='file' device='disk'><source file='/img/b'/><target dev='vdb' bus='virtio'/></disk>";
        expect(&v, "unsupported configuration: Target domain disk count 2 does not match source 1");
        v = base;
        v.dev = "vdc";
        expect(&v, "unsupported configuration: Target disk vdc does not match source vda");
        v = base;
        v.mac = "52:54:00:00:00:02";
        expect(&v, "unsupported configuration: Target network card mac 52:54:00:00:00:02 does not match source 52:54:00:00:00:01");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepted),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
