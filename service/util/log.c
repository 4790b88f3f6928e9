/* log.c: the daemon's log: libvirt's levels, filters and outputs, and a cheap "is this on?" check. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

typedef enum LogOutputKind {
        LOG_OUTPUT_STDERR,
        LOG_OUTPUT_FILE,
        LOG_OUTPUT_JOURNALD,
} LogOutputKind;

typedef struct LogOutput {
        LogOutputKind kind;
        LogLevel level;         /* lowest level this output takes */
        int fd;                 /* LOG_OUTPUT_FILE: owned; otherwise -1 */
        char *ident;            /* LOG_OUTPUT_JOURNALD from "syslog:NAME": SYSLOG_IDENTIFIER */
} LogOutput;

typedef struct LogFilter {
        LogLevel level;
        bool glob;              /* name has wildcards ("1:*", "3:util.*"): match with fnmatch */
        size_t len;
        char *name;
} LogFilter;

typedef struct LogSettings {
        LogLevel level;
        LogFilter *filters;
        size_t n_filters;
        LogOutput *outputs;     /* none: stderr, taking everything the filters let through */
        size_t n_outputs;
} LogSettings;

#define LOG_SETTINGS_DEFAULT ((LogSettings) { .level = LOG_LEVEL_WARNING })

static LogSettings log_settings = { .level = LOG_LEVEL_WARNING };
/* The settings as given, for the admin interface to read back and change one of them. */
static char *log_current_filters, *log_current_outputs;
static bool log_debug_forced;
/* Below this level nothing can be written anywhere: lets log_enabled() refuse most debug
 * messages with one comparison, before any filter is looked at. */
static LogLevel log_min_level = LOG_LEVEL_WARNING;

static const char *const log_level_names[] = {
        [LOG_LEVEL_DEBUG] = "debug",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_WARNING] = "warning",
        [LOG_LEVEL_ERROR] = "error",
};

static int log_level_to_priority(LogLevel level) {
        switch (level) {
        case LOG_LEVEL_DEBUG: return LOG_DEBUG;
        case LOG_LEVEL_INFO: return LOG_INFO;
        case LOG_LEVEL_WARNING: return LOG_WARNING;
        case LOG_LEVEL_ERROR: return LOG_ERR;
        }
        return LOG_ERR;
}

static int log_fail(char *errbuf, size_t errlen, int r, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int log_fail(char *errbuf, size_t errlen, int r, const char *fmt, ...) {
        if (errbuf && errlen > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errbuf, errlen, fmt, ap);
                va_end(ap);
        }
        return r;
}

static void log_settings_done(LogSettings *s) {
        for (size_t i = 0; i < s->n_filters; i++)
                free(s->filters[i].name);
        free(s->filters);
        for (size_t i = 0; i < s->n_outputs; i++) {
                if (s->outputs[i].fd >= 0)
                        close(s->outputs[i].fd);
                free(s->outputs[i].ident);
        }
        free(s->outputs);
        *s = LOG_SETTINGS_DEFAULT;
}

static LogLevel log_settings_min_level(const LogSettings *s) {
        if (log_debug_forced)
                return LOG_LEVEL_DEBUG;
        LogLevel passed = s->level;
        for (size_t i = 0; i < s->n_filters; i++)
                if (s->filters[i].level < passed)
                        passed = s->filters[i].level;
        LogLevel written = s->n_outputs > 0 ? LOG_LEVEL_ERROR : LOG_LEVEL_DEBUG;
        for (size_t i = 0; i < s->n_outputs; i++)
                if (s->outputs[i].level < written)
                        written = s->outputs[i].level;
        return passed > written ? passed : written;
}

/* "1" … "4" exactly; libvirt's levels have one digit. */
static int log_parse_level(const char *s, size_t n, LogLevel *out) {
        if (n != 1 || s[0] < '1' || s[0] > '4')
                return -EINVAL;
        *out = (LogLevel) (s[0] - '0');
        return 0;
}

/* Calls fn for each space-separated token of list (a NULL list has none). */
static int log_for_each_token(const char *list, LogSettings *s, char *errbuf, size_t errlen,
                              int (*fn)(LogSettings *, const char *, char *, size_t)) {
        const char *seps = " \t\r\n";
        for (const char *p = list ? list + strspn(list, seps) : ""; *p; p += strspn(p, seps)) {
                size_t n = strcspn(p, seps);
                char *tok = strndup(p, n);
                if (!tok)
                        return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
                int r = fn(s, tok, errbuf, errlen);
                free(tok);
                if (r < 0)
                        return r;
                p += n;
        }
        return 0;
}

