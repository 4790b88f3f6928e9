/* test-save-image.c: the save image header: what is written reads back, and what is not an image (or a hostile length) is refused before anything is allocated. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain-save.h"

static int memfile(void) {
        char path[] = "/tmp/virtbus-save-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        return fd;
}

static void test_round_trip(void **state) {
        int fd = memfile();
        VbError err = { 0 };
        const char *xml = "<domain type='qemu'><name>g</name></domain>";
        assert_int_equal(save_image_write_header(fd, xml, false, &err), 0);
        assert_int_equal(write(fd, "QEVM", 4), 4);      /* QEMU's stream follows */
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        SaveImageHeader h;
        assert_int_equal(save_image_read_header(fd, "img", &h, &err), 0);
        assert_string_equal(h.xml, xml);
        assert_false(h.running);
        char buf[4];
        assert_int_equal(read(fd, buf, 4), 4);          /* positioned at the stream */
        assert_memory_equal(buf, "QEVM", 4);
        save_image_header_clear(&h);
        close(fd);
}

static void test_refusals(void **state) {
        VbError err = { 0 };
        SaveImageHeader h;
        /* not an image */
        int fd = memfile();
        char junk[128];
        memset(junk, 'j', sizeof junk);
        assert_int_equal(write(fd, junk, sizeof junk), (ssize_t) sizeof junk);
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(save_image_read_header(fd, "junk", &h, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_FAILED);
        assert_non_null(strstr(err.message, "image magic is incorrect"));
        close(fd);
        /* too short */
        vb_error_clear(&err);
        fd = memfile();
        assert_int_equal(write(fd, SAVE_IMAGE_MAGIC, 8), 8);
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(save_image_read_header(fd, "short", &h, &err), -1);
        assert_non_null(strstr(err.message, "failed to read"));
        close(fd);
        /* a length over the limit: refused from the header alone */
        vb_error_clear(&err);
        fd = memfile();
        uint8_t b[SAVE_IMAGE_HEADER_LEN] = { 0 };
        memcpy(b, SAVE_IMAGE_MAGIC, SAVE_IMAGE_MAGIC_LEN);
        b[19] = 1;                                      /* version 1 */
        b[20] = 0xff, b[21] = 0xff, b[22] = 0xff, b[23] = 0xff;
        assert_int_equal(write(fd, b, sizeof b), (ssize_t) sizeof b);
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(save_image_read_header(fd, "huge", &h, &err), -1);
        assert_non_null(strstr(err.message, "invalid XML length"));
        /* an XML that is cut short */
        vb_error_clear(&err);
        b[20] = 0, b[21] = 0, b[22] = 0, b[23] = 100;
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(write(fd, b, sizeof b), (ssize_t) sizeof b);
        assert_int_equal(write(fd, "<domain/>", 9), 9);
        lseek(fd, 0, SEEK_SET);
        assert_int_equal(save_image_read_header(fd, "cut", &h, &err), -1);
        assert_non_null(strstr(err.message, "failed to read domain XML"));
        close(fd);
}

/* save-image-define's rewrite: a longer XML fits in the room the image keeps, the stream after
 * it is untouched, the saved state can change; an XML past the room is refused unchanged. */
static void test_rewrite(void **state) {
        (void) state;
        int fd = memfile();
        VbError err = { 0 };
        assert_int_equal(save_image_write_header(fd, "<domain><name>g</name></domain>", true, &err), 0);
        assert_int_equal(write(fd, "QEVM", 4), 4);
        const char *longer = "<domain><name>g</name><description>a longer one</description></domain>";
        assert_int_equal(save_image_rewrite(fd, "img", longer, 0, &err), 0);
        SaveImageHeader h;
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(save_image_read_header(fd, "img", &h, &err), 0);
        assert_string_equal(h.xml, longer);
        assert_false(h.running);
        assert_true(h.xml_len >= SAVE_IMAGE_XML_ROOM);
        char buf[4];
        assert_int_equal(read(fd, buf, 4), 4);
        assert_memory_equal(buf, "QEVM", 4);
        uint32_t room = h.xml_len;
        save_image_header_clear(&h);

        char *huge = malloc(room + 1);
        assert_non_null(huge);
        memset(huge, 'x', room);
        huge[room] = '\0';
        assert_int_equal(save_image_rewrite(fd, "img", huge, 1, &err), -1);
        assert_int_equal(err.code, VB_ERR_OPERATION_FAILED);
        assert_non_null(strstr(err.message, "new xml too large to fit in file"));
        free(huge);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(save_image_read_header(fd, "img", &h, &err), 0);
        assert_string_equal(h.xml, longer);
        assert_false(h.running);
        save_image_header_clear(&h);
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_rewrite),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
