/* iscsi-direct-io.c: the thread of one iSCSI session: libiscsi's synchronous calls (login, REPORT LUNS, READ/WRITE(16), SYNCHRONIZE CACHE, logout) run here, never on the event loop; each result comes back through an eventfd. */
#define LOG_MODULE "storage"
#include "iscsi-direct-io.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "iscsi-load.h"
#include "log.h"

/* No single SCSI command waits longer than this for the target. */
#define ISCSI_TIMEOUT_SEC 30
/* REPORT LUNS answers at most this many LUNs (8 bytes each, 8 of header). */
#define MAX_LUNS 4096

struct IscsiConn {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool pending, quit;     /* under lock */
        bool busy;              /* loop side */
        IscsiReq req;           /* the thread's while busy */
        char *portal, *target, *initiator;
        char *chap_user, *chap_password;        /* the password wiped when freed */
        struct iscsi_context *ctx;      /* the thread's only */
        long ready_lun;                 /* the LUN TEST UNIT READY last answered GOOD, or -1 */
        char *buf, *zeros;
        size_t bufsize;
        int efd;
        sd_event_source *src;
        IscsiDoneFn done;
        void *userdata;
};

static int fail(IscsiConn *c, IscsiReq *r, int errnum, const char *what) {
        r->errnum = errnum;
        snprintf(r->msg, sizeof r->msg, "%s: %s", what, c->ctx ? iscsi_get_error(c->ctx) : strerror(errnum));
        return -1;
}

/* A command's task: NULL (the error said) unless it ended with GOOD status. */
static struct scsi_task *check(IscsiConn *c, IscsiReq *r, struct scsi_task *t, const char *what) {
        if (t && t->status == SCSI_STATUS_GOOD)
                return t;
        if (t)
                scsi_free_scsi_task(t);
        fail(c, r, EIO, what);
        return NULL;
}

static int do_login(IscsiConn *c, IscsiReq *r) {
        if (c->ctx)
                return 0;
        c->ready_lun = -1;
        c->ctx = iscsi_create_context(c->initiator);
        if (!c->ctx)
                return fail(c, r, ENOMEM, "cannot create iSCSI context");
        iscsi_set_targetname(c->ctx, c->target);
        iscsi_set_session_type(c->ctx, ISCSI_SESSION_NORMAL);
        iscsi_set_header_digest(c->ctx, ISCSI_HEADER_DIGEST_NONE_CRC32C);
        iscsi_set_timeout(c->ctx, ISCSI_TIMEOUT_SEC);
        if (c->chap_user && iscsi_set_initiator_username_pwd(c->ctx, c->chap_user, c->chap_password) < 0) {
                fail(c, r, EINVAL, "cannot set the CHAP user name and password");
                iscsi_destroy_context(c->ctx);
                c->ctx = NULL;
                return -1;
        }
        if (iscsi_connect_sync(c->ctx, c->portal) < 0 || iscsi_login_sync(c->ctx) < 0) {
                char what[512];
                snprintf(what, sizeof what, "cannot log in to iSCSI target '%s' at %s%s", c->target, c->portal,
                         c->chap_user ? " with CHAP" : "");
                fail(c, r, ECONNREFUSED, what);
                iscsi_destroy_context(c->ctx);
                c->ctx = NULL;
                return -1;
        }
        log_info("iSCSI: logged in to %s at %s as %s", c->target, c->portal, c->initiator);
        return 0;
}

static void do_logout(IscsiConn *c) {
        if (!c->ctx)
                return;
        if (iscsi_logout_sync(c->ctx) < 0)
                log_warning("iSCSI: logout from %s: %s", c->target, iscsi_get_error(c->ctx));
        iscsi_disconnect(c->ctx);
        iscsi_destroy_context(c->ctx);
        c->ctx = NULL;
        log_info("iSCSI: logged out of %s at %s", c->target, c->portal);
}

/* A fresh session's first command to a LUN may get UNIT ATTENTION (the target reports a reset
 * once per nexus): TEST UNIT READY until it answers GOOD. */
