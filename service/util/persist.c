/* persist.c: one file per object, replaced atomically so that a crash leaves the old or the new file. */
#define LOG_MODULE "persist"

#include "persist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* Sets err to "WHAT: strerror" (WHAT from fmt) and returns r, a negative errno. */
static int persist_fail(VbError *err, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int persist_fail(VbError *err, int r, const char *fmt, ...) {
        if (r == -ENOMEM) {
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
                return r;
        }
        char what[VB_ERROR_MESSAGE_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof what, fmt, ap);
        va_end(ap);
        vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "%s: %s", what, strerror(-r));
        return r;
}

/* Temporary files are ".NAME.XXXXXX", so a name must leave room for that and not look like one. */
static int persist_check_name(const char *name, VbError *err) {
        size_t n = strlen(name);
        if (n == 0 || name[0] == '.' || strchr(name, '/') || n + 8 > NAME_MAX) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "invalid file name '%s'", name);
                return -EINVAL;
        }
        return 0;
}

static char *persist_join(const char *dir, const char *prefix, const char *name, const char *suffix) {
        char *p;
        if (asprintf(&p, "%s/%s%s%s", dir, prefix, name, suffix) < 0)
                return NULL;
        return p;
}

static int persist_mkdir_one(const char *path, VbError *err) {
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return persist_fail(err, -errno, "cannot create directory '%s'", path);
        return 0;
}

int persist_ensure_dir(const char *dir, VbError *err) {
        if (!*dir) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_NONE, "empty directory name");
                return -EINVAL;
        }
        char *p = strdup(dir);
        if (!p)
                return persist_fail(err, -ENOMEM, "%s", dir);
        int r = 0;
        /* Each parent in turn, from the top; an existing one is fine. */
        for (char *s = p + 1; *s && r >= 0; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                r = persist_mkdir_one(p, err);
                *s = '/';
        }
        if (r >= 0)
                r = persist_mkdir_one(p, err);
        struct stat st;
        if (r >= 0 && stat(p, &st) < 0)
                r = persist_fail(err, -errno, "cannot access directory '%s'", p);
        else if (r >= 0 && !S_ISDIR(st.st_mode))
                r = persist_fail(err, -ENOTDIR, "cannot create directory '%s'", p);
        free(p);
        return r;
}

static int persist_sync_dir(const char *dir, VbError *err) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return persist_fail(err, -errno, "cannot open directory '%s'", dir);
        int r = 0;
        if (fsync(fd) < 0)
                r = persist_fail(err, -errno, "cannot sync directory '%s'", dir);
        close(fd);
        return r;
}

static int persist_write_fd(int fd, const char *data, size_t len, bool sync) {
        /* mkostemp's mode is 0600 minus the umask; make it exactly 0600. */
        if (fchmod(fd, 0600) < 0)
                return -errno;
        while (len > 0) {
                ssize_t n = write(fd, data, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                data += n;
                len -= (size_t) n;
        }
        if (sync && fsync(fd) < 0)
                return -errno;
        return 0;
}

static int persist_replace(const char *dir, const char *name, const char *data, size_t len, bool sync, VbError *err) {
        int r = persist_check_name(name, err);
        if (r < 0)
                return r;
        char *path = persist_join(dir, "", name, "");
        char *tmp = persist_join(dir, ".", name, ".XXXXXX");
        int fd = -1;
        bool tmp_exists = false;
        if (!path || !tmp) {
                r = persist_fail(err, -ENOMEM, "%s", dir);
                goto out;
        }
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                r = persist_fail(err, -errno, "cannot create a temporary file in '%s'", dir);
                goto out;
        }
        tmp_exists = true;
        r = persist_write_fd(fd, data, len, sync);
        if (r < 0) {
                persist_fail(err, r, "cannot write '%s'", tmp);
                goto out;
        }
        r = close(fd);
        fd = -1;
        if (r < 0) {
                r = persist_fail(err, -errno, "cannot write '%s'", tmp);
                goto out;
        }
        if (rename(tmp, path) < 0) {
                r = persist_fail(err, -errno, "cannot replace '%s'", path);
                goto out;
        }
        tmp_exists = false;
        r = sync ? persist_sync_dir(dir, err) : 0;
out:
        if (fd >= 0)
                close(fd);
        if (tmp_exists)
                unlink(tmp);
        free(tmp);
        free(path);
        return r;
}

int persist_write(const char *dir, const char *name, const char *data, size_t len, VbError *err) {
        return persist_replace(dir, name, data, len, true, err);
}

/* A file of a runtime directory describes processes that do not outlive the host: a crash of
 * the daemon leaves the page cache (and so the renamed file) in place, a crash of the host
 * takes the processes with it, so the rename alone is enough and fsync is only waiting. */
int persist_write_runtime(const char *dir, const char *name, const char *data, size_t len, VbError *err) {
        return persist_replace(dir, name, data, len, false, err);
}

int persist_remove(const char *dir, const char *name, VbError *err) {
        int r = persist_check_name(name, err);
        if (r < 0)
                return r;
        char *path = persist_join(dir, "", name, "");
        if (!path)
                return persist_fail(err, -ENOMEM, "%s", dir);
        bool removed = unlink(path) == 0;
        if (!removed && errno != ENOENT)
                r = persist_fail(err, -errno, "cannot remove '%s'", path);
        free(path);
        /* A file that was not there needs no fsync of dir to stay gone. */
        if (r < 0 || !removed)
                return r;
        return persist_sync_dir(dir, err);
}

