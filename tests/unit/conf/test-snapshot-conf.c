/* test-snapshot-conf.c: <domainsnapshot> XML: golden files (the .out.xml of snapshot-running and snapshot-description are libvirt 9.0's test driver's snapshot-dumpxml output; parse → format → parse is a fixed point) and the refusals. */
#include "conf-test.h"

#include "snapshot-conf.h"

static const char *const golden[] = { "snapshot-running", "snapshot-description", "snapshot-external" };

static char *roundtrip(const char *xml, unsigned format_flags) {
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), SNAPSHOT_PARSE_REDEFINE, &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = snapshot_def_format(def, format_flags);
        snapshot_def_free(def);
        assert_non_null(out);
        return out;
}

static void test_golden(void **state) {
        conf_test_golden(golden, sizeof golden / sizeof golden[0], roundtrip);
}

static void test_fields(void **state) {
        char *xml = conf_test_read("snapshot-running.in.xml");
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), SNAPSHOT_PARSE_REDEFINE, &err);
        assert_non_null(def);
        assert_string_equal(def->name, "s2");
        assert_string_equal(def->parent, "s1");
        assert_string_equal(def->state, "running");
        assert_string_equal(def->memory, "internal");
        assert_true(def->has_creation_time);
        assert_int_equal(def->n_disks, 1);
        assert_string_equal(def->disks[0].name, "vda");
        assert_non_null(def->dom);
        assert_string_equal(def->dom->name, "test");
        assert_false(def->current);
        snapshot_def_free(def);
        free(xml);
}

/* A user's new snapshot: state, parent, creationTime and the domain are the daemon's to fill. */
static void test_user_xml_ignores_taken_fields(void **state) {
        const char *xml = "<domainsnapshot><name>n</name><state>paused</state><parent><name>p</name></parent>"
                          "<creationTime>5</creationTime><disks><disk name='vda' snapshot='no'/>"
                          "<disk name='vdb'><source file='/x.qcow2'/></disk></disks></domainsnapshot>";
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_null(def->state);
        assert_null(def->parent);
        assert_false(def->has_creation_time);
        assert_int_equal(def->n_disks, 2);
        assert_string_equal(def->disks[0].snapshot, "no");
        assert_string_equal(def->disks[1].snapshot, "external");     /* a source makes it external */
        snapshot_def_free(def);
}

/* The daemon's own files carry which snapshot is current. */
static void test_internal_format_keeps_current(void **state) {
        const char *xml = "<domainsnapshot><name>n</name><state>shutoff</state><active>1</active></domainsnapshot>";
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), SNAPSHOT_PARSE_REDEFINE, &err);
        assert_non_null(def);
        assert_true(def->current);
        char *out = snapshot_def_format(def, SNAPSHOT_FORMAT_INTERNAL);
        assert_string_equal(out, "<domainsnapshot>\n  <name>n</name>\n  <state>shutoff</state>\n  <active>1</active>\n</domainsnapshot>\n");
        free(out);
        out = snapshot_def_format(def, 0);
        assert_null(strstr(out, "<active>"));
        free(out);
        snapshot_def_free(def);
}

static void refused(const char *xml, unsigned flags, int code, const char *msg) {
        VbError err = { 0 };
        SnapshotDef *def = snapshot_def_parse(xml, strlen(xml), flags, &err);
        assert_null(def);
        assert_vb_error(&err, code, VB_FROM_DOMAIN_SNAPSHOT, msg);
}

static void test_refusals(void **state) {
        refused("<domainsnapshot><name></name></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: a snapshot name must not be empty");
        refused("<domainsnapshot><memory snapshot='sideways'/></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: unknown memory snapshot setting 'sideways'");
        refused("<domainsnapshot><memory snapshot='internal' file='/m'/></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: memory filename '/m' requires external snapshot");
        refused("<domainsnapshot><memory snapshot='external'/></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: external memory snapshots require a filename");
        refused("<domainsnapshot><memory file='mem.img'/></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: memory snapshot file path (mem.img) must be absolute");
        refused("<domainsnapshot><disks><disk snapshot='internal'/></disks></domainsnapshot>", 0, VB_ERR_XML_ERROR,
                "XML error: missing name from disk snapshot element");
        refused("<domainsnapshot><name>x</name><state>dancing</state></domainsnapshot>", SNAPSHOT_PARSE_REDEFINE,
                VB_ERR_XML_ERROR, "XML error: Invalid state 'dancing' in domain snapshot XML");
        refused("<domainsnapshot><name>x</name><creationTime>soon</creationTime></domainsnapshot>",
                SNAPSHOT_PARSE_REDEFINE, VB_ERR_XML_ERROR, "XML error: invalid creationTime 'soon'");
        VbError err = { 0 };
        assert_null(snapshot_def_parse("<domain/>", 9, 0, &err));
        assert_int_not_equal(err.code, 0);
}

/* Names the QEMU connection keeps as file names: libvirt's refusal of '/', ours of the rest. */
static void test_file_names(void **state) {
        VbError err = { 0 };
        assert_int_equal(snapshot_name_check_file("my snap.1", &err), 0);
        assert_int_equal(snapshot_name_check_file("a/b", &err), -1);
        assert_vb_error(&err, VB_ERR_XML_DETAIL, VB_FROM_DOMAIN_SNAPSHOT, "invalid char in name: /");
        assert_int_equal(snapshot_name_check_file(".hidden", &err), -1);
        assert_vb_error(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                        "invalid argument: invalid snapshot name '.hidden': it must be 1 to 240 characters and not begin with '.'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_user_xml_ignores_taken_fields),
                cmocka_unit_test(test_internal_format_keeps_current),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_file_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
