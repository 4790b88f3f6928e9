/* iscsi-direct-io.h: one iSCSI session (libiscsi, in user space) driven by a thread of its own: login, LUN report, reads, writes and logout run off the event loop, one request at a time, each result posted back through an eventfd. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

typedef struct IscsiConn IscsiConn;

/* Where the session goes: all copied at iscsi_conn_new. */
typedef struct IscsiTarget {
        const char *portal;             /* "host:port" */
        const char *target;             /* the target's IQN */
        const char *initiator;          /* our IQN */
        const char *chap_user;          /* CHAP: the user name and password we log in with; NULL: none */
        const char *chap_password;
} IscsiTarget;

/* A disk LUN of the target, as a volume: READ CAPACITY(16)'s size. */
typedef struct IscsiLun {
        unsigned lun;
        uint32_t block_size;
        uint64_t capacity;              /* bytes */
} IscsiLun;

typedef enum IscsiOp {
        ISCSI_LOGIN,    /* connect and log in (a no-op when logged in) */
        ISCSI_SCAN,     /* REPORT LUNS, then INQUIRY and READ CAPACITY(16) of each: luns/n_luns */
        ISCSI_READ,     /* len bytes at pos of lun into the buffer (got); all zeros: hole = len */
        ISCSI_WRITE,    /* len bytes of the buffer at pos of lun */
        ISCSI_ZERO,     /* len bytes of zeros at pos of lun */
        ISCSI_SYNC,     /* SYNCHRONIZE CACHE(16) of lun */
        ISCSI_LOGOUT,   /* log out and disconnect */
} IscsiOp;

typedef struct IscsiReq {
        IscsiOp op;
        unsigned lun;
        uint32_t block_size;            /* READ/WRITE/ZERO: the LUN's (positions need no alignment) */
        uint64_t pos, len;
        /* results */
        int errnum;                     /* 0, or an errno */
        char msg[1024];                 /* what failed and what libiscsi said, when errnum */
        size_t got;
        uint64_t hole;
        IscsiLun *luns;                 /* SCAN: malloc'ed, the receiver frees */
        size_t n_luns;
} IscsiReq;

typedef void (*IscsiDoneFn)(IscsiConn *c, IscsiReq *req, void *userdata);

/* A session thread with a data buffer of bufsize bytes (the most one READ/WRITE moves). */
int iscsi_conn_new(sd_event *e, const IscsiTarget *t, size_t bufsize, IscsiDoneFn done, void *userdata,
                   IscsiConn **out);
char *iscsi_conn_buf(IscsiConn *c);
size_t iscsi_conn_bufsize(const IscsiConn *c);
/* -EBUSY while a request runs. */
int iscsi_conn_submit(IscsiConn *c, const IscsiReq *req);
bool iscsi_conn_busy(const IscsiConn *c);
/* Ends the thread after the running request (waited for), destroys the context (a session
 * still logged in is dropped without a logout) and frees. */
IscsiConn *iscsi_conn_free(IscsiConn *c);
/* After the loop is over (daemon shutdown): let the running request end, log out (blocking, in
 * the thread), join it and free. */
void iscsi_conn_close(IscsiConn *c);
