/* test-core.c: the core with the Test driver and no bus: verbs, notices, jobs, refusals, persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connection.h"
#include "domain.h"
#include "domain-load.h"
#include "domain-persist.h"
#include "driver.h"
#include "manager.h"
#include "network.h"
#include "storage.h"

typedef struct Recorder {
        char log[8192];
} Recorder;

static void record(const Notice *n, void *userdata) {
        Recorder *r = userdata;
        char line[128];
        switch (n->type) {
        case NOTICE_ADDED: snprintf(line, sizeof line, "added %s;", n->obj->name); break;
        case NOTICE_REMOVED: snprintf(line, sizeof line, "removed %s;", n->obj->name); break;
        case NOTICE_LIFECYCLE: snprintf(line, sizeof line, "event %s %d %d;", n->obj->name, n->event, n->detail); break;
        case NOTICE_CHANGED: snprintf(line, sizeof line, "changed %s %#x;", n->obj->name, n->changed); break;
        default: snprintf(line, sizeof line, "notice %d %s;", n->type, n->obj->name); break;
        }
        strncat(r->log, line, sizeof r->log - strlen(r->log) - 1);
}

typedef struct Fixture {
        Manager *m;
        Connection *c;
        Recorder rec;
        char dir[64];
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        VbError err = { 0 };
        assert_int_equal(manager_new(NULL, &f->m), 0);
        assert_int_equal(manager_add_connection(f->m, &test_driver, &f->c, &err), 0);
        assert_int_equal(manager_add_observer(f->m, record, &f->rec), 0);
        strcpy(f->dir, "/tmp/virtbus-core-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        manager_free(f->m);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
        assert_int_equal(system(cmd), 0);
        free(f);
        return 0;
}

#define XML(name, uuid) \
        "<domain type='test'><name>" name "</name><uuid>" uuid "</uuid>" \
        "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"

static void test_initial_content(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        Domain *d = domain_lookup_name(f->c, "test", &err);
        assert_non_null(d);
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_int_equal(d->obj.id, 1);
        assert_true(d->persistent);
        assert_ptr_equal(domain_lookup_id(f->c, 1, &err), d);
        assert_non_null(network_lookup_name(f->c, "default", &err));
        StoragePool *p = pool_lookup_name(f->c, "default-pool", &err);
        assert_non_null(p);
        assert_int_equal(p->state, POOL_RUNNING);
        assert_null(domain_lookup_name(f->c, "nosuch", &err));
        assert_int_equal(err.code, VB_ERR_NO_DOMAIN);
        assert_string_equal(err.message, "Domain not found");
}

static void test_lifecycle_notices(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("vm1", "11111111-2222-3333-4444-555555555555");
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        assert_int_equal(d->state, DOMAIN_SHUTOFF);
        assert_int_equal(domain_start(d, 0, NULL, &err), 0);
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_int_equal(d->reason, RUNNING_BOOTED);
        assert_int_equal(d->obj.id, 2);
        assert_int_equal(domain_suspend(d, NULL, &err), 0);
        assert_int_equal(domain_resume(d, NULL, &err), 0);
        assert_int_equal(domain_destroy(d, 0, NULL, &err), 0);
        assert_int_equal(d->state, DOMAIN_SHUTOFF);
        assert_int_equal(d->reason, SHUTOFF_DESTROYED);
        assert_int_equal(d->obj.id, -1);
        assert_int_equal(domain_undefine(d, 0, &err), 0);
        assert_string_equal(f->rec.log,
                "added vm1;event vm1 0 0;"
                "event vm1 2 0;changed vm1 0x205;"
                "event vm1 3 0;changed vm1 0x200;"
                "event vm1 4 0;changed vm1 0x200;"
                "event vm1 5 1;changed vm1 0x205;"
                "event vm1 1 0;removed vm1;");
}

static void test_refusals_change_nothing(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        Domain *d = domain_lookup_name(f->c, "test", &err);
        assert_int_equal(domain_start(d, 0, NULL, &err), -1);
        assert_string_equal(err.message, "internal error: Domain 'test' is already running");
        assert_int_equal(domain_resume(d, NULL, &err), -1);
        assert_string_equal(err.message, "internal error: domain 'test' not paused");
        assert_int_equal(domain_start(d, 0x100, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_INVALID_ARG);
        const char *dup = XML("test", "11111111-2222-3333-4444-555555555555");
        assert_int_equal(domain_define(f->c, dup, strlen(dup), 0, NULL, &err), -1);
        assert_string_equal(err.message,
                "operation failed: domain 'test' already exists with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f");
        const char *dup2 = XML("other", "6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_int_equal(domain_define(f->c, dup2, strlen(dup2), 0, NULL, &err), -1);
        assert_string_equal(err.message,
                "operation failed: domain 'test' is already defined with uuid 6695eb01-f6a4-8304-79aa-97f2502e193f");
        assert_int_equal(domain_define(f->c, "<domain", 7, 0, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_XML_DETAIL);
        assert_string_equal(f->rec.log, "");
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_int_equal(f->c->domains.count, 1);
}

static void test_job_refuses_second_call(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        Domain *d = domain_lookup_name(f->c, "test", &err);
        d->job = DOMAIN_JOB_START;   /* as while a driver's start is pending */
        assert_int_equal(domain_suspend(d, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_TIMEOUT);
        assert_string_equal(err.message, "Timed out during operation: cannot acquire state change lock (held by start)");
        domain_job_end(d);
        assert_int_equal(domain_suspend(d, NULL, &err), 0);
}