static int lun_ready(IscsiConn *c, IscsiReq *r, unsigned lun) {
        if (c->ready_lun == (long) lun)
                return 0;
        for (int tries = 0; tries < 10; tries++) {
                struct scsi_task *t = iscsi_testunitready_sync(c->ctx, (int) lun);
                bool good = t && t->status == SCSI_STATUS_GOOD;
                bool attention = t && t->status == SCSI_STATUS_CHECK_CONDITION &&
                                 t->sense.key == SCSI_SENSE_UNIT_ATTENTION;
                if (t)
                        scsi_free_scsi_task(t);
                if (good) {
                        c->ready_lun = lun;
                        return 0;
                }
                if (!attention)
                        break;
        }
        return fail(c, r, EIO, "TEST UNIT READY");
}

/* One LUN: a direct-access disk answers its size; anything else (tgt's LUN 0 is a controller)
 * is no volume (returns 0 with lun->block_size 0). */
static int describe_lun(IscsiConn *c, IscsiReq *r, IscsiLun *lun) {
        struct scsi_task *t = check(c, r, iscsi_inquiry_sync(c->ctx, (int) lun->lun, 0, 0, 64), "INQUIRY");
        if (!t)
                return -1;
        struct scsi_inquiry_standard *inq = scsi_datain_unmarshall(t);
        bool disk = inq && inq->qualifier == SCSI_INQUIRY_PERIPHERAL_QUALIFIER_CONNECTED &&
                    inq->device_type == SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS;
        scsi_free_scsi_task(t);
        if (!disk)
                return 0;
        if (lun_ready(c, r, lun->lun) < 0)
                return -1;
        t = check(c, r, iscsi_readcapacity16_sync(c->ctx, (int) lun->lun), "READ CAPACITY(16)");
        if (!t)
                return -1;
        struct scsi_readcapacity16 *rc = scsi_datain_unmarshall(t);
        if (rc && rc->block_length) {
                lun->block_size = rc->block_length;
                lun->capacity = (rc->returned_lba + 1) * rc->block_length;
        }
        scsi_free_scsi_task(t);
        return 0;
}

static void do_scan(IscsiConn *c, IscsiReq *r) {
        struct scsi_task *t = check(c, r, iscsi_reportluns_sync(c->ctx, 0, 8 + 8 * MAX_LUNS), "REPORT LUNS");
        if (!t)
                return;
        struct scsi_reportluns_list *list = scsi_datain_unmarshall(t);
        size_t n = list ? list->num : 0;
        IscsiLun *luns = n ? calloc(n, sizeof *luns) : NULL;
        if (n && !luns) {
                scsi_free_scsi_task(t);
                fail(c, r, ENOMEM, "REPORT LUNS");
                return;
        }
        for (size_t i = 0; i < n; i++)
                luns[i].lun = list->luns[i];
        scsi_free_scsi_task(t);
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
                if (describe_lun(c, r, &luns[i]) < 0) {
                        free(luns);
                        return;
                }
                if (luns[i].block_size)
                        luns[kept++] = luns[i];
        }
        r->luns = luns;
        r->n_luns = kept;
}

/* The blocks covering [pos, pos + len) into a task: its data starts at block pos / bs. */
static struct scsi_task *read_blocks(IscsiConn *c, IscsiReq *r, uint64_t pos, uint64_t len) {
        uint64_t bs = r->block_size, first = pos / bs, last = (pos + len + bs - 1) / bs;
        uint64_t bytes = (last - first) * bs;
        struct scsi_task *t = check(c, r, iscsi_read16_sync(c->ctx, (int) r->lun, first, (uint32_t) bytes, (int) bs, 0, 0, 0, 0, 0),
                                    "READ(16)");
        if (t && (uint64_t) t->datain.size < bytes) {
                scsi_free_scsi_task(t);
                fail(c, r, EIO, "READ(16) came back short");
                return NULL;
        }
        return t;
}

static void do_read(IscsiConn *c, IscsiReq *r) {
        struct scsi_task *t = read_blocks(c, r, r->pos, r->len);
        if (!t)
                return;
        memcpy(c->buf, t->datain.data + r->pos % r->block_size, r->len);
        scsi_free_scsi_task(t);
        r->got = (size_t) r->len;
        if (r->len && c->buf[0] == 0 && memcmp(c->buf, c->buf + 1, r->len - 1) == 0)
                r->hole = r->len;
}

