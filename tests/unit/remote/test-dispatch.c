/* test-dispatch.c: remote_dispatch with a Test connection and a fake transport: gates, errors, read-only, keepalive, events, and replies that come later. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "dispatch.h"
#include "domain.h"
#include "driver.h"
#include "fake-server.h"
#include "network.h"
#include "storage.h"

#define TEST_UUID "\x66\x95\xeb\x01\xf6\xa4\x83\x04\x79\xaa\x97\xf2\x50\x2e\x19\x3f"

typedef struct Fixture {
        Manager *m;
        Connection *conn;
        RemoteServer *s;
        FakeClient *fc;
        uint32_t serial;
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        VbError err = { 0 };
        assert_int_equal(manager_new(NULL, &f->m), 0);
        assert_int_equal(manager_add_connection(f->m, &test_driver, &f->conn, &err), 0);
        f->s = fake_server_new(f->m);
        fake_server_observe(f->s);
        f->fc = fake_client_new(f->s, true, REMOTE_AUTH_NONE);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        fake_server_free(f->s);
        manager_free(f->m);
        free(f);
        return 0;
}

/* ------------------------------------------------------------------ helpers */

typedef struct Reply {
        uint32_t prog, vers, type, serial, status;
        int32_t proc;
        const uint8_t *payload;
        size_t len;
        /* status ERROR */
        int32_t code, domain;
        char message[1024], str1[256], str2[1024];
} Reply;

static void parse_reply(const FakePacket *p, Reply *r) {
        assert_non_null(p);
        assert_true(p->len >= 28);
        assert_int_equal(fake_be32(p->data), p->len);
        *r = (Reply) {
                .prog = fake_be32(p->data + 4), .vers = fake_be32(p->data + 8),
                .proc = (int32_t) fake_be32(p->data + 12), .type = fake_be32(p->data + 16),
                .serial = fake_be32(p->data + 20), .status = fake_be32(p->data + 24),
                .payload = p->data + 28, .len = p->len - 28,
        };
        if (r->status != MSG_STATUS_ERROR)
                return;
        XdrReader x;
        char *s = NULL;
        int32_t level, i1, i2;
        uint32_t dom, net;
        xdr_reader_init(&x, r->payload, r->len);
        xdr_get_i32(&x, &r->code);
        xdr_get_i32(&x, &r->domain);
        xdr_get_opt_string(&x, 4096, &s);
        snprintf(r->message, sizeof r->message, "%s", s ? s : "(null)");
        free(s);
        xdr_get_i32(&x, &level);
        xdr_get_u32(&x, &dom);
        xdr_get_opt_string(&x, 4096, &s);
        snprintf(r->str1, sizeof r->str1, "%s", s ? s : "(null)");
        free(s);
        xdr_get_opt_string(&x, 4096, &s);
        snprintf(r->str2, sizeof r->str2, "%s", s ? s : "(null)");
        free(s);
        xdr_get_opt_string(&x, 4096, &s);
        assert_null(s);
        xdr_get_i32(&x, &i1);
        xdr_get_i32(&x, &i2);
        xdr_get_u32(&x, &net);
        assert_true(xdr_reader_ok(&x));
        assert_int_equal(xdr_remaining(&x), 0);
        assert_int_equal(level, 2);
        assert_int_equal(dom, 0);
        assert_int_equal(i1, -1);
        assert_int_equal(i2, -1);
        assert_int_equal(net, 0);
}

/* Call proc with payload w (may be NULL) and return the reply: the last packet sent (event
 * messages the call caused come before it). */
static Reply call(Fixture *f, FakeClient *fc, int32_t proc, XdrWriter *w) {
        Reply r;
        size_t before = fc->n_out;
        uint32_t serial = ++f->serial;
        fake_call(fc, proc, serial, w ? w->buf : NULL, w ? w->len : 0);
        if (w)
                xdr_writer_done(w);
        assert_true(fc->n_out >= before + 1);
        parse_reply(fake_out(fc, fc->n_out - 1), &r);
        assert_int_equal(r.prog, REMOTE_PROGRAM);
        assert_int_equal(r.proc, proc);
        assert_int_equal(r.type, MSG_REPLY);
        assert_int_equal(r.serial, serial);
        return r;
}

static void assert_error(const Reply *r, int code, int domain, const char *message) {
        assert_int_equal(r->status, MSG_STATUS_ERROR);
        assert_string_equal(r->message, message);
        assert_int_equal(r->code, code);
        assert_int_equal(r->domain, domain);
}

