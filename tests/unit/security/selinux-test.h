/* selinux-test.h: what the SELinux unit tests share: the host's base contexts they plan with, and reading tests/data/selinux files. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security-selinux-plan.h"

static const SelinuxBase selinux_test_base = {
        "system_u:system_r:svirt_t:s0",
        "system_u:object_r:svirt_image_t:s0",
        "system_u:object_r:virt_content_t:s0",
};

/* SELINUX_DATA/name, whole (malloc'ed); the test fails when it cannot be read. */
static inline char *selinux_test_read(const char *name) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", SELINUX_DATA, name);
        FILE *f = fopen(path, "r");
        if (!f)
                fail_msg("cannot open %s", path);
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        return strdup(buf);
}
