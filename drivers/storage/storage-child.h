/* storage-child.h: blocking storage work (qemu-img, copies, zeroing) in a child process whose end the event loop watches through a pidfd. */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#include "error.h"

/* How a child ended: status is its exit code (0: success), or 128 + signal when killed. out
 * holds what it wrote to stdout and stderr (NUL-terminated, at most 64 KiB kept). */
typedef void (*StorageChildDoneFn)(int status, const char *out, size_t len, void *userdata);

/* Run argv (argv[0] an absolute path) with a minimal environment; the descriptors listed in
 * keep_fds stay open in the child (to be named /dev/fd/N), every other one is closed. */
int storage_child_exec(sd_event *e, char *const argv[], const int *keep_fds, size_t n_keep,
                       StorageChildDoneFn done, void *userdata, VbError *err);

/* Run fn(arg) in a forked child. fn may write a message (what failed) to msg; it returns 0 on
 * success or a positive errno, which becomes the exit status. fn must not touch the event loop. */
typedef int (*StorageChildFn)(void *arg, char *msg, size_t msg_size);
int storage_child_run(sd_event *e, StorageChildFn fn, void *arg, StorageChildDoneFn done, void *userdata,
                      VbError *err);