static XdrWriter *args(XdrWriter *w) {
        xdr_writer_init(w, PACKET_LEN_MAX);
        return w;
}

static void open_conn(Fixture *f, FakeClient *fc, const char *uri, unsigned flags) {
        XdrWriter w;
        xdr_put_opt_string(args(&w), uri);
        xdr_put_u32(&w, flags);
        Reply r = call(f, fc, 1, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 0);
}

static void put_test_domain(XdrWriter *w, int id) {
        xdr_put_string(w, "test");
        xdr_put_fixed(w, TEST_UUID, 16);
        xdr_put_i32(w, id);
}

static int32_t int_of(const Reply *r) {
        assert_int_equal(r->status, MSG_STATUS_OK);
        assert_true(r->len >= 4);
        return (int32_t) fake_be32(r->payload);
}

/* ------------------------------------------------------------------ gates */

static void test_auth_gate(void **state) {
        Fixture *f = *state;
        FakeClient *fc = fake_client_new(f->s, false, REMOTE_AUTH_SASL);
        XdrWriter w;

        Reply r = call(f, fc, 66, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 8);
        assert_int_equal(fake_be32(r.payload), 1);
        assert_int_equal(fake_be32(r.payload + 4), REMOTE_AUTH_SASL);

        xdr_put_i32(args(&w), 10);
        r = call(f, fc, 60, &w);
        assert_error(&r, 39, 7, "authentication required");
        assert_string_equal(r.str1, "%s");
        assert_string_equal(r.str2, "authentication required");
        assert_int_equal(fc->keepalive_starts, 0);

        r = call(f, fc, 9999, NULL);    /* unknown comes before authentication */
        assert_error(&r, 39, 7, "unknown procedure: 9999");
        r = call(f, fc, 67, NULL);
        assert_error(&r, 45, 7, "authentication failed: authentication failed");
        assert_string_equal(r.str1, "authentication failed: %s");
        fake_client_drop(fc);
}

static void test_not_open(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        xdr_put_string(args(&w), "test");
        Reply r = call(f, f->fc, 23, &w);
        assert_error(&r, 1, 7, "internal error: hypervisor connection not open");
        assert_string_equal(r.str1, "internal error: %s");
        assert_string_equal(r.str2, "hypervisor connection not open");
        /* not implemented, and not open: the connection is checked first */
        r = call(f, f->fc, 163, NULL);
        assert_error(&r, 1, 7, "internal error: hypervisor connection not open");
        /* feature 10 needs no connection, the others do */
        xdr_put_i32(args(&w), 10);
        r = call(f, f->fc, 60, &w);
        assert_int_equal(int_of(&r), 1);
        assert_true(f->fc->c.keepalive_requested);
        assert_int_equal(f->fc->keepalive_starts, 1);
        xdr_put_i32(args(&w), 14);
        r = call(f, f->fc, 60, &w);
        assert_error(&r, 1, 7, "internal error: hypervisor connection not open");
}

static void test_open(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        xdr_put_opt_string(args(&w), "qemu:///session");
        xdr_put_u32(&w, 0);
        Reply r = call(f, f->fc, 1, &w);
        assert_error(&r, 5, 0, "no connection driver available for qemu:///session");
        assert_null(f->fc->c.conn);

        open_conn(f, f->fc, NULL, 0);   /* no name: the default */
        assert_ptr_equal(f->fc->c.conn, f->conn);
        assert_false(f->fc->c.readonly);
        xdr_put_opt_string(args(&w), "test:///default");
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 1, &w);
        assert_error(&r, 1, 7, "internal error: connection already open");

        r = call(f, f->fc, 3, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 8);
        assert_memory_equal(r.payload, "\0\0\0\4TEST", 8);

        static const int32_t features[][2] = { { 9, 1 }, { 14, 1 }, { 15, 1 }, { 8, 0 }, { 12345, 0 } };
        for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
                xdr_put_i32(args(&w), features[i][0]);
                r = call(f, f->fc, 60, &w);
                assert_int_equal(int_of(&r), features[i][1]);
        }
        r = call(f, f->fc, 360, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_true(f->fc->c.close_callback);
        r = call(f, f->fc, 2, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_null(f->fc->c.conn);
        assert_false(f->fc->c.close_callback);
}

static void test_unsupported(void **state) {
        Fixture *f = *state;
        open_conn(f, f->fc, "test:///default", 0);
        Reply r = call(f, f->fc, 220, NULL);    /* interface_change_begin: not served (the udev backend is read-only) */
        assert_error(&r, 3, 26, "this function is not supported by the connection driver: virInterfaceChangeBegin");
        assert_string_equal(r.str1, "this function is not supported by the connection driver: %s");
        assert_string_equal(r.str2, "virInterfaceChangeBegin");
        /* served, and answered by the Test driver as libvirt's test driver does */
        XdrWriter w;
        for (int i = 0; i < 4; i++)
                xdr_put_opt_string(i == 0 ? args(&w) : &w, NULL);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 342, &w);
        assert_error(&r, 3, 20, "this function is not supported by the connection driver: virConnectGetDomainCapabilities");
        xdr_put_i32(args(&w), 1);       /* served: the Test connection has no secrets, as libvirt's */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 287, &w);
        assert_error(&r, 3, 30, "this function is not supported by the connection driver: virConnectListAllSecrets");
        /* event messages are not procedures a client can call */
        r = call(f, f->fc, 318, NULL);
        assert_error(&r, 39, 7, "unknown procedure: 318");
        r = call(f, f->fc, 0, NULL);
        assert_error(&r, 39, 7, "unknown procedure: 0");
        r = call(f, f->fc, -5, NULL);
        assert_error(&r, 39, 7, "unknown procedure: -5");
        r = call(f, f->fc, 444, NULL);
        assert_error(&r, 39, 7, "unknown procedure: 444");
}