static int log_add_filter(LogSettings *s, const char *tok, char *errbuf, size_t errlen) {
        const char *colon = strchr(tok, ':');
        LogLevel level;
        if (!colon || log_parse_level(tok, (size_t) (colon - tok), &level) < 0)
                return log_fail(errbuf, errlen, -EINVAL,
                                "invalid log filter '%s': expected LEVEL:NAME with LEVEL 1 to 4", tok);
        const char *name = colon + 1;
        /* libvirt's '+' asks for a stack trace with each message; we have none to give. */
        if (*name == '+')
                name++;
        if (!*name)
                return log_fail(errbuf, errlen, -EINVAL, "invalid log filter '%s': empty module name", tok);

        LogFilter *f = realloc(s->filters, (s->n_filters + 1) * sizeof *f);
        if (!f)
                return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        s->filters = f;
        f = &s->filters[s->n_filters];
        f->name = strdup(name);
        if (!f->name)
                return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        f->level = level;
        f->len = strlen(name);
        f->glob = strpbrk(name, "*?[") != NULL;
        s->n_filters++;
        return 0;
}

static int log_output_open(LogOutput *o, const char *tok, const char *kind, const char *arg,
                           char *errbuf, size_t errlen) {
        if (strcmp(kind, "stderr") == 0 && !arg) {
                o->kind = LOG_OUTPUT_STDERR;
                return 0;
        }
        if (strcmp(kind, "journald") == 0 && !arg) {
                o->kind = LOG_OUTPUT_JOURNALD;
                return 0;
        }
        /* Existing libvirtd.conf files say "syslog:libvirtd"; on a systemd host syslog is the
         * journal, so keep them working and keep their identifier. */
        if (strcmp(kind, "syslog") == 0 && arg && *arg) {
                o->kind = LOG_OUTPUT_JOURNALD;
                o->ident = strdup(arg);
                return o->ident ? 0 : log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        }
        if (strcmp(kind, "file") == 0 && arg) {
                if (arg[0] != '/')
                        return log_fail(errbuf, errlen, -EINVAL,
                                        "invalid log output '%s': the file needs an absolute path", tok);
                o->kind = LOG_OUTPUT_FILE;
                o->fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
                if (o->fd < 0)
                        return log_fail(errbuf, errlen, -errno, "cannot open log file '%s': %s",
                                        arg, strerror(errno));
                return 0;
        }
        return log_fail(errbuf, errlen, -EINVAL,
                        "invalid log output '%s': expected LEVEL:stderr, LEVEL:file:PATH or LEVEL:journald",
                        tok);
}

static int log_add_output(LogSettings *s, const char *tok, char *errbuf, size_t errlen) {
        const char *colon = strchr(tok, ':');
        LogLevel level;
        if (!colon || log_parse_level(tok, (size_t) (colon - tok), &level) < 0)
                return log_fail(errbuf, errlen, -EINVAL,
                                "invalid log output '%s': expected LEVEL:DESTINATION with LEVEL 1 to 4", tok);

        LogOutput *o = realloc(s->outputs, (s->n_outputs + 1) * sizeof *o);
        if (!o)
                return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        s->outputs = o;
        o = &s->outputs[s->n_outputs];
        *o = (LogOutput) { .level = level, .fd = -1 };

        char *kind = strdup(colon + 1);
        if (!kind)
                return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        char *arg = strchr(kind, ':');
        if (arg)
                *arg++ = '\0';
        int r = log_output_open(o, tok, kind, arg, errbuf, errlen);
        free(kind);
        /* Counted even on failure so that log_settings_done() frees what was half made. */
        s->n_outputs++;
        return r;
}

int log_setup(int level, const char *filters, const char *outputs, char *errbuf, size_t errlen) {
        if (level < LOG_LEVEL_DEBUG || level > LOG_LEVEL_ERROR)
                return log_fail(errbuf, errlen, -EINVAL, "invalid log_level %d: must be between 1 and 4", level);

        LogSettings s = LOG_SETTINGS_DEFAULT;
        s.level = (LogLevel) level;
        int r = log_for_each_token(filters, &s, errbuf, errlen, log_add_filter);
        if (r >= 0)
                r = log_for_each_token(outputs, &s, errbuf, errlen, log_add_output);
        if (r < 0) {
                log_settings_done(&s);
                return r;
        }
        char *f = filters && *filters ? strdup(filters) : NULL, *o = outputs && *outputs ? strdup(outputs) : NULL;
        if ((filters && *filters && !f) || (outputs && *outputs && !o)) {
                free(f);
                free(o);
                log_settings_done(&s);
                return log_fail(errbuf, errlen, -ENOMEM, "out of memory");
        }
        free(log_current_filters);
        free(log_current_outputs);
        log_current_filters = f;
        log_current_outputs = o;
        log_settings_done(&log_settings);
        log_settings = s;
        log_min_level = log_settings_min_level(&log_settings);
        return 0;
}

int log_get_level(void) {
        return (int) log_settings.level;
}

const char *log_get_filters(void) {
        return log_current_filters;
}

const char *log_get_outputs(void) {
        return log_current_outputs;
}

size_t log_count_tokens(const char *list) {
        size_t n = 0;
        for (const char *p = list; p && *p;) {
                p += strspn(p, " \t\n");
                if (!*p)
                        break;
                n++;
                p += strcspn(p, " \t\n");
        }
        return n;
}

