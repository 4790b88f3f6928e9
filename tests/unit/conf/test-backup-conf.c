/* test-backup-conf.c: <domainbackup> XML: what a push or pull backup's definition holds, its format while it runs, and the refusals. */
#include "conf-test.h"

#include "backup-conf.h"

static void test_push_definition(void **state) {
        const char *xml = "<domainbackup mode='push'><incremental> c1 </incremental><disks>"
                          "<disk name='vda' type='file'><target file='/b/vda.qcow2'/><driver type='qcow2'/></disk>"
                          "<disk name='vdb' backup='no'/></disks></domainbackup>";
        VbError err = { 0 };
        BackupDef *def = backup_def_parse(xml, strlen(xml), &err);
        assert_non_null(def);
        assert_string_equal(def->mode, "push");
        assert_string_equal(def->incremental, "c1");
        assert_int_equal(def->n_disks, 2);
        assert_string_equal(def->disks[0].target_file, "/b/vda.qcow2");
        assert_false(def->disks[0].skip);
        assert_true(def->disks[1].skip);
        def->disks[0].state = "running";
        char *out = backup_def_format(def);
        assert_string_equal(out, "<domainbackup mode='push'>\n"
                                 "  <incremental>c1</incremental>\n"
                                 "  <disks>\n"
                                 "    <disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='c1' state='running'>\n"
                                 "      <driver type='qcow2'/>\n"
                                 "      <target file='/b/vda.qcow2'/>\n"
                                 "    </disk>\n"
                                 "    <disk name='vdb' backup='no'/>\n"
                                 "  </disks>\n"
                                 "</domainbackup>\n");
        free(out);
        backup_def_free(def);
        /* no mode: push */
        def = backup_def_parse("<domainbackup/>", 15, &err);
        assert_non_null(def);
        assert_string_equal(def->mode, "push");
        backup_def_free(def);
}

static void test_pull_definition(void **state) {
        const char *xml = "<domainbackup mode='pull'><incremental>c1</incremental>"
                          "<server transport='tcp' name='127.0.0.1' port='10810'/><disks>"
                          "<disk name='vda' type='file' exportname='root'><scratch file='/s/vda.qcow2'/></disk>"
                          "</disks></domainbackup>";
        VbError err = { 0 };
        BackupDef *def = backup_def_parse(xml, strlen(xml), &err);
        assert_non_null(def);
        assert_true(def->pull);
        assert_string_equal(def->server_transport, "tcp");
        assert_string_equal(def->server_name, "127.0.0.1");
        assert_int_equal(def->server_port, 10810);
        assert_string_equal(def->disks[0].target_file, "/s/vda.qcow2");
        assert_string_equal(def->disks[0].export_name, "root");
        def->disks[0].export_bitmap = strdup("backup-vda");
        def->disks[0].driver_type = strdup("qcow2");
        def->disks[0].state = "running";
        char *out = backup_def_format(def);
        assert_string_equal(out, "<domainbackup mode='pull'>\n"
                                 "  <incremental>c1</incremental>\n"
                                 "  <server transport='tcp' name='127.0.0.1' port='10810'/>\n"
                                 "  <disks>\n"
                                 "    <disk name='vda' backup='yes' type='file' backupmode='incremental' incremental='c1' exportname='root'"
                                 " exportbitmap='backup-vda' state='running'>\n"
                                 "      <driver type='qcow2'/>\n"
                                 "      <scratch file='/s/vda.qcow2'/>\n"
                                 "    </disk>\n"
                                 "  </disks>\n"
                                 "</domainbackup>\n");
        free(out);
        backup_def_free(def);
        /* no server: tcp on localhost, the port left to the driver; a unix socket */
        def = backup_def_parse("<domainbackup mode='pull'/>", 27, &err);
        assert_non_null(def);
        assert_string_equal(def->server_transport, "tcp");
        assert_string_equal(def->server_name, "localhost");
        assert_int_equal(def->server_port, 0);
        backup_def_free(def);
        xml = "<domainbackup mode='pull'><server transport='unix' socket='/run/bk.sock'/></domainbackup>";
        def = backup_def_parse(xml, strlen(xml), &err);
        assert_non_null(def);
        assert_string_equal(def->server_socket, "/run/bk.sock");
        backup_def_free(def);
}

static void refused(const char *xml, int code, const char *msg) {
        VbError err = { 0 };
        BackupDef *def = backup_def_parse(xml, strlen(xml), &err);
        assert_null(def);
        assert_int_equal(err.code, code);
        assert_string_equal(err.message, msg);
}

static void test_refusals(void **state) {
        refused("<domainbackup mode='sideways'/>", VB_ERR_XML_ERROR,
                "XML error: Invalid value for attribute 'mode' in element 'domainbackup': 'sideways'.");
        refused("<domainbackup mode='pull'><server transport='unix' socket='rel.sock'/></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: the backup server's unix socket must be an absolute path");
        refused("<domainbackup mode='pull'><server port='70000'/></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: invalid port '70000' of the backup server");
        refused("<domainbackup><server transport='tcp'/></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: a <server> is for pull mode backups");
        refused("<domainbackup><disks><disk name='vda' exportname='x'/></disks></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: exportname and exportbitmap of disk 'vda' are for pull mode backups");
        refused("<domainbackup mode='pull'><disks><disk name='vda'><driver type='raw'/></disk></disks></domainbackup>",
                VB_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: scratch of disk 'vda': format 'raw' (qcow2 only)");
        refused("<domainbackup><disks><disk type='file'/></disks></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: missing name from disk backup element");
        refused("<domainbackup><disks><disk name='vda' backup='maybe'/></disks></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: Invalid value for attribute 'backup' in element 'disk': 'maybe'.");
        refused("<domainbackup><disks><disk name='vda' type='block'/></disks></domainbackup>", VB_ERR_CONFIG_UNSUPPORTED,
                "unsupported configuration: backup target of disk 'vda': type 'block' (only 'file' is done)");
        refused("<domainbackup><disks><disk name='vda'><target file='rel.qcow2'/></disk></disks></domainbackup>",
                VB_ERR_XML_ERROR, "XML error: backup target of disk 'vda' must be an absolute path: 'rel.qcow2'");
        refused("<domainbackup><disks><disk name='vda'><driver type='vmdk'/></disk></disks></domainbackup>",
                VB_ERR_CONFIG_UNSUPPORTED, "unsupported configuration: backup target of disk 'vda': format 'vmdk' (qcow2 or raw)");
        refused("<domainbackup><incremental> </incremental></domainbackup>", VB_ERR_XML_ERROR,
                "XML error: an incremental checkpoint name must not be empty");
        refused("<domaincheckpoint/>", VB_ERR_XML_ERROR,
                "XML error: expecting root element of 'domainbackup', not 'domaincheckpoint'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_push_definition),
                cmocka_unit_test(test_pull_definition),
                cmocka_unit_test(test_refusals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
