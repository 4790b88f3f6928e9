/* persist.h: one file per object, written atomically (temp, fsync, rename, fsync dir), mode 0600. */
#pragma once

#include <stddef.h>

#include "error.h"

/* All functions return 0 (or a count) on success and a negative errno on failure, with err
 * (which may be NULL) saying which path failed and why. */

/* Create dir (and parents) with mode 0700 when missing. */
int persist_ensure_dir(const char *dir, VbError *err);

/* Write dir/name atomically: a temporary file in dir, fsync, rename over name, fsync of dir.
 * The file is mode 0600. On failure the old file, if any, is left exactly as it was and no
 * temporary file remains. name must be a plain file name not starting with '.' (those are
 * the temporary files). Should only the final fsync of dir fail, the new content is in place
 * but may not survive a crash; the error is still returned. */
int persist_write(const char *dir, const char *name, const char *data, size_t len, VbError *err);
/* The same atomic replacement without fsync, for runtime (status) files only. */
int persist_write_runtime(const char *dir, const char *name, const char *data, size_t len, VbError *err);

/* Remove dir/name and fsync dir. A missing file is not an error. */
int persist_remove(const char *dir, const char *name, VbError *err);

/* Read dir/name (at most max bytes, else an error naming the file) into a NUL-terminated buffer. */
int persist_read(const char *dir, const char *name, size_t max, char **out, size_t *len, VbError *err);

/* The same for any path (a configuration file, say). Refuses what is not a regular file
 * (-EINVAL) and a file over max bytes (-EFBIG), both seen with fstat before anything is read.
 * Returns 0 or a negative errno (-ENOENT for a missing file) with err naming the path. */
int persist_read_file(const char *path, size_t max, char **out, size_t *len, VbError *err);

/* The largest object file persist_load_dir() reads; a bigger one counts as refused. */
#define PERSIST_FILE_MAX ((size_t) 4 * 1024 * 1024)

/* Call fn for every regular file in dir whose name ends with suffix (".xml"), in name order.
 * Temporary files left by an interrupted write are ignored. fn returns < 0 to report a problem
 * with that file; loading goes on with the next file (a corrupt file never stops the rest).
 * A missing dir is empty. Returns the number of files fn refused, or a negative errno. A file
 * that cannot be read (over PERSIST_FILE_MAX, say) is logged and counted as refused. */
typedef int (*PersistLoadFn)(const char *dir, const char *name, const char *data, size_t len,
                             void *userdata);
int persist_load_dir(const char *dir, const char *suffix, PersistLoadFn fn, void *userdata);