void log_force_debug(bool on) {
        log_debug_forced = on;
        log_min_level = log_settings_min_level(&log_settings);
}

void log_close(void) {
        free(log_current_filters);
        free(log_current_outputs);
        log_current_filters = log_current_outputs = NULL;
        log_settings_done(&log_settings);
        log_min_level = log_settings_min_level(&log_settings);
}

static bool log_filter_matches(const LogFilter *f, const char *module) {
        if (f->glob)
                return fnmatch(f->name, module, 0) == 0;
        return strncmp(module, f->name, f->len) == 0;
}

/* The first filter that matches decides, as in libvirt; then the global level. */
static LogLevel log_module_level(const char *module) {
        for (size_t i = 0; i < log_settings.n_filters; i++)
                if (log_filter_matches(&log_settings.filters[i], module))
                        return log_settings.filters[i].level;
        return log_settings.level;
}

bool log_enabled(const char *module, LogLevel level) {
        if (level < log_min_level)
                return false;
        return log_debug_forced || level >= log_module_level(module);
}

static const char *log_basename(const char *file) {
        const char *slash = strrchr(file, '/');
        return slash ? slash + 1 : file;
}

/* "2026-11-28 15:30:01.123+0000: 1234: info : module: file.c:42 : " */
static int log_format_prefix(char *buf, size_t size, const char *module, LogLevel level,
                             const char *file, int line) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
        return snprintf(buf, size, "%s.%03ld+0000: %ld: %s : %s: %s:%d : ", stamp, ts.tv_nsec / 1000000L,
                        (long) getpid(), log_level_names[level], module, log_basename(file), line);
}

static void log_write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;         /* nowhere left to report a failing log */
                buf += n;
                len -= (size_t) n;
        }
}

static void log_write_journal(const LogOutput *o, const char *module, LogLevel level, const char *file,
                              int line, const char *msg) {
        if (o->ident)
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", log_level_to_priority(level),
                                "CODE_FILE=%s", file, "CODE_LINE=%d", line, "VIRTBUS_MODULE=%s", module,
                                "SYSLOG_IDENTIFIER=%s", o->ident, NULL);
        else
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", log_level_to_priority(level),
                                "CODE_FILE=%s", file, "CODE_LINE=%d", line, "VIRTBUS_MODULE=%s", module,
                                NULL);
}

/* Sends one formatted line (prefix + msg + '\n', msg starting at line + msg_off) everywhere it goes. */
static void log_dispatch(const char *module, LogLevel level, const char *file, int lineno,
                         const char *text, size_t len, size_t msg_off) {
        if (log_settings.n_outputs == 0) {
                log_write_all(STDERR_FILENO, text, len);
                return;
        }
        for (size_t i = 0; i < log_settings.n_outputs; i++) {
                const LogOutput *o = &log_settings.outputs[i];
                if (level < o->level && !log_debug_forced)
                        continue;
                if (o->kind == LOG_OUTPUT_JOURNALD) {
                        /* The journal wants the bare message, without our prefix or newline. */
                        char *msg = strndup(text + msg_off, len - msg_off - 1);
                        if (msg)
                                log_write_journal(o, module, level, file, lineno, msg);
                        free(msg);
                } else
                        log_write_all(o->kind == LOG_OUTPUT_FILE ? o->fd : STDERR_FILENO, text, len);
        }
}

void log_emit(const char *module, LogLevel level, const char *file, int line, const char *fmt, ...) {
        int saved_errno = errno;       /* callers log, then look at errno */
        if (level < LOG_LEVEL_DEBUG || level > LOG_LEVEL_ERROR)
                level = LOG_LEVEL_ERROR;

        char stack[1024], *heap = NULL, *buf = stack;
        int pre = log_format_prefix(stack, sizeof stack, module, level, file, line);
        if (pre < 0 || (size_t) pre >= sizeof stack)
                goto out;

        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(stack + pre, sizeof stack - (size_t) pre, fmt, ap);
        va_end(ap);
        if (n < 0)
                goto out;
        /* One extra byte for the newline; long messages get a buffer of their own, never cut. */
        size_t total = (size_t) pre + (size_t) n + 1;
        if (total >= sizeof stack) {
                heap = malloc(total + 1);
                if (!heap)
                        goto out;
                memcpy(heap, stack, (size_t) pre);
                va_start(ap, fmt);
                vsnprintf(heap + pre, (size_t) n + 1, fmt, ap);
                va_end(ap);
                buf = heap;
        }
        size_t len = total - 1;
        if (len > (size_t) pre && buf[len - 1] == '\n')
                len--;                  /* a format that ends in "\n" gets no blank line */
        buf[len++] = '\n';
        buf[len] = '\0';
        log_dispatch(module, level, file, line, buf, len, (size_t) pre);
out:
        free(heap);
        errno = saved_errno;
}
