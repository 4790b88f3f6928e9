/* qmp-test.h: what the QMP and QEMU process tests share: running the loop until something happened, recording callbacks. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <systemd/sd-event.h>

#include "qmp.h"

static inline uint64_t tq_now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Run the loop until *flag turns true; fail the test after timeout_ms. */
static inline void tq_run_until(sd_event *e, const bool *flag, unsigned timeout_ms) {
        uint64_t end = tq_now_usec() + (uint64_t) timeout_ms * 1000;
        while (!*flag) {
                if (tq_now_usec() > end)
                        fail_msg("timed out after %u ms", timeout_ms);
                assert_true(sd_event_run(e, 10 * 1000) >= 0);
        }
}

/* Run the loop for a while (to see that nothing more happens). */
static inline void tq_run_for(sd_event *e, unsigned ms) {
        uint64_t end = tq_now_usec() + (uint64_t) ms * 1000;
        while (tq_now_usec() < end)
                assert_true(sd_event_run(e, 1000) >= 0);
}

/* What a Qmp's callbacks reported. */
typedef struct TqMonitor {
        Qmp *q;
        bool ready;
        int ready_r;
        bool closed;
        int closed_r;
        unsigned n_ready, n_closed;
        char events[64][32];
        size_t n_events;
        bool close_on_event;    /* qmp_close() from inside the event callback */
} TqMonitor;

static inline void tq_on_ready(Qmp *q, int r, void *userdata) {
        TqMonitor *m = userdata;
        m->ready = true;
        m->ready_r = r;
        m->n_ready++;
}

static inline void tq_on_closed(Qmp *q, int r, void *userdata) {
        TqMonitor *m = userdata;
        m->closed = true;
        m->closed_r = r;
        m->n_closed++;
}

static inline void tq_on_event(Qmp *q, const char *event, json_object *data, void *userdata) {
        TqMonitor *m = userdata;
        if (m->n_events < 64)
                snprintf(m->events[m->n_events++], sizeof m->events[0], "%s", event);
        if (m->close_on_event)
                m->q = qmp_close(m->q);
}

static inline bool tq_has_event(const TqMonitor *m, const char *event) {
        for (size_t i = 0; i < m->n_events; i++)
                if (strcmp(m->events[i], event) == 0)
                        return true;
        return false;
}

/* One command's answer. */
typedef struct TqReply {
        bool done;
        unsigned count;
        json_object *ret;       /* a reference, or NULL */
        char cls[64], desc[256];
        unsigned order;         /* when it came, counted by tq_reply_clock */
} TqReply;

static unsigned tq_reply_clock;

static inline void tq_on_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        TqReply *r = userdata;
        r->done = true;
        r->count++;
        r->order = ++tq_reply_clock;
        json_object_put(r->ret);
        r->ret = json_object_get(ret);
        snprintf(r->cls, sizeof r->cls, "%s", cls ? cls : "");
        snprintf(r->desc, sizeof r->desc, "%s", desc ? desc : "");
}

static inline void tq_reply_done(TqReply *r) {
        json_object_put(r->ret);
        r->ret = NULL;
}

static inline const char *tq_ret_str(const TqReply *r, const char *key) {
        json_object *v;
        return r->ret && json_object_object_get_ex(r->ret, key, &v) ? json_object_get_string(v) : NULL;
}

/* QEMUs the tests started, killed at the end of the group even when a test failed halfway
 * (a failed assertion leaves the test at once). */
static int tq_tracked[64];
static size_t tq_n_tracked;

static inline void tq_track(pid_t pid) {
        int fd = pidfd_open(pid, 0);
        if (fd >= 0 && tq_n_tracked < 64)
                tq_tracked[tq_n_tracked++] = fd;
        else if (fd >= 0)
                close(fd);
}

static inline int tq_kill_tracked(void **state) {
        for (size_t i = 0; i < tq_n_tracked; i++) {
                (void) pidfd_send_signal(tq_tracked[i], SIGKILL, NULL, 0);
                close(tq_tracked[i]);
        }
        tq_n_tracked = 0;
        return 0;
}
