/* test-host-jobs.c: networks, pools and volumes whose driver ops finish later (VERB_PENDING):
 * one job per object, a second mutating call refused, the outcome applied and the caller
 * answered at the end; and the host-wide subsystems, which have no backend yet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "driver.h"
#include "manager.h"
#include "network.h"
#include "storage.h"

/* What the fake backend was asked, and what callers heard. */
static struct {
        int pending_ops;        /* ops that answered VERB_PENDING */
        int answered, answer_r;
        char answer_msg[VB_ERROR_MESSAGE_MAX];
        void *answer_result;
} S;

static void answered(Call *call, int r, const VbError *err, void *result) {
        S.answered++;
        S.answer_r = r;
        snprintf(S.answer_msg, sizeof S.answer_msg, "%s", err ? err->message : "");
        S.answer_result = result;
}

static Call *new_call(void) {
        Identity who = { 0 };
        return call_new(CALL_DOOR_INTERNAL, &who, answered, NULL);
}

/* A backend that takes its time: every op but define/undefine finishes later. */
static int later_net(Network *n, Call *call, VbError *err) {
        S.pending_ops++;
        return VERB_PENDING;
}

static int keep_net(Network *n, const NetworkDef *def, VbError *err) {
        return 0;
}

static int forget_net(Network *n, VbError *err) {
        return 0;
}

static const NetworkOps slow_network_ops = {
        .define = keep_net, .undefine = forget_net, .start = later_net, .stop = later_net,
};

static int later_pool(StoragePool *p, Call *call, VbError *err) {
        S.pending_ops++;
        return VERB_PENDING;
}

static int keep_pool(StoragePool *p, const PoolDef *def, VbError *err) {
        return 0;
}

static int later_vol_create(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err) {
        S.pending_ops++;
        char path[128];
        snprintf(path, sizeof path, "/slow/%s", def->name);
        def->key = strdup(path);
        def->path = strdup(path);
        return VERB_PENDING;
}

static int later_vol_delete(StorageVol *v, unsigned flags, Call *call, VbError *err) {
        S.pending_ops++;
        return VERB_PENDING;
}

static const PoolOps slow_pool_ops = {
        .define = keep_pool, .start = later_pool, .stop = later_pool, .refresh = later_pool,
        .vol_create = later_vol_create, .vol_delete = later_vol_delete,
};

static const Driver slow_driver = {
        .name = "Slow", .uri = "slow:///default", .type = "SLOW", .error_from = VB_FROM_TEST,
        .own_networks = &slow_network_ops, .own_pools = &slow_pool_ops,
};

/* Like the QEMU connections: the Manager's host-wide subsystems. */
static const Driver hosted_driver = {
        .name = "Hosted", .uri = "hosted:///system", .type = "HOSTED", .error_from = VB_FROM_QEMU,
};

static const char NET_XML[] = "<network><name>slow</name><uuid>6b3e2a4c-1111-4c5e-9a9a-000000000001</uuid>"
                              "<bridge name='slowbr0'/></network>";
static const char POOL_XML[] = "<pool type='dir'><name>slowpool</name>"
                               "<uuid>6b3e2a4c-1111-4c5e-9a9a-000000000002</uuid>"
                               "<target><path>/slow</path></target></pool>";
static const char VOL_XML[] = "<volume><name>disk.img</name><capacity>1048576</capacity></volume>";

static int setup(void **state) {
        Manager *m = NULL;
        VbError err = { 0 };
        memset(&S, 0, sizeof S);
        assert_int_equal(manager_new(NULL, &m), 0);
        assert_int_equal(manager_add_connection(m, &slow_driver, NULL, &err), 0);
        *state = m;
        return 0;
}

static int teardown(void **state) {
        manager_free(*state);
        return 0;
}