/* Reads fd to its end into a buffer that starts at the size fstat saw and may grow up to
 * max + 1 bytes, so that a file that grew after fstat is still caught. */
static int persist_read_fd(int fd, size_t size, size_t max, char **out, size_t *len) {
        size_t limit = max < SIZE_MAX - 1 ? max + 1 : SIZE_MAX - 1;
        size_t cap = size < limit ? size + 1 : limit, n = 0;
        char *buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n == cap) {
                        if (n > max)
                                break;
                        size_t want = cap > limit / 2 ? limit : cap * 2;
                        char *b = realloc(buf, want + 1);
                        if (!b) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = b;
                        cap = want;
                }
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = -errno;
                        free(buf);
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (n > max) {
                free(buf);
                return -EFBIG;
        }
        buf[n] = '\0';
        *out = buf;
        *len = n;
        return 0;
}

static int persist_too_large(VbError *err, const char *path, long long size, size_t max) {
        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NONE,
                     "file '%s' is too large (%lld bytes, the limit is %zu)", path, size, max);
        return -EFBIG;
}

int persist_read_file(const char *path, size_t max, char **out, size_t *len, VbError *err) {
        /* O_NONBLOCK: a FIFO put in the file's place must not hang the daemon in open(). */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return persist_fail(err, -errno, "cannot open '%s'", path);
        struct stat st;
        int r = 0;
        if (fstat(fd, &st) < 0)
                r = persist_fail(err, -errno, "cannot stat '%s'", path);
        else if (!S_ISREG(st.st_mode)) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_NONE, "'%s' is not a regular file", path);
                r = -EINVAL;
        } else if ((unsigned long long) st.st_size > max)
                r = persist_too_large(err, path, (long long) st.st_size, max);
        else {
                r = persist_read_fd(fd, (size_t) st.st_size, max, out, len);
                if (r == -EFBIG)
                        persist_too_large(err, path, (long long) max + 1, max);
                else if (r < 0)
                        persist_fail(err, r, "cannot read '%s'", path);
        }
        close(fd);
        return r;
}

int persist_read(const char *dir, const char *name, size_t max, char **out, size_t *len, VbError *err) {
        int r = persist_check_name(name, err);
        if (r < 0)
                return r;
        char *path = persist_join(dir, "", name, "");
        if (!path)
                return persist_fail(err, -ENOMEM, "%s", dir);
        r = persist_read_file(path, max, out, len, err);
        free(path);
        return r;
}

static bool persist_wanted(const struct dirent *de, const char *suffix) {
        /* Dotfiles include our own temporary files ".NAME.XXXXXX". */
        if (de->d_name[0] == '.')
                return false;
        if (de->d_type != DT_REG && de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
                return false;
        size_t n = strlen(de->d_name), s = suffix ? strlen(suffix) : 0;
        return n > s && strcmp(de->d_name + n - s, suffix ? suffix : "") == 0;
}

static int persist_compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void persist_names_free(char **names, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* The names in dir worth loading, sorted. */
static int persist_list_dir(DIR *d, const char *dir, const char *suffix, char ***out, size_t *n_out) {
        char **names = NULL;
        size_t n = 0;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno == 0)
                                break;
                        int r = -errno;
                        persist_names_free(names, n);
                        return log_error_errno(r, "cannot read directory '%s': %s", dir, strerror(-r));
                }
                if (!persist_wanted(de, suffix))
                        continue;
                char **more = realloc(names, (n + 1) * sizeof *names);
                char *name = more ? strdup(de->d_name) : NULL;
                if (more)
                        names = more;
                if (!name) {
                        persist_names_free(names, n);
                        return -ENOMEM;
                }
                names[n++] = name;
        }
        if (n > 0)
                qsort(names, n, sizeof *names, persist_compare_names);
        *out = names;
        *n_out = n;
        return 0;
}

/* Returns 0 when fn took the file or it was no regular file, -1 when it was refused. */
static int persist_load_one(const char *dir, const char *name, PersistLoadFn fn, void *userdata) {
        char *path = persist_join(dir, "", name, "");
        if (!path)
                return log_error_errno(-1, "out of memory loading '%s/%s'", dir, name);
        struct stat st;
        /* stat, not lstat: a symlink to a regular file is loaded like the file. */
        bool regular = stat(path, &st) == 0 && S_ISREG(st.st_mode);
        free(path);
        if (!regular)
                return 0;

        VbError err = { 0 };
        char *data = NULL;
        size_t len = 0;
        if (persist_read(dir, name, PERSIST_FILE_MAX, &data, &len, &err) < 0)
                return log_error_errno(-1, "%s", err.message);
        int r = fn(dir, name, data, len, userdata);
        free(data);
        return r < 0 ? -1 : 0;
}

int persist_load_dir(const char *dir, const char *suffix, PersistLoadFn fn, void *userdata) {
        DIR *d = opendir(dir);
        if (!d) {
                if (errno == ENOENT)
                        return 0;
                int r = -errno;
                return log_error_errno(r, "cannot open directory '%s': %s", dir, strerror(-r));
        }
        char **names = NULL;
        size_t n = 0;
        int r = persist_list_dir(d, dir, suffix, &names, &n);
        closedir(d);
        if (r < 0)
                return r;
        int refused = 0;
        for (size_t i = 0; i < n; i++)
                if (persist_load_one(dir, names[i], fn, userdata) < 0)
                        refused++;
        persist_names_free(names, n);
        return refused;
}