static void test_bad_headers(void **state) {
        Fixture *f = *state;
        uint8_t buf[64];
        size_t n;
        Reply r;

        n = fake_packet(buf, sizeof buf, 0x20008086u, 2, 3, MSG_CALL, 4, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 0), &r);
        assert_error(&r, 39, 7, "Cannot find program 536903814 version 2");
        assert_int_equal(r.vers, 2);
        assert_int_equal(r.serial, 4);

        n = fake_packet(buf, sizeof buf, 0xdeadbeefu, 1, 3, MSG_CALL, 5, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 1), &r);
        assert_error(&r, 39, 7, "Cannot find program -559038737 version 1");
        assert_int_equal(r.prog, 0xdeadbeefu);

        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 66, MSG_REPLY, 6, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 2), &r);
        assert_error(&r, 39, 7, "Unexpected message type 1");
        assert_int_equal(r.type, MSG_REPLY);

        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 66, MSG_CALL, 7, 1, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 3), &r);
        assert_error(&r, 39, 7, "Unexpected message status 1");

        /* a CALL_WITH_FDS is a call, its arguments after the count of its descriptors: without
         * the count it cannot be read (the transport drops such a client before this) */
        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 66, MSG_CALL_WITH_FDS, 8, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 4), &r);
        assert_error(&r, 39, 7, "Unable to decode number of FDs");
        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 66, MSG_CALL_WITH_FDS, 8, 0, "\0\0\0\0", 4);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 5), &r);
        Reply plain;
        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 66, MSG_CALL, 8, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        parse_reply(fake_out(f->fc, 6), &plain);
        assert_int_equal(r.type, MSG_REPLY);
        assert_string_equal(r.message, plain.message);

        /* stream data of no stream is dropped, as libvirtd drops it */
        n = fake_packet(buf, sizeof buf, 0x20008086u, 1, 208, MSG_STREAM, 9, MSG_STATUS_CONTINUE, "abcd", 4);
        remote_dispatch(&f->fc->c, buf, n);
        assert_int_equal(f->fc->n_out, 7);
        assert_false(f->fc->close_requested);
}

static void test_keepalive(void **state) {
        Fixture *f = *state;
        uint8_t buf[64];
        size_t n = fake_packet(buf, sizeof buf, KEEPALIVE_PROGRAM, 1, KEEPALIVE_PROC_PING, MSG_MESSAGE, 0, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        assert_int_equal(f->fc->n_out, 1);
        assert_int_equal(f->fc->keepalive_seen, 1);
        static const uint8_t pong[] = { 0, 0, 0, 0x1c, 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1, 0, 0, 0, 2,
                                        0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0 };
        assert_int_equal(f->fc->out[0].len, sizeof pong);
        assert_memory_equal(f->fc->out[0].data, pong, sizeof pong);

        n = fake_packet(buf, sizeof buf, KEEPALIVE_PROGRAM, 1, KEEPALIVE_PROC_PONG, MSG_MESSAGE, 0, 0, NULL, 0);
        remote_dispatch(&f->fc->c, buf, n);
        assert_int_equal(f->fc->n_out, 1);
        assert_int_equal(f->fc->keepalive_seen, 2);

        uint8_t *p = NULL;
        size_t len = 0;
        assert_int_equal(remote_packet_keepalive(KEEPALIVE_PROC_PING, &p, &len), 0);
        assert_int_equal(len, 28);
        assert_int_equal(fake_be32(p + 12), KEEPALIVE_PROC_PING);
        free(p);
}

static void test_decode_errors(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 0);

        Reply r = call(f, f->fc, 23, NULL);     /* no name at all */
        assert_error(&r, 39, 7, "Unable to decode message payload");
        xdr_put_u32(args(&w), REMOTE_STRING_MAX + 1);
        r = call(f, f->fc, 23, &w);
        assert_error(&r, 39, 7, "Unable to decode message payload");
        xdr_put_u32(args(&w), 100);             /* longer than the payload */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 23, &w);
        assert_error(&r, 39, 7, "Unable to decode message payload");
        /* a bad optional discriminator */
        xdr_put_i32(args(&w), 0);
        xdr_put_u32(&w, 7);
        r = call(f, f->fc, 316, &w);
        assert_error(&r, 39, 7, "Unable to decode message payload");
        /* the connection stays usable */
        r = call(f, f->fc, 3, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_false(f->fc->close_requested);
}

