/* qemu-iothread-tids.c: the IOThreads of a running QEMU and their threads, learnt with query-iothreads (at start, after a daemon restart, after an add), for qemu-pin.c to place and pin them and tell them from the emulator's threads. */
#define LOG_MODULE "qemu"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain-iothread.h"
#include "log.h"
#include "qemu-priv.h"

/* "iothreadN" → N, or 0. */
static unsigned id_of(const char *name) {
        unsigned long v = 0;
        char *end = NULL;
        if (!name || strncmp(name, "iothread", 8) != 0)
                return 0;
        errno = 0;
        v = strtoul(name + 8, &end, 10);
        return errno || !end || *end || v == 0 || v > 0xffffffffUL ? 0 : (unsigned) v;
}

void qemu_iothreads_set(QemuDomain *qd, json_object *ret) {
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        if (n > DOMAIN_IOTHREADS_MAX)
                n = DOMAIN_IOTHREADS_MAX;
        QemuIothread *t = n ? calloc(n, sizeof *t) : NULL;
        size_t k = 0;
        for (size_t i = 0; t && i < n; i++) {
                json_object *e = json_object_array_get_idx(ret, i), *id, *tid;
                if (!json_object_object_get_ex(e, "id", &id) || !json_object_object_get_ex(e, "thread-id", &tid))
                        continue;
                unsigned v = id_of(json_object_get_string(id));
                if (v)
                        t[k++] = (QemuIothread) { .id = v, .tid = (pid_t) json_object_get_int64(tid) };
        }
        free(qd->iothreads);
        qd->iothreads = t;
        qd->n_iothreads = k;
}

pid_t qemu_iothread_tid(const QemuDomain *qd, unsigned id) {
        for (size_t i = 0; i < qd->n_iothreads; i++)
                if (qd->iothreads[i].id == id)
                        return qd->iothreads[i].tid;
        return 0;
}

bool qemu_is_iothread(const QemuDomain *qd, pid_t tid) {
        for (size_t i = 0; i < qd->n_iothreads; i++)
                if (qd->iothreads[i].tid == tid)
                        return true;
        return false;
}

void qemu_iothreads_forget(QemuDomain *qd) {
        qd->iothreads = (free(qd->iothreads), NULL);
        qd->n_iothreads = 0;
}

static void on_query(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        QemuDomain *qd = userdata;
        if (q != qd->qmp)
                return;
        if (cls)
                log_warning("domain %s: IOThreads unknown: %s", qd->domain->obj.name, desc ? desc : cls);
        else
                qemu_iothreads_set(qd, ret);
}

int qemu_iothreads_query(QemuDomain *qd, Qmp *q) {
        return qmp_send(q, "query-iothreads", NULL, on_query, qd);
}
