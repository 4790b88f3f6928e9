/* test-api-table.c: the API table against what the doors serve: every row with a procedure number has a remote handler and libvirt's name for it, and no handler lacks a row; every row with a D-Bus member is a method of interfaces/ (*.xml) and every method there has a row; every mutating procedure is refused on a read-only connection, in its row's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "api.h"
#include "connection.h"
#include "dispatch.h"
#include "driver.h"
#include "fake-server.h"

#define PROC_MAX 512

/* ------------------------------------------------------------------ remote procedures */

static int count_row(const ApiRow *row, void *userdata) {
        (*(size_t *) userdata)++;
        return 0;
}

static int check_row_proc(const ApiRow *row, void *userdata) {
        char what[128];
        snprintf(what, sizeof what, "%s (proc %d)", row->name, row->proc);
        assert_ptr_equal(api_row(row->id), row);
        if (row->proc == 0) {
                /* served on D-Bus only: the remote door must not have a handler hidden for it */
                if (remote_proc_of_api(row->id))
                        fail_msg("%s has a remote handler but no procedure number", what);
                if (!row->dbus_member)
                        fail_msg("%s is served by neither door", row->name);
                return 0;
        }
        if (!remote_proc_lookup(row->proc))
                fail_msg("%s: no handler in proc-table.c", what);
        assert_ptr_equal(api_row_by_proc(row->proc), row);
        const RemoteProcName *name = remote_proc_name(row->proc);
        if (!name)
                fail_msg("%s: libvirt has no such procedure", what);
        if (strcmp(name->api ? name->api : name->name, row->name) != 0)
                fail_msg("%s: libvirt calls procedure %d %s", what, row->proc, name->api ? name->api : name->name);
        return 0;
}

static void test_rows_and_procedures(void **state) {
        size_t n = 0;
        api_foreach(count_row, &n);
        assert_true(n > 100);
        api_foreach(check_row_proc, NULL);
        /* and the other way: every number the remote door serves is a row's */
        size_t served = 0;
        for (int proc = 1; proc < PROC_MAX; proc++) {
                const RemoteProc *p = remote_proc_lookup(proc);
                if (!p)
                        continue;
                served++;
                const ApiRow *row = api_row_by_proc(proc);
                assert_non_null(row);
                assert_ptr_equal(remote_proc_of_api(row->id), p);
        }
        assert_true(served > 100);
}

/* ------------------------------------------------------------------ D-Bus members */

typedef struct Members {
        char **names;           /* "org.libvirt.Domain.Suspend" */
        size_t n;
} Members;

static void members_add(Members *ms, const char *interface, const char *member) {
        ms->names = realloc(ms->names, (ms->n + 1) * sizeof *ms->names);
        assert_non_null(ms->names);
        assert_true(asprintf(&ms->names[ms->n++], "%s.%s", interface, member) > 0);
}

static bool members_have(const Members *ms, const char *interface, const char *member) {
        char key[256];
        snprintf(key, sizeof key, "%s.%s", interface, member);
        for (size_t i = 0; i < ms->n; i++)
                if (strcmp(ms->names[i], key) == 0)
                        return true;
        return false;
}

static void read_interfaces(Members *ms) {
        const char *dir = getenv("VIRTBUS_INTERFACES");
        assert_non_null(dir);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d))) {
                size_t len = strlen(e->d_name);
                if (len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0)
                        continue;
                char path[4096];
                snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
                xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
                assert_non_null(doc);
                for (xmlNode *i = xmlDocGetRootElement(doc)->children; i; i = i->next) {
                        if (i->type != XML_ELEMENT_NODE || strcmp((const char *) i->name, "interface") != 0)
                                continue;
                        xmlChar *iname = xmlGetProp(i, (const xmlChar *) "name");
                        /* libvirt's admin API (virt-admin's, not virConnect's) has no API rows:
                         * it is core/administration.c, tested by test_bus_admin.py */
                        if (strcmp((const char *) iname, "org.libvirt.virtbus.Admin") == 0) {
                                xmlFree(iname);
                                continue;
                        }
                        for (xmlNode *m = i->children; m; m = m->next) {
                                if (m->type != XML_ELEMENT_NODE || strcmp((const char *) m->name, "method") != 0)
                                        continue;
                                xmlChar *mname = xmlGetProp(m, (const xmlChar *) "name");
                                members_add(ms, (const char *) iname, (const char *) mname);
                                xmlFree(mname);
                        }
                        xmlFree(iname);
                }
                xmlFreeDoc(doc);
        }
        closedir(d);
}

