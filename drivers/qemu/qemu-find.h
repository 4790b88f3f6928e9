/* qemu-find.h: is a QEMU of this domain alive? Asked of its monitor socket (the listener's credentials) and of the command lines in /proc (-uuid, the monitor's path, -name). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "process.h"

/* QEMU as lib/process.c names it in messages ("Cannot find QEMU binary …"). */
extern const ProcessProgram qemu_program;

typedef struct QemuFound {
        pid_t pid;              /* found: the process */
        uint64_t start_time;    /* found: its start time (field 22 of /proc/PID/stat) */
        const char *how;        /* found: "monitor socket" or "command line" */
        bool adoptable;         /* found: its command line has this domain's uuid and monitor path,
                                 * and it is the only such process */
        char why[256];          /* found and not adoptable, or unknown: what stands in the way */
} QemuFound;

/*
 * Look for a live QEMU of the domain with this uuid (text form) whose monitor socket is (or
 * would be) monitor_path; name is the domain's name as -name guest=NAME gives it.
 *
 * A process matches when its command line has "-uuid UUID" or a -chardev whose path= is
 * monitor_path (-name guest=NAME alone does not: another daemon's guest may have the name);
 * a listener on monitor_path is found by connecting to it (SO_PEERCRED), whatever its command
 * line says. Only a single match with both the uuid and the monitor path is adoptable.
 *
 * Returns 1 (found: *out says which process and how), 0 (none runs: monitor_path has no
 * listener and every process's command line was read), or -1 (cannot tell: out->why says
 * what stood in the way, e.g. a command line that could not be read, or a listener that did
 * not accept). The calling process is never matched. Never blocks on the socket.
 */
int qemu_find_running(const char *name, const char *uuid, const char *monitor_path, QemuFound *out);

/* Does the NUL-separated command line (len bytes, /proc/PID/cmdline) name this domain?
 * Sets *by_uuid, *by_monitor and *by_name (either may be NULL). Exposed for the tests. */
void qemu_cmdline_match(const char *cmdline, size_t len, const char *name, const char *uuid,
                        const char *monitor_path, bool *by_uuid, bool *by_monitor, bool *by_name);