static void test_network_start_finishes_later(void **state) {
        Manager *m = *state;
        Connection *c = m->conns[0];
        VbError err = { 0 };
        Network *n = NULL;
        assert_int_equal(network_define(c, NET_XML, strlen(NET_XML), 0, &n, &err), 0);

        Call *call = new_call();
        assert_int_equal(network_start(n, call, &err), VERB_PENDING);
        call_unref(call);
        assert_int_equal(S.pending_ops, 1);
        assert_false(n->active);
        assert_int_equal(S.answered, 0);

        /* A second mutating call while the start runs is refused and changes nothing. */
        assert_int_equal(network_start(n, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_TIMEOUT);
        assert_string_equal(err.message, "Timed out during operation: cannot acquire state change lock (held by start)");
        assert_int_equal(network_undefine(n, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_TIMEOUT);
        assert_int_equal(network_set_autostart(n, true, &err), -1);
        assert_false(n->autostart);
        assert_int_equal(S.pending_ops, 1);

        /* The backend is done: the network is active and the caller hears success. */
        network_job_done(n, 0, NULL);
        assert_true(n->active);
        assert_int_equal(S.answered, 1);
        assert_int_equal(S.answer_r, 0);

        /* The job is over: the next verb runs (and finishes later, failing this time). */
        call = new_call();
        assert_int_equal(network_destroy(n, call, &err), VERB_PENDING);
        call_unref(call);
        VbError failed = { 0 };
        vb_error_set(&failed, VB_ERR_INTERNAL_ERROR, VB_FROM_NETWORK, "bridge is busy");
        network_job_done(n, -1, &failed);
        assert_true(n->active);         /* a failed stop leaves it running */
        assert_int_equal(S.answered, 2);
        assert_int_equal(S.answer_r, -1);
        assert_string_equal(S.answer_msg, "internal error: bridge is busy");
}

static void test_network_create_fails_later_leaves_nothing(void **state) {
        Manager *m = *state;
        Connection *c = m->conns[0];
        VbError err = { 0 };
        Network *n = NULL;
        Call *call = new_call();
        assert_int_equal(network_create_xml(c, NET_XML, strlen(NET_XML), 0, call, &n, &err), VERB_PENDING);
        call_unref(call);
        assert_non_null(n);
        assert_ptr_equal(network_lookup_name(c, "slow", NULL), n);
        network_job_done(n, -1, NULL);
        assert_int_equal(S.answer_r, -1);
        assert_null(network_lookup_name(c, "slow", &err));
        assert_int_equal(err.code, VB_ERR_NO_NETWORK);
}

static void test_pool_and_volume_jobs(void **state) {
        Manager *m = *state;
        Connection *c = m->conns[0];
        VbError err = { 0 };
        StoragePool *p = NULL;
        assert_int_equal(pool_define(c, POOL_XML, strlen(POOL_XML), 0, &p, &err), 0);
        Call *call = new_call();
        assert_int_equal(pool_start(p, 0, call, &err), VERB_PENDING);
        call_unref(call);
        assert_false(pool_is_active(p));
        assert_int_equal(pool_start(p, 0, NULL, &err), -1);
        assert_string_equal(err.message, "Timed out during operation: cannot acquire state change lock (held by start)");
        pool_job_done(p, 0, NULL);
        assert_true(pool_is_active(p));
        assert_ptr_equal(S.answer_result, p);

        /* A volume appears when its creation is done, and the caller gets it. */
        StorageVol *v = NULL;
        call = new_call();
        assert_int_equal(vol_create_xml(p, VOL_XML, strlen(VOL_XML), 0, NULL, call, &v, &err), VERB_PENDING);
        call_unref(call);
        assert_null(v);
        assert_null(vol_lookup_name(p, "disk.img", NULL));
        assert_int_equal(pool_destroy(p, NULL, &err), -1);
        assert_string_equal(err.message, "Timed out during operation: cannot acquire state change lock (held by vol-create)");
        assert_true(pool_is_active(p));
        pool_job_done(p, 0, NULL);
        v = vol_lookup_name(p, "disk.img", &err);
        assert_non_null(v);
        assert_ptr_equal(S.answer_result, v);
        assert_ptr_equal(vol_lookup_path(c, "/slow/disk.img", NULL), v);

        /* While the volume is being deleted, neither it nor its pool takes another job. */
        call = new_call();
        assert_int_equal(vol_delete(v, 0, call, &err), VERB_PENDING);
        call_unref(call);
        assert_int_equal(vol_delete(v, 0, NULL, &err), -1);
        assert_string_equal(err.message, "Timed out during operation: cannot acquire state change lock (held by delete)");
        assert_int_equal(pool_destroy(p, NULL, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_TIMEOUT);
        vol_job_done(v, 0, NULL);
        assert_null(vol_lookup_name(p, "disk.img", NULL));
        assert_null(vol_lookup_path(c, "/slow/disk.img", NULL));
        assert_int_equal(S.pending_ops, 3);
}

static void test_host_subsystems_have_no_backend(void **state) {
        Manager *m = *state;
        VbError err = { 0 };
        Connection *a = NULL, *b = NULL;
        assert_int_equal(manager_add_connection(m, &hosted_driver, &a, &err), 0);
        assert_int_equal(manager_add_connection(m, &hosted_driver, &b, &err), 0);
        /* Both see the one host subsystem; the Slow connection keeps its own. */
        assert_ptr_equal(a->net, m->host_networks);
        assert_ptr_equal(b->storage, m->host_storage);
        assert_ptr_not_equal(m->conns[0]->net, m->host_networks);

        Network *n = NULL;
        assert_int_equal(network_define(a, NET_XML, strlen(NET_XML), 0, &n, &err), -1);
        assert_int_equal(err.code, VB_ERR_NO_SUPPORT);
        assert_string_equal(err.message, "this function is not supported by the connection driver: virNetworkDefineXML");
        assert_int_equal(network_create_xml(a, "not xml", 7, 0, NULL, &n, &err), -1);
        assert_string_equal(err.message, "this function is not supported by the connection driver: virNetworkCreateXML");
        StoragePool *p = NULL;
        assert_int_equal(pool_define(b, POOL_XML, strlen(POOL_XML), 0, &p, &err), -1);
        assert_string_equal(err.message, "this function is not supported by the connection driver: virStoragePoolDefineXML");
        assert_int_equal(pool_create_xml(b, POOL_XML, strlen(POOL_XML), 0, NULL, &p, &err), -1);
        assert_string_equal(err.message, "this function is not supported by the connection driver: virStoragePoolCreateXML");
        assert_int_equal(m->host_networks->networks.count, 0);
        assert_int_equal(m->host_storage->pools.count, 0);
        assert_null(network_lookup_name(a, "default", &err));
        assert_string_equal(err.message, "Network not found: no network with matching name 'default'");
        assert_int_equal(err.from, VB_FROM_NETWORK);
        assert_null(pool_lookup_name(b, "default", &err));
        assert_string_equal(err.message, "Storage pool not found: no storage pool with matching name 'default'");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_network_start_finishes_later, setup, teardown),
                cmocka_unit_test_setup_teardown(test_network_create_fails_later_leaves_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pool_and_volume_jobs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_subsystems_have_no_backend, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