static int check_row_member(const ApiRow *row, void *userdata) {
        const Members *ms = userdata;
        if (!row->dbus_member)
                return 0;
        if (!members_have(ms, row->dbus_interface, row->dbus_member))
                fail_msg("%s: %s.%s is not in interfaces/", row->name, row->dbus_interface, row->dbus_member);
        return 0;
}

static void test_rows_and_members(void **state) {
        Members ms = { 0 };
        read_interfaces(&ms);
        assert_true(ms.n > 50);
        api_foreach(check_row_member, &ms);
        /* every method the interfaces declare (the bus serves them all: test_bus_introspect) has a row */
        for (size_t i = 0; i < ms.n; i++) {
                char *dot = strrchr(ms.names[i], '.');
                *dot = '\0';
                if (!api_row_by_member(ms.names[i], dot + 1))
                        fail_msg("%s.%s has no row in the API table", ms.names[i], dot + 1);
                free(ms.names[i]);
        }
        free(ms.names);
}

/* ------------------------------------------------------------------ read-only */

typedef struct ReadOnly {
        RemoteServer *s;
        FakeClient *fc;
        uint32_t serial;
        size_t refused;
} ReadOnly;

static const uint8_t *last_error(FakeClient *fc, uint32_t *status, int32_t *code) {
        const FakePacket *p = fake_out(fc, fc->n_out - 1);
        assert_non_null(p);
        *status = fake_be32(p->data + 24);
        *code = (int32_t) fake_be32(p->data + 28);
        return p->data + 28;
}

/* The message of a remote_error: code, domain, then the optional string. */
static void error_message(FakeClient *fc, char *buf, size_t n) {
        const FakePacket *p = fake_out(fc, fc->n_out - 1);
        XdrReader x;
        int32_t code, dom;
        char *s = NULL;
        xdr_reader_init(&x, p->data + 28, p->len - 28);
        xdr_get_i32(&x, &code);
        xdr_get_i32(&x, &dom);
        xdr_get_opt_string(&x, 4096, &s);
        snprintf(buf, n, "%s", s ? s : "");
        free(s);
}

static int check_read_only(const ApiRow *row, void *userdata) {
        ReadOnly *ro = userdata;
        if (!row->proc)
                return 0;
        size_t before = ro->fc->n_out;
        /* no arguments at all: the gate comes before any decoding */
        fake_call(ro->fc, row->proc, ++ro->serial, NULL, 0);
        assert_true(ro->fc->n_out > before);
        uint32_t status;
        int32_t code;
        last_error(ro->fc, &status, &code);
        char message[1024], expected[256];
        snprintf(expected, sizeof expected, "operation forbidden: read only access prevents %s", row->name);
        if (status == MSG_STATUS_ERROR)
                error_message(ro->fc, message, sizeof message);
        else
                message[0] = '\0';
        if (row->mutates) {
                if (status != MSG_STATUS_ERROR || code != VB_ERR_OPERATION_DENIED || strcmp(message, expected) != 0)
                        fail_msg("%s (proc %d) on a read-only connection: %s", row->name, row->proc, message);
                ro->refused++;
        } else if (strstr(message, "read only access prevents")) {
                fail_msg("%s (proc %d) reads, yet a read-only connection is refused it", row->name, row->proc);
        }
        return 0;
}

