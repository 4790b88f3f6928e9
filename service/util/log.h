/* log.h: logging with libvirt's levels (1 debug … 4 error), per-module filters and outputs. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum LogLevel {
        LOG_LEVEL_DEBUG = 1,
        LOG_LEVEL_INFO = 2,
        LOG_LEVEL_WARNING = 3,
        LOG_LEVEL_ERROR = 4,
} LogLevel;

/* Configure from libvirtd.conf-style values. filters: "3:remote 1:qemu" (a module matches
 * when its name starts with the filter's name); outputs: "1:stderr 3:file:/path 2:journald"
 * (libvirt's syntax: LEVEL:stderr, LEVEL:file:PATH, LEVEL:journald). NULL keeps the default
 * (level 3, no filters, stderr). On a bad value returns -EINVAL and writes a message naming
 * the problem into errbuf; the previous settings stay in force. */
/* Details: the first filter that matches a module decides its level, else level does; a
 * filter name with '*', '?' or '[' is a glob ("1:*"); libvirt's '+' prefix is ignored.
 * "LEVEL:syslog:NAME" is taken as journald with SYSLOG_IDENTIFIER=NAME. Log files are opened
 * O_APPEND, mode 0640, and must be given by absolute path; a file that cannot be opened gives
 * its negative errno (and a message) instead of -EINVAL. With no outputs, stderr takes every
 * message the level and filters let through. Not thread-safe: call from the event loop. */
int log_setup(int level, const char *filters, const char *outputs, char *errbuf, size_t errlen);
/* The settings the last successful log_setup() was given: the level, and the filters and
 * outputs as strings (NULL: none given). For the admin interface, which changes one and passes
 * the others back. */
int log_get_level(void);
const char *log_get_filters(void);
const char *log_get_outputs(void);
/* Space-separated entries in a filters or outputs string. */
size_t log_count_tokens(const char *list);
/* --verbose: level 1 regardless of the configuration: every message of every module goes to
 * every output, whatever the filters and the outputs' levels say. */
void log_force_debug(bool on);
/* Closes the outputs and returns to the defaults (the --verbose setting stays). */
void log_close(void);

bool log_enabled(const char *module, LogLevel level);
/* Writes unconditionally to the outputs whose level admits it; use the macros below, which
 * ask log_enabled() first. Keeps errno. */
void log_emit(const char *module, LogLevel level, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Each .c file defines LOG_MODULE ("core", "bus", "test", "qemu", …) before including log.h
 * or uses the default. Log-and-return helpers return r (negative errno) in one statement. */
#ifndef LOG_MODULE
#define LOG_MODULE "core"
#endif

#define log_at(level, ...) \
        (log_enabled(LOG_MODULE, level) ? log_emit(LOG_MODULE, level, __FILE__, __LINE__, __VA_ARGS__) : (void) 0)
#define log_debug(...) log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warning(...) log_at(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...) log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_error_errno(r, ...) (log_error(__VA_ARGS__), (r))
#define log_warning_errno(r, ...) (log_warning(__VA_ARGS__), (r))
