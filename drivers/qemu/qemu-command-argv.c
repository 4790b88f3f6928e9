/* qemu-command-argv.c: the command line being built: option strings that grow as they are written, the argv they go into, and the refusal every builder reports with. */
#include "qemu-command-argv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void qstr_reserve(QemuStr *s, size_t more) {
        if (s->oom || s->len + more + 1 <= s->cap)
                return;
        size_t cap = s->cap ? s->cap : 64;
        while (cap < s->len + more + 1)
                cap *= 2;
        char *p = realloc(s->s, cap);
        if (!p) {
                s->oom = true;
                return;
        }
        s->s = p;
        s->cap = cap;
}

static void qstr_vprintf(QemuStr *s, const char *fmt, va_list ap) {
        va_list aq;
        va_copy(aq, ap);
        int n = vsnprintf(NULL, 0, fmt, aq);
        va_end(aq);
        if (n < 0) {
                s->oom = true;
                return;
        }
        qstr_reserve(s, (size_t) n);
        if (s->oom)
                return;
        vsnprintf(s->s + s->len, s->cap - s->len, fmt, ap);
        s->len += (size_t) n;
}

void qstr_printf(QemuStr *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        qstr_vprintf(s, fmt, ap);
        va_end(ap);
}

void qstr_escaped(QemuStr *s, const char *v) {
        for (; *v; v++) {
                qstr_reserve(s, 2);
                if (s->oom)
                        return;
                s->s[s->len++] = *v;
                if (*v == ',')
                        s->s[s->len++] = ',';
                s->s[s->len] = '\0';
        }
}

void qstr_kv(QemuStr *s, const char *key, const char *v) {
        qstr_printf(s, ",%s=", key);
        qstr_escaped(s, v);
}

static void qemu_cmd_push(QemuCmd *c, char *arg) {
        if (!arg || c->oom) {
                c->oom = true;
                free(arg);
                return;
        }
        if (c->n + 2 > c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 64;
                char **a = realloc(c->argv, cap * sizeof *a);
                if (!a) {
                        c->oom = true;
                        free(arg);
                        return;
                }
                c->argv = a;
                c->cap = cap;
        }
        c->argv[c->n++] = arg;
        c->argv[c->n] = NULL;
}

void qemu_cmd_arg(QemuCmd *c, const char *arg) {
        qemu_cmd_push(c, strdup(arg));
}

void qemu_cmd_argf(QemuCmd *c, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        qemu_cmd_push(c, s);
}

void qemu_cmd_opt(QemuCmd *c, const char *option, QemuStr *value) {
        qemu_cmd_arg(c, option);
        if (value->oom || !value->s) {
                c->oom = true;
                free(value->s);
        } else {
                qemu_cmd_push(c, value->s);
        }
        *value = (QemuStr) { 0 };
}

int qemu_cmd_unsupported(QemuCmd *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vb_error_setv(c->err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_QEMU, fmt, ap);
        va_end(ap);
        return -1;
}

bool qemu_token_ok(const char *s) {
        static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        return s && *s && s[strspn(s, ok)] == '\0';
}

bool qemu_str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}
