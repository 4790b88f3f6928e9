/* file-peek.h: a few bytes of a local file read off the event loop (virDomainBlockPeek): open and pread in a thread of their own, the result posted back through an eventfd. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#define FILE_PEEK_MAX ((size_t) 4 * 1024 * 1024)       /* the largest read asked of it */

/* What failed when errnum is not 0. */
typedef enum FilePeekStage {
        FILE_PEEK_OPEN,
        FILE_PEEK_SEEK,         /* offset beyond what the file's offsets can name */
        FILE_PEEK_READ,
} FilePeekStage;

/* On the loop: got bytes (fewer than asked at the end of the file) in buf, borrowed for the
 * call; or errnum != 0 and stage says where it failed. */
typedef void (*FilePeekDoneFn)(const uint8_t *buf, size_t got, int errnum, FilePeekStage stage, void *userdata);

/* Read size (1 … FILE_PEEK_MAX) bytes of path at offset. 0: done runs later, exactly once; or
 * a negative errno (nothing runs). */
int file_peek(sd_event *e, const char *path, uint64_t offset, size_t size, FilePeekDoneFn done, void *userdata);