static void test_transient_goes_away(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("tr", "22222222-2222-3333-4444-555555555555");
        Domain *d = NULL;
        assert_int_equal(domain_create_xml(f->c, xml, strlen(xml), 0, NULL, &d, &err), 0);
        assert_false(d->persistent);
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_int_equal(domain_undefine(d, 0, &err), -1);
        assert_int_equal(domain_shutdown(d, 0, NULL, &err), 0);
        assert_null(domain_lookup_name(f->c, "tr", &err));
        assert_string_equal(f->rec.log,
                "added tr;event tr 2 0;changed tr 0x205;event tr 5 0;changed tr 0x205;removed tr;");
}

static void test_undefine_running_keeps_it(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        Domain *d = domain_lookup_name(f->c, "test", &err);
        assert_int_equal(domain_undefine(d, 0, &err), 0);
        assert_false(d->persistent);
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_int_equal(domain_destroy(d, 0, NULL, &err), 0);
        assert_null(domain_lookup_name(f->c, "test", &err));
}

static void test_persistence(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        f->c->config_dir = strdup(f->dir);
        const char *xml = XML("keep", "33333333-2222-3333-4444-555555555555");
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        assert_int_equal(domain_set_autostart(d, true, &err), 0);
        char path[128];
        snprintf(path, sizeof path, "%s/keep.xml", f->dir);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);

        /* A corrupt file is reported and left in place; the good one loads. */
        char bad[128];
        snprintf(bad, sizeof bad, "%s/broken.xml", f->dir);
        int fd = open(bad, O_CREAT | O_WRONLY, 0600);
        assert_true(write(fd, "<domain><name>", 14) == 14);
        close(fd);

        Connection *c2 = NULL;
        assert_int_equal(manager_add_connection(f->m, &test_driver, &c2, &err), 0);
        c2->config_dir = strdup(f->dir);
        assert_int_equal(domain_load_all(c2), 1);
        Domain *k = domain_lookup_name(c2, "keep", &err);
        assert_non_null(k);
        assert_true(k->autostart);
        assert_int_equal(k->state, DOMAIN_SHUTOFF);
        assert_int_equal(stat(bad, &st), 0);
        assert_int_equal(st.st_size, 14);

        assert_int_equal(domain_undefine(d, 0, &err), 0);
        assert_int_not_equal(stat(path, &st), 0);
}

static void test_pool_and_volumes(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        StoragePool *p = pool_lookup_name(f->c, "default-pool", &err);
        const char *vxml = "<volume><name>sparse.img</name><capacity unit='G'>1</capacity></volume>";
        StorageVol *v = NULL;
        assert_int_equal(vol_create_xml(p, vxml, strlen(vxml), 0, NULL, NULL, &v, &err), 0);
        assert_string_equal(v->def->key, "/default-pool/sparse.img");
        assert_ptr_equal(vol_lookup_path(f->c, "/default-pool/sparse.img", &err), v);
        assert_int_equal(vol_create_xml(p, vxml, strlen(vxml), 0, NULL, NULL, NULL, &err), -1);
        assert_int_equal(pool_destroy(p, NULL, &err), 0);
        assert_null(vol_lookup_key(f->c, "/default-pool/sparse.img", &err));
        assert_string_equal(err.message, "Storage volume not found: no storage vol with matching key '/default-pool/sparse.img'");
        assert_int_equal(pool_destroy(p, NULL, &err), -1);
        assert_string_equal(err.message, "Requested operation is not valid: storage pool 'default-pool' is not active");
        assert_int_equal(pool_start(p, 0, NULL, &err), 0);
}

/* A long client value cut at the buffer's end must leave valid UTF-8 for D-Bus. */
static void test_error_truncation_keeps_utf8(void **state) {
        char value[3000];
        size_t n = 0;
        while (n + 2 < sizeof value - 1) {
                value[n++] = (char) 0xc3;   /* é */
                value[n++] = (char) 0xa9;
        }
        value[n] = '\0';
        for (int shift = 0; shift < 2; shift++) {
                VbError err = { 0 };
                vb_error_set(&err, VB_ERR_XML_ERROR, VB_FROM_XML, "%.*sInvalid value '%s'", shift, "x", value);
                size_t len = strlen(err.message);
                assert_true(len < VB_ERROR_MESSAGE_MAX);
                assert_true(len > VB_ERROR_MESSAGE_MAX - 4);
                /* The message ends on a whole character: its last byte is the second of an é pair. */
                assert_int_equal((unsigned char) err.message[len - 1], 0xa9);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_initial_content, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lifecycle_notices, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_job_refuses_second_call, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transient_goes_away, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undefine_running_keeps_it, setup, teardown),
                cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_and_volumes, setup, teardown),
                cmocka_unit_test(test_error_truncation_keeps_utf8),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