static void test_lookups(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 0);
        xdr_put_string(args(&w), "test");
        Reply r = call(f, f->fc, 23, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        static const uint8_t dom[] = "\0\0\0\4test" TEST_UUID "\0\0\0\1";
        assert_int_equal(r.len, 28);
        assert_memory_equal(r.payload, dom, 28);

        xdr_put_string(args(&w), "nosuchdom");
        r = call(f, f->fc, 23, &w);
        assert_int_equal(r.code, 42);
        assert_string_equal(r.message, "Domain not found");
        assert_string_equal(r.str1, "Domain not found");
        assert_string_equal(r.str2, "(null)");

        xdr_put_i32(args(&w), 1);
        r = call(f, f->fc, 22, &w);
        assert_memory_equal(r.payload, dom, 28);

        /* a handle naming a domain that is gone */
        xdr_put_string(args(&w), "gone");
        xdr_put_fixed(&w, "0123456789abcdef", 16);
        xdr_put_i32(&w, -1);
        r = call(f, f->fc, 150, &w);
        assert_int_equal(r.code, 42);

        xdr_put_string(args(&w), "default");
        r = call(f, f->fc, 46, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_put_string(args(&w), "nosuchnet");
        r = call(f, f->fc, 46, &w);
        assert_int_equal(r.code, 43);
        assert_string_equal(r.message, "Network not found: no network with matching name 'nosuchnet'");
        assert_string_equal(r.str1, "Network not found: %s");
        assert_string_equal(r.str2, "no network with matching name 'nosuchnet'");
}

static void test_readonly(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 1);
        assert_true(f->fc->c.readonly);

        put_test_domain(args(&w), 1);
        Reply r = call(f, f->fc, 12, &w);
        assert_error(&r, 29, 20, "operation forbidden: read only access prevents virDomainDestroy");
        assert_string_equal(r.str1, "operation forbidden: %s");
        assert_string_equal(r.str2, "read only access prevents virDomainDestroy");
        Domain *d = domain_lookup_name(f->conn, "test", NULL);
        assert_int_equal(d->state, DOMAIN_RUNNING);

        xdr_put_string(args(&w), "<domain/>");
        r = call(f, f->fc, 11, &w);
        assert_error(&r, 29, 20, "operation forbidden: read only access prevents virDomainDefineXML");

        Network *n = network_lookup_name(f->conn, "default", NULL);
        xdr_put_string(args(&w), "default");
        xdr_put_fixed(&w, n->obj.uuid, 16);
        r = call(f, f->fc, 42, &w);
        assert_error(&r, 29, 19, "operation forbidden: read only access prevents virNetworkDestroy");
        assert_true(n->active);

        StoragePool *p = pool_lookup_name(f->conn, "default-pool", NULL);
        xdr_put_string(args(&w), "default-pool");
        xdr_put_fixed(&w, p->obj.uuid, 16);
        r = call(f, f->fc, 80, &w);
        assert_error(&r, 29, 18, "operation forbidden: read only access prevents virStoragePoolDestroy");

        put_test_domain(args(&w), 1);
        xdr_put_u32(&w, 1);             /* VIR_DOMAIN_XML_SECURE */
        r = call(f, f->fc, 14, &w);
        assert_error(&r, 29, 20, "operation forbidden: virDomainGetXMLDesc with secure flag");

        /* reading is fine */
        put_test_domain(args(&w), 1);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 14, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_put_i32(args(&w), 1);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 273, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        /* and events may be watched */
        xdr_put_i32(args(&w), 0);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 316, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
}