/* len bytes of src at pos; a part of a block at either end is read, patched and written back. */
static int write_range(IscsiConn *c, IscsiReq *r, const char *src, uint64_t pos, uint64_t len) {
        uint64_t bs = r->block_size;
        if (pos % bs == 0 && len % bs == 0) {
                struct scsi_task *t = check(c, r, iscsi_write16_sync(c->ctx, (int) r->lun, pos / bs, (unsigned char *) src,
                                                                     (uint32_t) len, (int) bs, 0, 0, 0, 0, 0),
                                            "WRITE(16)");
                if (!t)
                        return -1;
                scsi_free_scsi_task(t);
                return 0;
        }
        struct scsi_task *t = read_blocks(c, r, pos, len);
        if (!t)
                return -1;
        uint64_t first = pos / bs, bytes = ((pos + len + bs - 1) / bs - first) * bs;
        unsigned char *bounce = malloc(bytes);
        if (!bounce) {
                scsi_free_scsi_task(t);
                return fail(c, r, ENOMEM, "WRITE(16)");
        }
        memcpy(bounce, t->datain.data, bytes);
        scsi_free_scsi_task(t);
        memcpy(bounce + pos % bs, src, len);
        t = check(c, r, iscsi_write16_sync(c->ctx, (int) r->lun, first, bounce, (uint32_t) bytes, (int) bs, 0, 0, 0, 0, 0),
                  "WRITE(16)");
        free(bounce);
        if (!t)
                return -1;
        scsi_free_scsi_task(t);
        return 0;
}

static void do_zero(IscsiConn *c, IscsiReq *r) {
        for (uint64_t done = 0; done < r->len;) {
                uint64_t n = r->len - done < c->bufsize ? r->len - done : c->bufsize;
                if (write_range(c, r, c->zeros, r->pos + done, n) < 0)
                        return;
                done += n;
        }
}

static void serve(IscsiConn *c, IscsiReq *r) {
        if (r->op == ISCSI_LOGOUT) {
                do_logout(c);
                return;
        }
        if (do_login(c, r) < 0 || r->op == ISCSI_LOGIN)
                return;
        if (r->op != ISCSI_SCAN && (!r->block_size || (r->op != ISCSI_ZERO && r->len > c->bufsize))) {
                r->errnum = EINVAL;
                snprintf(r->msg, sizeof r->msg, "bad request: %llu bytes in blocks of %u",
                         (unsigned long long) r->len, r->block_size);
                return;
        }
        if (r->op != ISCSI_SCAN && lun_ready(c, r, r->lun) < 0)
                return;
        switch (r->op) {
        case ISCSI_SCAN:
                do_scan(c, r);
                break;
        case ISCSI_READ:
                do_read(c, r);
                break;
        case ISCSI_WRITE:
                write_range(c, r, c->buf, r->pos, r->len);
                break;
        case ISCSI_ZERO:
                do_zero(c, r);
                break;
        case ISCSI_SYNC: {
                struct scsi_task *t = check(c, r, iscsi_synchronizecache16_sync(c->ctx, (int) r->lun, 0, 0, 0, 0),
                                            "SYNCHRONIZE CACHE(16)");
                if (t)
                        scsi_free_scsi_task(t);
                break;
        }
        default:
                break;
        }
}

static void *conn_thread(void *arg) {
        IscsiConn *c = arg;
        for (;;) {
                pthread_mutex_lock(&c->lock);
                while (!c->pending && !c->quit)
                        pthread_cond_wait(&c->cond, &c->lock);
                if (c->quit && !c->pending) {
                        pthread_mutex_unlock(&c->lock);
                        break;
                }
                IscsiReq r = c->req;
                pthread_mutex_unlock(&c->lock);
                r.errnum = 0;
                r.msg[0] = '\0';
                r.got = 0;
                r.hole = 0;
                r.luns = NULL;
                r.n_luns = 0;
                serve(c, &r);
                pthread_mutex_lock(&c->lock);
                c->req = r;
                c->pending = false;
                pthread_mutex_unlock(&c->lock);
                uint64_t one = 1;
                (void) !write(c->efd, &one, sizeof one);
        }
        if (c->ctx) {
                iscsi_destroy_context(c->ctx);
                c->ctx = NULL;
        }
        return NULL;
}

