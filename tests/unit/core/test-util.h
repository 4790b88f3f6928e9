/* test-util.h: scratch directories, whole-file helpers and the skip rule shared by the unit tests. */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory under $TMPDIR (or /tmp); the caller frees the name. */
static inline char *tu_mkdtemp(void) {
        const char *base = getenv("TMPDIR");
        char *path;
        if (asprintf(&path, "%s/virtbus-test.XXXXXX", base && *base ? base : "/tmp") < 0)
                return NULL;
        if (!mkdtemp(path)) {
                free(path);
                return NULL;
        }
        return path;
}

static inline int tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static inline void tu_rm_rf(char *path) {
        if (path)
                nftw(path, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(path);
}

static inline char *tu_path(const char *dir, const char *name) {
        char *p;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return NULL;
        return p;
}

static inline int tu_write_file(const char *path, const char *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        ssize_t n = write(fd, data, len);
        close(fd);
        return n == (ssize_t) len ? 0 : -1;
}

/* The whole file as a NUL-terminated string, or NULL. */
static inline char *tu_read_file(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t cap = 0;
        ssize_t n = getdelim(&buf, &cap, '\0', f);
        fclose(f);
        if (n < 0) {
                free(buf);
                return strdup("");
        }
        return buf;
}

/* How many entries dir holds besides "." and "..", or -1. */
static inline int tu_count_entries(const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return -1;
        int n = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

/* CI=true (set by .ci/run): whatever a test needs must be there, so a skip is a failure. */
static inline bool tu_ci(void) {
        const char *ci = getenv("CI");
        return ci && (strcasecmp(ci, "true") == 0 || strcmp(ci, "1") == 0 || strcasecmp(ci, "yes") == 0);
}

/* A test program that cannot run here, from main(): 77 (meson's SKIP) with the reason, or a
 * failure under CI=true. */
static inline int tu_skip_program(const char *reason) {
        bool ci = tu_ci();
        fprintf(stderr, "%s: %s\n", ci ? "FAIL (CI=true: a skip is a failure)" : "SKIP", reason);
        return ci ? 1 : 77;
}

/* One cmocka test that cannot run here: skipped with the reason, or failed under CI=true.
 * Needs <cmocka.h>. */
#define TU_SKIP(reason)                                                                          \
        do {                                                                                     \
                if (tu_ci())                                                                     \
                        fail_msg("CI=true: a skip is a failure: %s", (reason));                  \
                print_message("skipped: %s\n", (reason));                                        \
                skip();                                                                          \
        } while (0)