static void test_mutating_rows_refused_read_only(void **state) {
        Manager *m = NULL;
        Connection *conn = NULL;
        VbError err = { 0 };
        assert_int_equal(manager_new(NULL, &m), 0);
        assert_int_equal(manager_add_connection(m, &test_driver, &conn, &err), 0);
        ReadOnly ro = { .s = fake_server_new(m) };
        ro.fc = fake_client_new(ro.s, true, REMOTE_AUTH_NONE);

        XdrWriter w;
        xdr_writer_init(&w, PACKET_LEN_MAX);
        xdr_put_opt_string(&w, "test:///default");
        xdr_put_u32(&w, 1);     /* VIR_CONNECT_RO */
        fake_call(ro.fc, 1, ++ro.serial, w.buf, w.len);
        xdr_writer_done(&w);
        assert_true(ro.fc->c.readonly);

        /* the read-only rows first: connect_close (2) ends the connection */
        const ApiRow *close_row = api_row(API_CONNECT_CLOSE);
        for (int pass = 0; pass < 2; pass++)
                for (int proc = 1; proc < PROC_MAX; proc++) {
                        const ApiRow *row = api_row_by_proc(proc);
                        if (row && row != close_row && row->mutates == (pass == 1))
                                check_read_only(row, &ro);
                }
        assert_true(ro.refused > 30);
        fake_server_free(ro.s);
        manager_free(m);
}

/* Whether a row mutates is written once; what it asks of polkit and what its D-Bus name says
 * must agree with it: reading permissions for reading rows, any other for mutating ones. */
static bool perm_reads(const char *perm) {
        return strcmp(perm, "read") == 0 || strcmp(perm, "getattr") == 0 || strncmp(perm, "search_", 7) == 0;
}

/* libvirt refuses these getters on a read-only connection: they ask the guest agent (time, file
 * systems, vCPUs) or give a secret's value. */
static const char *const refused_getters[] = {
        "org.libvirt.Domain.GetTime", "org.libvirt.Domain.GetFSInfo", "org.libvirt.Domain.GetGuestVcpus",
        "org.libvirt.Secret.GetValue", NULL,
};

static bool member_reads(const char *interface, const char *member) {
        static const char *const reading[] = { "Get", "List", "NodeGet", "Has", "Is", "MigrateGet", "CompareCPU",
                                               "BaselineCPU", "MemoryStats", "InterfaceAddresses", "SnapshotCurrent",
                                               "DomainSaveImageGetXMLDesc", NULL };
        char full[256];
        snprintf(full, sizeof full, "%s.%s", interface, member);
        for (size_t i = 0; refused_getters[i]; i++)
                if (strcmp(full, refused_getters[i]) == 0)
                        return false;
        for (size_t i = 0; reading[i]; i++)
                if (strncmp(member, reading[i], strlen(reading[i])) == 0)
                        return true;
        return strstr(member, "LookupBy") != NULL || strstr(member, "LookupSCSIHostByWWN") != NULL;
}

/* libvirt asks connect:write of virConnectGetDomainCapabilities (it may probe an emulator)
 * yet serves it on read-only connections: a reading row with a writing ACL. */
static bool acl_exception(const ApiRow *row) {
        return strcmp(row->name, "virConnectGetDomainCapabilities") == 0;
}

static int check_row_mutates(const ApiRow *row, void *userdata) {
        if (acl_exception(row))
                return 0;
        bool reads = true;
        for (size_t i = 0; i < API_ACL_MAX_PERMS && row->acl.perms[i]; i++)
                reads = reads && perm_reads(row->acl.perms[i]);
        if (row->acl.perms[0] && reads == row->mutates)
                fail_msg("%s: mutates is %d but its ACL asks %s", row->name, row->mutates, row->acl.perms[0]);
        if (row->dbus_member && member_reads(row->dbus_interface, row->dbus_member) == row->mutates)
                fail_msg("%s: mutates is %d but D-Bus %s says otherwise", row->name, row->mutates, row->dbus_member);
        return 0;
}

static void test_mutates_agrees(void **state) {
        api_foreach(check_row_mutates, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_and_procedures),
                cmocka_unit_test(test_rows_and_members),
                cmocka_unit_test(test_mutates_agrees),
                cmocka_unit_test(test_mutating_rows_refused_read_only),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