static int conn_on_done(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        IscsiConn *c = userdata;
        uint64_t n;
        if (read(c->efd, &n, sizeof n) < 0)
                return 0;
        pthread_mutex_lock(&c->lock);
        bool ready = c->busy && !c->pending;
        IscsiReq r = c->req;
        pthread_mutex_unlock(&c->lock);
        if (!ready)
                return 0;
        c->busy = false;
        c->done(c, &r, c->userdata);    /* may submit the next request, or free c */
        return 0;
}

static void conn_free_parts(IscsiConn *c) {
        sd_event_source_disable_unref(c->src);
        if (c->efd >= 0)
                close(c->efd);
        free(c->buf);
        free(c->zeros);
        free(c->portal);
        free(c->target);
        free(c->initiator);
        free(c->chap_user);
        if (c->chap_password) {
                explicit_bzero(c->chap_password, strlen(c->chap_password));
                free(c->chap_password);
        }
        free(c);
}

int iscsi_conn_new(sd_event *e, const IscsiTarget *t, size_t bufsize, IscsiDoneFn done, void *userdata,
                   IscsiConn **out) {
        IscsiConn *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (IscsiConn) { .efd = -1, .bufsize = bufsize, .done = done, .userdata = userdata };
        c->portal = strdup(t->portal);
        c->target = strdup(t->target);
        c->initiator = strdup(t->initiator);
        bool chap_oom = false;
        if (t->chap_user) {
                c->chap_user = strdup(t->chap_user);
                c->chap_password = strdup(t->chap_password ? t->chap_password : "");
                chap_oom = !c->chap_user || !c->chap_password;
        }
        c->buf = malloc(bufsize);
        c->zeros = calloc(1, bufsize);
        c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        int r = !c->portal || !c->target || !c->initiator || chap_oom || !c->buf || !c->zeros ? -ENOMEM : c->efd < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(e, &c->src, c->efd, EPOLLIN, conn_on_done, c);
        if (r == 0) {
                pthread_mutex_init(&c->lock, NULL);
                pthread_cond_init(&c->cond, NULL);
                r = -pthread_create(&c->thread, NULL, conn_thread, c);
                if (r < 0) {
                        pthread_mutex_destroy(&c->lock);
                        pthread_cond_destroy(&c->cond);
                }
        }
        if (r < 0) {
                conn_free_parts(c);
                return r;
        }
        *out = c;
        return 0;
}

char *iscsi_conn_buf(IscsiConn *c) {
        return c->buf;
}

size_t iscsi_conn_bufsize(const IscsiConn *c) {
        return c->bufsize;
}

bool iscsi_conn_busy(const IscsiConn *c) {
        return c->busy;
}

int iscsi_conn_submit(IscsiConn *c, const IscsiReq *req) {
        if (c->busy)
                return -EBUSY;
        c->busy = true;
        pthread_mutex_lock(&c->lock);
        c->req = *req;
        c->pending = true;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
        return 0;
}

IscsiConn *iscsi_conn_free(IscsiConn *c) {
        if (!c)
                return NULL;
        pthread_mutex_lock(&c->lock);
        c->quit = true;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
        if (c->busy)
                log_debug("waiting for an iSCSI request to end");
        pthread_join(c->thread, NULL);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        /* A scan result nobody took. */
        if (c->busy && !c->pending)
                free(c->req.luns);
        conn_free_parts(c);
        return NULL;
}

void iscsi_conn_close(IscsiConn *c) {
        if (!c)
                return;
        pthread_mutex_lock(&c->lock);
        /* A request still running keeps the slot: wait for it, then ask for the logout. */
        while (c->pending) {
                pthread_mutex_unlock(&c->lock);
                usleep(1000);
                pthread_mutex_lock(&c->lock);
        }
        if (c->busy)
                free(c->req.luns);      /* a scan result nobody will take */
        c->req = (IscsiReq) { .op = ISCSI_LOGOUT };
        c->pending = true;
        c->busy = true;
        c->quit = true;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
        pthread_join(c->thread, NULL);
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
        conn_free_parts(c);
}