static void test_lists(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 0);
        /* define a second, inactive domain */
        xdr_put_string(args(&w), "<domain type='test'><name>demo</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
                                 "<memory>1024</memory><os><type>hvm</type></os></domain>");
        Reply r = call(f, f->fc, 11, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(fake_be32(r.payload + r.len - 4), 0xffffffffu);      /* id -1 */

        static const struct { unsigned flags; uint32_t count; } cases[] = {
                { 0, 2 }, { 1, 1 }, { 2, 1 }, { 3, 2 }, { 1 << 4, 1 }, { 1 << 6, 1 }, { 1 << 11, 2 }, { 1 << 10, 0 },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                xdr_put_i32(args(&w), 0);
                xdr_put_u32(&w, cases[i].flags);
                r = call(f, f->fc, 273, &w);
                assert_int_equal(r.len, 8);
                assert_int_equal(fake_be32(r.payload), 0);     /* no results asked for */
                assert_int_equal(fake_be32(r.payload + 4), cases[i].count);
        }
        xdr_put_i32(args(&w), 1);
        xdr_put_u32(&w, 1u << 16);
        r = call(f, f->fc, 273, &w);
        assert_error(&r, 8, 0, "unsupported flags (0x10000) in function virConnectListAllDomains");

        r = call(f, f->fc, 51, NULL);
        assert_int_equal(int_of(&r), 1);
        r = call(f, f->fc, 25, NULL);
        assert_int_equal(int_of(&r), 1);
        xdr_put_i32(args(&w), 10);
        r = call(f, f->fc, 37, &w);
        assert_int_equal(r.len, 8);
        assert_int_equal(fake_be32(r.payload + 4), 1);
        xdr_put_i32(args(&w), 10);
        r = call(f, f->fc, 21, &w);
        assert_int_equal(r.len, 12);
        assert_memory_equal(r.payload, "\0\0\0\1\0\0\0\4demo", 12);
        xdr_put_i32(args(&w), 16385);
        r = call(f, f->fc, 37, &w);
        assert_error(&r, 39, 7, "maxids > REMOTE_DOMAIN_LIST_MAX");
        xdr_put_i32(args(&w), -1);
        r = call(f, f->fc, 21, &w);
        assert_error(&r, 8, 20, "invalid argument: maxnames in virConnectListDefinedDomains must not be negative");
        xdr_put_i32(args(&w), 0);
        r = call(f, f->fc, 37, &w);
        assert_int_equal(r.len, 4);

        /* networks, pools: active default ones */
        xdr_put_i32(args(&w), 1);
        xdr_put_u32(&w, 1);     /* INACTIVE */
        r = call(f, f->fc, 283, &w);
        assert_memory_equal(r.payload, "\0\0\0\0\0\0\0\0", 8);
        r = call(f, f->fc, 52, NULL);
        assert_int_equal(int_of(&r), 1);
        r = call(f, f->fc, 71, NULL);
        assert_int_equal(int_of(&r), 1);
        xdr_put_i32(args(&w), 1);
        xdr_put_u32(&w, 1u << 6);       /* dir pools */
        r = call(f, f->fc, 281, &w);
        assert_int_equal(fake_be32(r.payload), 1);
        xdr_put_i32(args(&w), 1);
        xdr_put_u32(&w, 1u << 8);       /* netfs pools */
        r = call(f, f->fc, 281, &w);
        assert_int_equal(fake_be32(r.payload), 0);
}

/* A reply that cannot be encoded is an error reply; the connection goes on. */
static void test_reply_too_large(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        size_t n = 3u << 20;
        char *xml = malloc(n + 512);
        int k = snprintf(xml, 512, "<domain type='test'><name>big</name><memory>1024</memory><os><type>hvm</type></os>"
                                   "<description>");
        memset(xml + k, '>', n);        /* each one is formatted as &gt; */
        strcpy(xml + k + n, "</description></domain>");
        open_conn(f, f->fc, "test:///default", 0);
        xdr_put_string(args(&w), xml);
        free(xml);
        Reply r = call(f, f->fc, 11, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_writer_init(&w, 1 << 20);
        xdr_put_fixed(&w, r.payload, r.len);    /* the domain handle */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 14, &w);
        assert_error(&r, 39, 7, "Unable to encode message payload");
        r = call(f, f->fc, 3, NULL);
        assert_int_equal(r.status, MSG_STATUS_OK);
}

/* domain_memory_peek / domain_block_peek: a size over libvirt 9.0's 4 MiB is the daemon's RPC
 * error before anything else (its client never sends one); the Test driver's bytes otherwise. */
