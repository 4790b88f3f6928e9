/* lvm-run.c: lvm2 commands (and the blkid probes before a build) run one after the other in
 * children watched by the event loop, their JSON reports read with json-c. */
#define LOG_MODULE "storage"
#include "lvm-run.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const ProcessProgram lvm_program = { "lvm", VB_FROM_STORAGE };
static const ProcessProgram blkid_program = { "blkid", VB_FROM_STORAGE };

typedef struct LvmStep {
        LvmStepKind kind;
        char *argv[LVM_ARGS_MAX + 4];
        char *out;
} LvmStep;

struct LvmSeq {
        sd_event *event;
        LvmStep steps[LVM_STEPS_MAX];
        size_t n, at;
        bool broken;            /* an argument did not fit (or no memory): start refuses */
        LvmSeqDone done;
        void *userdata;
};

int lvm_check_installed(VbError *err) {
        if (access(LVM_BIN, X_OK) < 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_STORAGE,
                                    "logical pools need %s (Debian package lvm2), which is not installed", LVM_BIN);
        return 0;
}

LvmSeq *lvm_seq_new(sd_event *e, LvmSeqDone done, void *userdata) {
        LvmSeq *s = calloc(1, sizeof *s);
        if (s)
                *s = (LvmSeq) { .event = e, .done = done, .userdata = userdata };
        return s;
}

void lvm_seq_free(LvmSeq *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++) {
                for (char **a = s->steps[i].argv; *a; a++)
                        free(*a);
                free(s->steps[i].out);
        }
        free(s);
}

static void push(LvmStep *st, size_t *k, const char *arg, bool *broken) {
        if (*k >= LVM_ARGS_MAX + 3 || !(st->argv[*k] = strdup(arg)))
                *broken = true;
        else
                (*k)++;
}

void lvm_seq_add(LvmSeq *s, LvmStepKind kind, ...) {
        if (s->n >= LVM_STEPS_MAX) {
                s->broken = true;
                return;
        }
        LvmStep *st = &s->steps[s->n++];
        st->kind = kind;
        size_t k = 0;
        if (kind == LVM_STEP_PROBE_EMPTY) {
                push(st, &k, BLKID_BIN, &s->broken);
                push(st, &k, "-p", &s->broken);
                push(st, &k, "-o", &s->broken);
                push(st, &k, "value", &s->broken);
                push(st, &k, "-s", &s->broken);
                push(st, &k, "TYPE", &s->broken);
        } else {
                /* The daemon's LVM_SYSTEM_DIR (the lvm.conf to use) reaches the tools: their
                 * environment is otherwise a clean one. */
                const char *sysdir = getenv("LVM_SYSTEM_DIR");
                if (sysdir && sysdir[0] == '/') {
                        char env[4200];
                        snprintf(env, sizeof env, "LVM_SYSTEM_DIR=%s", sysdir);
                        push(st, &k, "/usr/bin/env", &s->broken);
                        push(st, &k, env, &s->broken);
                }
                push(st, &k, LVM_BIN, &s->broken);
        }
        va_list ap;
        va_start(ap, kind);
        for (const char *a; (a = va_arg(ap, const char *));)
                push(st, &k, a, &s->broken);
        va_end(ap);
}

static int run_next(LvmSeq *s, VbError *err);

static void finish(LvmSeq *s, int r, const VbError *err) {
        const char *outs[LVM_STEPS_MAX] = { 0 };
        for (size_t i = 0; i < s->n; i++)
                outs[i] = s->steps[i].out;
        s->done(s->userdata, r, err, outs);
        lvm_seq_free(s);
}

static const char *command_name(const LvmStep *st) {
        /* argv: [env VAR=] lvm <command> … */
        for (size_t i = 0; st->argv[i]; i++)
                if (strcmp(st->argv[i], LVM_BIN) == 0 && st->argv[i + 1])
                        return st->argv[i + 1];
        return st->argv[0];
}

static void on_step(int status, const char *out, size_t len, void *userdata) {
        LvmSeq *s = userdata;
        LvmStep *st = &s->steps[s->at];
        VbError err = { 0 };
        st->out = strndup(out, len);
        if (st->kind == LVM_STEP_PROBE_EMPTY) {
                const char *dev = st->argv[6];
                if (status == 0) {
                        size_t n = strcspn(out, "\n");
                        vb_error_set(&err, VB_ERR_STORAGE_POOL_BUILT, VB_FROM_STORAGE,
                                     "Device '%s' already formatted using '%.*s'", dev, (int) n, n ? out : "unknown");
                        finish(s, -1, &err);
                        return;
                }
                if (status != 2) {
                        storage_child_error(&err, status, out, "probe of '%s'", dev);
                        finish(s, -1, &err);
                        return;
                }
        } else if (status != 0) {
                storage_child_error(&err, status, out, "lvm %s", command_name(st));
                finish(s, -1, &err);
                return;
        }
        s->at++;
        if (s->at == s->n) {
                finish(s, 0, NULL);
                return;
        }
        if (run_next(s, &err) < 0)
                finish(s, -1, &err);
}

static int run_next(LvmSeq *s, VbError *err) {
        LvmStep *st = &s->steps[s->at];
        const ProcessProgram *prog = st->kind == LVM_STEP_PROBE_EMPTY ? &blkid_program : &lvm_program;
        log_debug("running %s %s", st->argv[0], st->argv[1] ? st->argv[1] : "");
        return process_run_exec(s->event, prog, st->argv, NULL, 0, on_step, s, err);
}

int lvm_seq_start(LvmSeq *s, VbError *err) {
        if (!s)
                return vb_error_errno(err, -ENOMEM, "lvm");
        if (s->broken || s->n == 0) {
                lvm_seq_free(s);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "lvm command line too long");
        }
        if (run_next(s, err) < 0) {
                lvm_seq_free(s);
                return -1;
        }
        return 0;
}

json_object *lvm_report_rows(const char *out, const char *kind, json_object **doc) {
        *doc = NULL;
        /* Warnings may come before the report (stderr is not buffered). */
        const char *start = out ? strstr(out, "{") : NULL;
        if (!start)
                return NULL;
        json_tokener *tok = json_tokener_new();
        if (!tok)
                return NULL;
        *doc = json_tokener_parse_ex(tok, start, (int) strlen(start));
        json_tokener_free(tok);
        json_object *report, *first, *rows;
        if (!*doc || !json_object_object_get_ex(*doc, "report", &report) ||
            !json_object_is_type(report, json_type_array) || json_object_array_length(report) < 1 ||
            !(first = json_object_array_get_idx(report, 0)) || !json_object_object_get_ex(first, kind, &rows) ||
            !json_object_is_type(rows, json_type_array))
                return NULL;
        return rows;
}

const char *lvm_field(json_object *row, const char *name) {
        json_object *v;
        return json_object_object_get_ex(row, name, &v) ? json_object_get_string(v) : NULL;
}

uint64_t lvm_field_u64(json_object *row, const char *name) {
        const char *s = lvm_field(row, name);
        return s ? strtoull(s, NULL, 10) : 0;
}
