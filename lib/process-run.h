/* process-run.h: short-lived helper children whose output is kept: a program (qemu-img, lvm2 tools) or a function in a forked child (a copy, zeroing), their end reported on the event loop. */
#pragma once

#include <stddef.h>
#include <systemd/sd-event.h>

#include "error.h"
#include "process.h"

/* How a child ended: status is its exit code (0: success), 128 + signal when killed, 125 when
 * its end could not be learned. out holds what it wrote to stdout and stderr, NUL-terminated,
 * at most the first PROCESS_RUN_OUT_MAX bytes. */
#define PROCESS_RUN_OUT_MAX (64 * 1024)
typedef void (*ProcessRunDoneFn)(int status, const char *out, size_t len, void *userdata);

/* Run argv (argv[0] an absolute path) with a minimal environment (PATH with the sbin
 * directories, LC_ALL=C, HOME=/). The descriptors in keep_fds (each >= 3) stay open in the
 * program (to be named /dev/fd/N), every other one is closed. Returns 0, or -1 with err set
 * ("Cannot find <prog> binary …" when argv[0] is not an executable). */
int process_run_exec(sd_event *e, const ProcessProgram *prog, char *const argv[], const int *keep_fds, size_t n_keep,
                     ProcessRunDoneFn done, void *userdata, VbError *err);

/* Run fn(arg) in a forked child (process_fork: async-signal-safe calls only). fn may write
 * what failed to msg (it reaches done's out); it returns 0 on success or a positive errno,
 * which becomes the exit status. */
typedef int (*ProcessRunFn)(void *arg, char *msg, size_t msg_size);
int process_run_fn(sd_event *e, const ProcessProgram *prog, ProcessRunFn fn, void *arg, ProcessRunDoneFn done,
                   void *userdata, VbError *err);