static void test_peek_sizes(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 0);
        put_test_domain(args(&w), 1);
        xdr_put_u64(&w, 0);
        xdr_put_u32(&w, 4194305);
        xdr_put_u32(&w, 2);
        Reply r = call(f, f->fc, 104, &w);
        assert_error(&r, 39, 7, "size > maximum buffer size");
        put_test_domain(args(&w), 1);
        xdr_put_string(&w, "vda");
        xdr_put_u64(&w, 0);
        xdr_put_u32(&w, 4194305);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 103, &w);
        assert_error(&r, 39, 7, "size > maximum buffer size");
        put_test_domain(args(&w), 1);
        xdr_put_u64(&w, 254);
        xdr_put_u32(&w, 3);
        xdr_put_u32(&w, 1);
        r = call(f, f->fc, 104, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        static const uint8_t want[] = { 0, 0, 0, 3, 0xfe, 0xff, 0x00, 0 };      /* opaque<>: length, bytes, pad */
        assert_int_equal(r.len, sizeof want);
        assert_memory_equal(r.payload, want, sizeof want);
}

/* ------------------------------------------------------------------ events */

static Reply message(FakeClient *fc, size_t i) {
        Reply r;
        parse_reply(fake_out(fc, i), &r);
        assert_int_equal(r.type, MSG_MESSAGE);
        assert_int_equal(r.serial, 1);
        assert_int_equal(r.status, MSG_STATUS_OK);
        return r;
}

