/* test-checkpoint-conf.c: <domaincheckpoint> XML: golden files (checkpoint-child.out.xml is libvirt 9.0's test driver's checkpoint-dumpxml output; parse → format → parse is a fixed point), the flags of the format, and the refusals. */
#include "conf-test.h"

#include "checkpoint-conf.h"

static const char *const golden[] = { "checkpoint-child", "checkpoint-root" };

static char *roundtrip(const char *xml, unsigned format_flags) {
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), CHECKPOINT_PARSE_REDEFINE, &err);
        if (!def)
                print_error("parse failed: %s\n", err.message);
        assert_non_null(def);
        char *out = checkpoint_def_format(def, format_flags);
        checkpoint_def_free(def);
        assert_non_null(out);
        return out;
}

static void test_golden(void **state) {
        conf_test_golden(golden, sizeof golden / sizeof golden[0], roundtrip);
}

static void test_fields(void **state) {
        char *xml = conf_test_read("checkpoint-child.in.xml");
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), CHECKPOINT_PARSE_REDEFINE, &err);
        assert_non_null(def);
        assert_string_equal(def->name, "c2");
        assert_string_equal(def->parent, "c1");
        assert_true(def->has_creation_time);
        assert_int_equal(def->creation_time, 1796622141);
        assert_int_equal(def->n_disks, 1);
        assert_string_equal(def->disks[0].name, "vda");
        assert_string_equal(def->disks[0].type, "bitmap");
        assert_string_equal(def->disks[0].bitmap, "c2");
        assert_non_null(def->dom);
        assert_string_equal(def->dom->name, "test");
        /* --no-domain drops the domain; --size shows the sizes the driver filled */
        def->disks[0].has_size = true;
        def->disks[0].size = 65536;
        char *out = checkpoint_def_format(def, CHECKPOINT_FORMAT_NO_DOMAIN | CHECKPOINT_FORMAT_SIZE);
        assert_null(strstr(out, "<domain "));
        assert_non_null(strstr(out, "<disk name='vda' checkpoint='bitmap' bitmap='c2' size='65536'/>"));
        free(out);
        checkpoint_def_free(def);
        free(xml);
}

/* A user's new checkpoint: parent, creationTime and the domain are the daemon's to fill. */
static void test_user_xml_ignores_taken_fields(void **state) {
        const char *xml = "<domaincheckpoint><parent><name>p</name></parent><creationTime>5</creationTime>"
                          "<disks><disk name='vda' checkpoint='no'/></disks></domaincheckpoint>";
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_null(def->name);
        assert_null(def->parent);
        assert_false(def->has_creation_time);
        assert_string_equal(def->disks[0].type, "no");
        checkpoint_def_free(def);
}

static void test_internal_format_keeps_current(void **state) {
        const char *xml = "<domaincheckpoint><name>n</name><creationTime>7</creationTime><active>1</active></domaincheckpoint>";
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), CHECKPOINT_PARSE_REDEFINE, &err);
        assert_non_null(def);
        assert_true(def->current);
        char *out = checkpoint_def_format(def, CHECKPOINT_FORMAT_INTERNAL);
        assert_string_equal(out, "<domaincheckpoint>\n  <name>n</name>\n  <creationTime>7</creationTime>\n  <active>1</active>\n</domaincheckpoint>\n");
        free(out);
        checkpoint_def_free(def);
}

static void refused(const char *xml, unsigned flags, int code, int from, const char *msg) {
        VbError err = { 0 };
        CheckpointDef *def = checkpoint_def_parse(xml, strlen(xml), flags, &err);
        assert_null(def);
        assert_vb_error(&err, code, from, msg);
}

static void test_refusals(void **state) {
        const int F = VB_FROM_DOMAIN_CHECKPOINT;
        refused("<domaincheckpoint><name> </name></domaincheckpoint>", 0, VB_ERR_XML_ERROR, F,
                "XML error: a checkpoint name must not be empty");
        refused("<domaincheckpoint><disks><disk checkpoint='bitmap'/></disks></domaincheckpoint>", 0, VB_ERR_XML_ERROR, F,
                "XML error: missing name from disk checkpoint element");
        refused("<domaincheckpoint><disks><disk name='vda' checkpoint='foo'/></disks></domaincheckpoint>", 0,
                VB_ERR_XML_ERROR, F, "XML error: Invalid value for attribute 'checkpoint' in element 'disk': 'foo'.");
        refused("<domaincheckpoint><disks><disk name='vda' checkpoint='no' bitmap='b'/></disks></domaincheckpoint>", 0,
                VB_ERR_XML_ERROR, F, "XML error: disk 'vda': a bitmap name needs checkpoint='bitmap'");
        refused("<domaincheckpoint><disks><disk name='vda' bitmap='a/b'/></disks></domaincheckpoint>", 0,
                VB_ERR_XML_ERROR, F, "XML error: disk 'vda': invalid bitmap name 'a/b'");
        refused("<domaincheckpoint><name>r</name></domaincheckpoint>", CHECKPOINT_PARSE_REDEFINE, VB_ERR_INTERNAL_ERROR, F,
                "internal error: missing creationTime from existing checkpoint");
        refused("<domaincheckpoint><creationTime>1</creationTime></domaincheckpoint>", CHECKPOINT_PARSE_REDEFINE,
                VB_ERR_XML_ERROR, F, "XML error: a redefined checkpoint must have a name");
        refused("<domaincheckpoint><name>r</name><creationTime>soon</creationTime></domaincheckpoint>",
                CHECKPOINT_PARSE_REDEFINE, VB_ERR_XML_ERROR, F, "XML error: invalid creationTime 'soon'");
        VbError err = { 0 };
        assert_null(checkpoint_def_parse("<domainsnapshot/>", 17, 0, &err));
        assert_string_equal(err.message, "XML error: expecting root element of 'domaincheckpoint', not 'domainsnapshot'");
        /* the limit is checked before the array grows past it */
        char *big = malloc(64 + 40 * (CHECKPOINT_DISKS_MAX + 1));
        strcpy(big, "<domaincheckpoint><disks>");
        for (unsigned i = 0; i <= CHECKPOINT_DISKS_MAX; i++)
                sprintf(big + strlen(big), "<disk name='vd%u'/>", i);
        strcat(big, "</disks></domaincheckpoint>");
        refused(big, 0, VB_ERR_XML_ERROR, F, "XML error: too many disks in a checkpoint (at most 256)");
        free(big);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_golden),
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_user_xml_ignores_taken_fields),
                cmocka_unit_test(test_internal_format_keeps_current),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
