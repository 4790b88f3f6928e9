/* test-status.c: the core's runtime status files with the Test driver and no bus: written at each transition, recovered by domain_recover(), and the running definition a driver hands over at start (domain_transition_live()). */
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

typedef struct Fixture {
        Manager *m;
        Connection *c;
        char dir[64];
        char log[4096];
        char started_xml[4096];         /* the XML an observer read when STARTED came */
} Fixture;

static void record(const Notice *n, void *userdata) {
        Fixture *f = userdata;
        char line[128];
        snprintf(line, sizeof line, "%d:%s:%d;", n->type, n->obj->name, n->type == NOTICE_LIFECYCLE ? n->event : -1);
        strncat(f->log, line, sizeof f->log - strlen(f->log) - 1);
        if (n->type == NOTICE_LIFECYCLE && n->event == EVENT_STARTED) {
                VbError err = { 0 };
                char *xml = domain_get_xml((Domain *) n->obj, 0, &err);
                snprintf(f->started_xml, sizeof f->started_xml, "%s", xml ? xml : err.message);
                free(xml);
        }
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        VbError err = { 0 };
        assert_int_equal(manager_new(NULL, &f->m), 0);
        assert_int_equal(manager_add_connection(f->m, &test_driver, &f->c, &err), 0);
        assert_int_equal(manager_add_observer(f->m, record, f), 0);
        strcpy(f->dir, "/tmp/virtbus-status-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        f->c->state_dir = strdup(f->dir);
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

#define XML(name, uuid, devices) \
        "<domain type='test'><name>" name "</name><uuid>" uuid "</uuid>" \
        "<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type>hvm</type></os>" \
        "<devices>" devices "</devices></domain>"
#define PTY "<serial type='pty'><target port='0'/></serial>"
#define PTY_LIVE "<serial type='pty'><source path='/dev/pts/9'/><target port='0'/></serial>"

static char *read_file(const char *dir, const char *name, size_t *len) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
                return NULL;
        char *buf = calloc(1, 65536);
        *len = fread(buf, 1, 65535, fp);
        fclose(fp);
        return buf;
}

/* Observers of STARTED read the running definition the driver made, with its pty path, and
 * the status file has it too. */
static void test_started_sees_live_values(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("vm", "11111111-2222-3333-4444-555555555555", PTY);
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        const char *lxml = XML("vm", "11111111-2222-3333-4444-555555555555", PTY_LIVE);
        DomainDef *live = domain_def_parse(lxml, strlen(lxml), DOMAIN_PARSE_STATUS, &err);
        assert_non_null(live);
        f->log[0] = '\0';
        assert_int_equal(domain_transition_live(d, DOMAIN_INPUT_BOOTED, live, &err), 0);
        assert_int_equal(d->state, DOMAIN_RUNNING);
        assert_ptr_equal(d->live, live);
        assert_non_null(strstr(f->started_xml, "<source path='/dev/pts/9'/>"));
        assert_non_null(strstr(f->started_xml, "id='2'"));
        size_t len;
        char *status = read_file(f->dir, "vm.xml", &len);
        assert_non_null(status);
        assert_non_null(strstr(status, "<domstatus state='running' reason='1' id='2'>"));
        assert_non_null(strstr(status, "<source path='/dev/pts/9'/>"));
        free(status);
        /* The persistent definition has no pty path. */
        char *inactive = domain_get_xml(d, DOMAIN_FORMAT_INACTIVE, &err);
        assert_null(strstr(inactive, "/dev/pts/9"));
        free(inactive);
        /* An input the state does not take is refused, and live is taken anyway. */
        live = domain_def_copy(d->live);
        assert_int_equal(domain_transition_live(d, DOMAIN_INPUT_BOOTED, live, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_INVALID);
        assert_int_equal(domain_destroy(d, 0, NULL, &err), 0);
        assert_null(read_file(f->dir, "vm.xml", &len));
}

/* A status file that cannot be written refuses the start: nothing changes, nothing is told. */
static void test_unwritable_status_refuses_entry(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("vm", "11111111-2222-3333-4444-555555555555", PTY);
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        free(f->c->state_dir);
        f->c->state_dir = strdup("/dev/null/virtbus");
        f->log[0] = '\0';
        DomainDef *live = domain_def_copy(d->def);
        assert_int_equal(domain_transition_live(d, DOMAIN_INPUT_BOOTED, live, &err), -1);
        assert_int_not_equal(err.code, 0);
        assert_non_null(strstr(err.message, "/dev/null/virtbus"));
        assert_int_equal(d->state, DOMAIN_SHUTOFF);
        assert_int_equal(d->obj.id, -1);
        assert_null(d->live);
        assert_string_equal(f->log, "");
        /* A transient domain keeps its definition. */
        const char *txml = XML("tr", "22222222-2222-3333-4444-555555555555", "");
        Domain *t = NULL;
        assert_int_equal(domain_add(f->c, domain_def_parse(txml, strlen(txml), 0, &err), false, &t, &err), 0);
        DomainDef *tdef = t->live;
        assert_int_equal(domain_transition_live(t, DOMAIN_INPUT_BOOTED, domain_def_copy(tdef), &err), -1);
        assert_ptr_equal(t->live, tdef);
        assert_int_equal(t->obj.id, -1);
        /* The plain transition logs the failure and goes on (the guest did change state). */
        assert_int_equal(domain_transition(d, DOMAIN_INPUT_BOOTED), 0);
        assert_int_equal(d->state, DOMAIN_RUNNING);
}

/* What a status file records comes back after a restart: state, reason, id, the running
 * definition; a domain only the status file knows comes back transient. No events. */
static void test_recover(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("vm", "11111111-2222-3333-4444-555555555555", PTY);
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        const char *lxml = XML("vm", "11111111-2222-3333-4444-555555555555", PTY_LIVE);
        assert_int_equal(domain_transition_live(d, DOMAIN_INPUT_BOOTED,
                                                domain_def_parse(lxml, strlen(lxml), DOMAIN_PARSE_STATUS, &err), &err), 0);
        assert_int_equal(domain_transition(d, DOMAIN_INPUT_PAUSED), 0);
        const char *txml = XML("tr", "22222222-2222-3333-4444-555555555555", "");
        Domain *t = NULL;
        assert_int_equal(domain_create_xml(f->c, txml, strlen(txml), 0, NULL, &t, &err), 0);
        size_t vlen, tlen;
        char *vstatus = read_file(f->dir, "vm.xml", &vlen), *tstatus = read_file(f->dir, "tr.xml", &tlen);
        assert_non_null(vstatus);
        assert_non_null(tstatus);

        Connection *c2 = NULL;
        assert_int_equal(manager_add_connection(f->m, &test_driver, &c2, &err), 0);
        c2->state_dir = strdup(f->dir);
        assert_int_equal(domain_define(c2, xml, strlen(xml), 0, NULL, &err), 0);
        f->log[0] = '\0';
        Domain *r = NULL;
        assert_int_equal(domain_recover(c2, vstatus, vlen, &r, &err), 0);
        assert_true(r->persistent);
        assert_int_equal(r->state, DOMAIN_PAUSED);
        assert_int_equal(r->reason, PAUSED_USER);
        assert_int_equal(r->obj.id, 2);
        assert_int_equal(r->live->id, 2);
        char *live = domain_get_xml(r, 0, &err);
        assert_non_null(strstr(live, "<source path='/dev/pts/9'/>"));
        free(live);
        /* Recovered once; a second time it is running already. */
        assert_int_equal(domain_recover(c2, vstatus, vlen, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_INVALID);

        Domain *rt = NULL;
        assert_int_equal(domain_recover(c2, tstatus, tlen, &rt, &err), 0);
        assert_false(rt->persistent);
        assert_int_equal(rt->state, DOMAIN_RUNNING);
        assert_int_equal(rt->obj.id, 3);
        assert_int_equal(c2->next_domain_id, 4);
        assert_string_equal(f->log, "");        /* nothing happened */

        /* Gone while the daemon was away: the driver says so; a transient domain goes. */
        assert_int_equal(domain_transition(rt, DOMAIN_INPUT_FAILED), 0);
        assert_null(domain_lookup_name(c2, "tr", &err));
        assert_int_equal(domain_transition(r, DOMAIN_INPUT_FAILED), 0);
        assert_int_equal(r->state, DOMAIN_SHUTOFF);
        assert_int_equal(r->reason, SHUTOFF_CRASHED);
        assert_null(read_file(f->dir, "vm.xml", &vlen));
        free(vstatus);
        free(tstatus);
}

static void test_recover_refusals(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        const char *xml = XML("vm", "11111111-2222-3333-4444-555555555555", "");
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, NULL, &err), 0);
        static const struct {
                const char *status;
                const char *message;
        } cases[] = {
                { "garbage{", "(domain_status)" },
                { "<domstatus state='shutoff' reason='0' id='4'>" XML("vm", "11111111-2222-3333-4444-555555555555", "")
                  "</domstatus>", "internal error: the status of domain 'vm' records it shutoff: nothing to recover" },
                { "<domstatus state='running' reason='1' id='-1'>" XML("vm", "11111111-2222-3333-4444-555555555555", "")
                  "</domstatus>", "internal error: the status of domain 'vm' records no id" },
                { "<domstatus state='running' reason='1' id='4'>" XML("vm", "99999999-2222-3333-4444-555555555555", "")
                  "</domstatus>", "operation failed: domain 'vm' is already defined with another uuid" },
                { "<domstatus state='running' reason='1' id='1'>" XML("vm", "11111111-2222-3333-4444-555555555555", "")
                  "</domstatus>", "internal error: the status of domain 'vm' records id 1, which domain 'test' has" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                Domain *out = NULL;
                assert_int_equal(domain_recover(f->c, cases[i].status, strlen(cases[i].status), &out, &err), -1);
                assert_null(out);
                if (!strstr(err.message, cases[i].message))
                        print_error("case %zu: %s\n", i, err.message);
                assert_non_null(strstr(err.message, cases[i].message));
                Domain *d = domain_lookup_name(f->c, "vm", &err);
                assert_int_equal(d->state, DOMAIN_SHUTOFF);
                assert_null(d->live);
        }
}

/* Undefine passes up an autostart mark it cannot remove, and then keeps the definition. */
static void test_undefine_autostart_error(void **state) {
        Fixture *f = *state;
        VbError err = { 0 };
        f->c->config_dir = strdup(f->dir);
        const char *xml = XML("auto", "33333333-2222-3333-4444-555555555555", "");
        Domain *d = NULL;
        assert_int_equal(domain_define(f->c, xml, strlen(xml), 0, &d, &err), 0);
        assert_int_equal(domain_set_autostart(d, true, &err), 0);
        char path[128];
        snprintf(path, sizeof path, "%s/autostart/auto.xml", f->dir);
        /* A directory where the mark is: it cannot be removed as a file. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0700), 0);
        char inner[160];
        snprintf(inner, sizeof inner, "%s/keep", path);
        assert_int_equal(mkdir(inner, 0700), 0);
        assert_int_equal(domain_undefine(d, 0, &err), -1);
        assert_ptr_equal(domain_lookup_name(f->c, "auto", &err), d);
        assert_true(d->persistent);
        snprintf(path, sizeof path, "%s/auto.xml", f->dir);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_started_sees_live_values, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unwritable_status_refuses_entry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
                cmocka_unit_test_setup_teardown(test_recover_refusals, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undefine_autostart_error, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
