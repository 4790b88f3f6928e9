/* conf-test.h: what the conf/ unit tests share: cmocka, golden files, error assertions. */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* The golden directory comes from the build (VIRTBUS_XML_DATA), so tests run from anywhere. */
static inline char *conf_test_read(const char *name) {
        const char *dir = getenv("VIRTBUS_XML_DATA");
        if (!dir)
                dir = "tests/data/xml";
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "rb");
        if (!f) {
                print_error("cannot open golden file %s\n", path);
                fail();
        }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        return buf;
}

/* Golden files through a conf module's parse → format (roundtrip(xml, 0), asserting both
 * work): each name's <name>.in.xml formats as <name>.out.xml, and that formats as itself again
 * (parse → format → parse is a fixed point). */
static inline void conf_test_golden(const char *const *names, size_t n, char *(*roundtrip)(const char *xml, unsigned flags)) {
        for (size_t i = 0; i < n; i++) {
                char name[128];
                snprintf(name, sizeof name, "%s.in.xml", names[i]);
                char *in = conf_test_read(name);
                snprintf(name, sizeof name, "%s.out.xml", names[i]);
                char *expected = conf_test_read(name);
                char *once = roundtrip(in, 0);
                assert_string_equal(once, expected);
                char *twice = roundtrip(once, 0);
                assert_string_equal(twice, expected);
                free(twice);
                free(once);
                free(expected);
                free(in);
        }
}

/* The error a refused document must carry: code, origin and the exact message. */
#define assert_vb_error(err, c, f, msg) do {                                    \
                if ((err)->code != (c) || strcmp((err)->message, (msg)) != 0)   \
                        print_error("got %d: \"%s\"\n", (err)->code, (err)->message); \
                assert_int_equal((err)->code, (c));                             \
                assert_int_equal((err)->from, (f));                             \
                assert_string_equal((err)->message, (msg));                     \
        } while (0)

/* For messages with a variable tail (libxml2's own wording, context lines). */
#define assert_vb_error_prefix(err, c, prefix) do {                             \
                if (strncmp((err)->message, (prefix), strlen(prefix)) != 0)     \
                        print_error("got %d: \"%s\"\n", (err)->code, (err)->message); \
                assert_int_equal((err)->code, (c));                             \
                assert_memory_equal((err)->message, (prefix), strlen(prefix));  \
        } while (0)