static void test_events(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        FakeClient *other = fake_client_new(f->s, true, REMOTE_AUTH_NONE);
        open_conn(f, f->fc, "test:///default", 0);
        open_conn(f, other, "test:///default", 0);
        f->s->next_callback_id = 7;

        xdr_put_i32(args(&w), 0);       /* lifecycle, every domain */
        xdr_put_u32(&w, 0);
        Reply r = call(f, f->fc, 316, &w);
        assert_int_equal(int_of(&r), 7);
        xdr_put_i32(args(&w), 0);       /* lifecycle of "test" only */
        xdr_put_u32(&w, 1);
        put_test_domain(&w, 1);
        r = call(f, f->fc, 316, &w);
        assert_int_equal(int_of(&r), 8);
        xdr_put_i32(args(&w), 5);       /* graphics: accepted, never sent */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 316, &w);
        assert_int_equal(int_of(&r), 9);
        xdr_put_i32(args(&w), 27);
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 316, &w);
        assert_error(&r, 1, 7, "internal error: unsupported event ID 27");
        xdr_put_i32(args(&w), 0);       /* legacy lifecycle */
        r = call(f, f->fc, 167, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 0);
        xdr_put_i32(args(&w), 0);
        r = call(f, f->fc, 167, &w);
        assert_error(&r, 1, 7, "internal error: domain event 0 already registered");
        xdr_put_i32(args(&w), 0);       /* networks */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 313, &w);
        assert_int_equal(int_of(&r), 11);
        xdr_put_i32(args(&w), 1);       /* pool refresh */
        xdr_put_u32(&w, 0);
        r = call(f, f->fc, 368, &w);
        assert_int_equal(int_of(&r), 12);
        fake_client_clear(f->fc);

        /* the other client suspends "test" */
        put_test_domain(args(&w), 1);
        r = call(f, other, 34, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(f->fc->n_out, 3);
        static const uint8_t dom[] = "\0\0\0\4test" TEST_UUID "\0\0\0\1";
        for (int i = 0; i < 2; i++) {
                r = message(f->fc, i);
                assert_int_equal(r.proc, 318);
                assert_int_equal(r.len, 40);
                assert_int_equal(fake_be32(r.payload), 7 + i);
                assert_memory_equal(r.payload + 4, dom, 28);
                assert_int_equal(fake_be32(r.payload + 32), EVENT_SUSPENDED);
                assert_int_equal(fake_be32(r.payload + 36), SUSPENDED_PAUSED);
        }
        r = message(f->fc, 2);
        assert_int_equal(r.proc, 107);
        assert_int_equal(r.len, 36);
        assert_memory_equal(r.payload, dom, 28);
        assert_int_equal(other->n_out, 2);      /* open and suspend: the other client asked for no events */
        fake_client_clear(f->fc);

        /* a domain "test" is not: only the unfiltered callbacks hear it; its id is -1 */
        xdr_put_string(args(&w), "<domain type='test'><name>demo</name><memory>1024</memory><os><type>hvm</type></os></domain>");
        r = call(f, other, 11, &w);
        assert_int_equal(f->fc->n_out, 2);
        r = message(f->fc, 0);
        assert_int_equal(fake_be32(r.payload), 7);
        assert_int_equal(fake_be32(r.payload + 4 + 28 - 4), 0xffffffffu);
        assert_int_equal(fake_be32(r.payload + 32), EVENT_DEFINED);
        fake_client_clear(f->fc);

        /* network lifecycle */
        Network *n = network_lookup_name(f->conn, "default", NULL);
        assert_int_equal(network_destroy(n, NULL, NULL), 0);
        assert_int_equal(f->fc->n_out, 1);
        r = message(f->fc, 0);
        assert_int_equal(r.proc, 315);
        assert_int_equal(fake_be32(r.payload), 11);
        assert_int_equal(fake_be32(r.payload + r.len - 8), NETWORK_EVENT_STOPPED);
        fake_client_clear(f->fc);

        /* pool refresh, and no lifecycle message for it (only refresh was asked) */
        StoragePool *p = pool_lookup_name(f->conn, "default-pool", NULL);
        assert_int_equal(pool_refresh(p, 0, NULL, NULL), 0);
        assert_int_equal(f->fc->n_out, 1);
        r = message(f->fc, 0);
        assert_int_equal(r.proc, 373);
        assert_int_equal(r.len, 4 + 4 + 12 + 16);
        assert_int_equal(fake_be32(r.payload), 12);
        fake_client_clear(f->fc);

        /* deregistration */
        xdr_put_i32(args(&w), 8);
        r = call(f, f->fc, 317, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_put_i32(args(&w), 8);
        r = call(f, f->fc, 317, &w);
        assert_error(&r, 1, 7, "internal error: domain event callback 8 not registered");
        xdr_put_i32(args(&w), 11);      /* a network callback id is no domain one */
        r = call(f, f->fc, 317, &w);
        assert_error(&r, 1, 7, "internal error: domain event callback 11 not registered");
        xdr_put_i32(args(&w), 11);
        r = call(f, f->fc, 314, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_put_i32(args(&w), 0);
        r = call(f, f->fc, 168, &w);
        assert_int_equal(r.status, MSG_STATUS_OK);
        xdr_put_i32(args(&w), 0);
        r = call(f, f->fc, 168, &w);
        assert_error(&r, 1, 7, "internal error: domain event 0 not registered");
        fake_client_clear(f->fc);

        put_test_domain(args(&w), 1);
        r = call(f, other, 28, &w);     /* resume: callback 7 only */
        assert_int_equal(f->fc->n_out, 1);
        fake_client_clear(f->fc);

        /* connect_close drops every callback */
        r = call(f, f->fc, 2, NULL);
        fake_client_clear(f->fc);
        put_test_domain(args(&w), 1);
        r = call(f, other, 34, &w);
        assert_int_equal(f->fc->n_out, 0);
        fake_client_drop(other);
}

static void test_legacy_register(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "test:///default", 0);
        Reply r = call(f, f->fc, 105, NULL);
        assert_int_equal(int_of(&r), 1);
        r = call(f, f->fc, 105, NULL);
        assert_error(&r, 1, 7, "internal error: domain event 0 already registered");
        put_test_domain(args(&w), 1);
        r = call(f, f->fc, 34, &w);
        assert_int_equal(f->fc->n_out, 5);      /* open, 105 twice, then the event before the reply */
        r = message(f->fc, 3);
        assert_int_equal(r.proc, 107);
        r = call(f, f->fc, 106, NULL);
        assert_int_equal(int_of(&r), 0);
        r = call(f, f->fc, 106, NULL);
        assert_error(&r, 1, 7, "internal error: domain event 0 not registered");
}

/* ------------------------------------------------------------------ replies that come later */

/* A driver whose start and destroy finish when the test says so, as QEMU's will. */
static Call *held_call;
static Domain *held_domain;
static int hold_start(Domain *d, unsigned flags, Call *call, VbError *err) {
        held_call = call_ref(call);
        held_domain = domain_ref(d);
        return VERB_PENDING;
}
static int hold_destroy(Domain *d, unsigned flags, Call *call, VbError *err) {
        return hold_start(d, flags, call, err);
}
/* completes at once through the call and still answers 0 */
static int complete_now(Domain *d, Call *call, VbError *err) {
        domain_transition(d, DOMAIN_INPUT_PAUSED);
        call_complete(call, 0, NULL, NULL);
        return 0;
}

static DomainOps hold_ops;
static Driver hold_driver;

static int setup_pending(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        VbError err = { 0 };
        hold_ops = *test_driver.domain;
        hold_ops.start = hold_start;
        hold_ops.destroy = hold_destroy;
        hold_ops.suspend = complete_now;
        hold_driver = test_driver;
        hold_driver.name = "Hold";
        hold_driver.uri = "hold:///default";
        hold_driver.domain = &hold_ops;
        assert_int_equal(manager_new(NULL, &f->m), 0);
        assert_int_equal(manager_add_connection(f->m, &hold_driver, &f->conn, &err), 0);
        f->s = fake_server_new(f->m);
        f->fc = fake_client_new(f->s, true, REMOTE_AUTH_NONE);
        *state = f;
        return 0;
}

static void release(int r, DomainInput input, const VbError *err) {
        if (r >= 0)
                domain_transition(held_domain, input);
        domain_job_end(held_domain);
        call_complete(held_call, r, err, NULL);
        call_unref(held_call);
        domain_unref(held_domain);
        held_call = NULL;
        held_domain = NULL;
}

static void test_pending(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "hold:///default", 0);

        put_test_domain(args(&w), 1);
        fake_call(f->fc, 12, 40, w.buf, w.len);         /* destroy: held */
        xdr_writer_done(&w);
        assert_int_equal(f->fc->n_out, 1);
        assert_non_null(held_call);
        assert_int_equal(f->fc->c.pending, 1);
        assert_int_equal(held_call->door, CALL_DOOR_REMOTE);

        /* other calls go on meanwhile; a second job on the domain is refused */
        put_test_domain(args(&w), 1);
        fake_call(f->fc, 34, 41, w.buf, w.len);
        xdr_writer_done(&w);
        assert_int_equal(f->fc->n_out, 2);
        Reply r;
        parse_reply(fake_out(f->fc, 1), &r);
        assert_int_equal(r.serial, 41);
        assert_int_equal(r.code, 68);

        release(0, DOMAIN_INPUT_DESTROYED, NULL);
        assert_int_equal(f->fc->n_out, 3);
        parse_reply(fake_out(f->fc, 2), &r);
        assert_int_equal(r.proc, 12);
        assert_int_equal(r.serial, 40);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 0);
        assert_int_equal(f->fc->c.pending, 0);

        /* create_with_flags answers with the id the domain got when it was done */
        put_test_domain(args(&w), -1);
        xdr_put_u32(&w, 0);
        fake_call(f->fc, 196, 42, w.buf, w.len);
        xdr_writer_done(&w);
        assert_int_equal(f->fc->n_out, 3);
        release(0, DOMAIN_INPUT_BOOTED, NULL);
        parse_reply(fake_out(f->fc, 3), &r);
        assert_int_equal(r.serial, 42);
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(r.len, 28);
        assert_int_equal(fake_be32(r.payload + 24), 2);

        /* a failure from the driver, after the client went away: the call kept it */
        put_test_domain(args(&w), 2);
        fake_call(f->fc, 12, 43, w.buf, w.len);
        xdr_writer_done(&w);
        FakeClient *fc = f->fc;
        remote_client_ref(&fc->c);      /* to look at it after the test's own reference */
        fake_client_drop(fc);
        f->fc = NULL;
        assert_int_equal(fc->c.n_ref, 2);
        VbError err = { 0 };
        vb_error_set(&err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "monitor went away");
        release(-1, DOMAIN_INPUT_DESTROYED, &err);
        assert_int_equal(fc->c.n_ref, 1);
        parse_reply(fake_out(fc, 4), &r);
        assert_int_equal(r.serial, 43);
        assert_error(&r, 9, 10, "operation failed: monitor went away");
        assert_int_equal(fc->c.pending, 0);
        remote_client_unref(&fc->c);
}

static void test_completed_inside(void **state) {
        Fixture *f = *state;
        XdrWriter w;
        open_conn(f, f->fc, "hold:///default", 0);
        put_test_domain(args(&w), 1);
        Reply r = call(f, f->fc, 34, &w);       /* exactly one reply */
        assert_int_equal(r.status, MSG_STATUS_OK);
        assert_int_equal(f->fc->c.pending, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_auth_gate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unsupported, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
                cmocka_unit_test_setup_teardown(test_decode_errors, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lookups, setup, teardown),
                cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
                cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reply_too_large, setup, teardown),
                cmocka_unit_test_setup_teardown(test_peek_sizes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_events, setup, teardown),
                cmocka_unit_test_setup_teardown(test_legacy_register, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pending, setup_pending, teardown),
                cmocka_unit_test_setup_teardown(test_completed_inside, setup_pending, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
