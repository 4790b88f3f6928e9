/* bus-domain-blockjob.c: org.libvirt.Domain's BlockPull, BlockRebase, BlockCommit,
 * GetBlockJobInfo, BlockJobAbort and BlockJobSetSpeed over the core's block-job verbs
 * (domain-blockjob.h); as libvirt-dbus, an empty base or top string means none. */
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <string.h>

#include "bus-path.h"
#include "call.h"
#include "domain-blockjob.h"
#include "domain.h"
#include "log.h"

static Domain *domain_of_message(BusSubtree *t, sd_bus_message *m, VbError *err) {
        return bus_path_domain(t->conn, t->path, sd_bus_message_get_path(m), err);
}

static const char *or_null(const char *s) {
        return s && *s ? s : NULL;
}

enum { PULL, REBASE, COMMIT, ABORT, SPEED };

/* The verbs that answer nothing. */
static int job_method(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, int what) {
        const char *disk = NULL, *base = NULL, *top = NULL;
        uint64_t bw = 0;
        unsigned flags = 0;
        VbError err = { 0 };
        int r = what == PULL     ? sd_bus_message_read(m, "stu", &disk, &bw, &flags)
                : what == REBASE ? sd_bus_message_read(m, "sstu", &disk, &base, &bw, &flags)
                : what == COMMIT ? sd_bus_message_read(m, "ssstu", &disk, &base, &top, &bw, &flags)
                : what == ABORT  ? sd_bus_message_read(m, "su", &disk, &flags)
                                 : sd_bus_message_read(m, "stu", &disk, &bw, &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        switch (what) {
        case PULL:
        case REBASE:
                r = domain_block_pull(d, disk, or_null(base), bw, flags, call, &err);
                break;
        case COMMIT:
                r = domain_block_commit(d, disk, or_null(base), or_null(top), bw, flags, call, &err);
                break;
        case ABORT:
                r = domain_block_job_abort(d, disk, flags, call, &err);
                break;
        default:
                r = domain_block_job_set_speed(d, disk, bw, flags, call, &err);
                break;
        }
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_block_pull(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return job_method(m, userdata, ret_error, PULL);
}

int bus_method_block_rebase(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return job_method(m, userdata, ret_error, REBASE);
}

int bus_method_block_commit(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return job_method(m, userdata, ret_error, COMMIT);
}

int bus_method_block_job_abort(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return job_method(m, userdata, ret_error, ABORT);
}

int bus_method_block_job_set_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return job_method(m, userdata, ret_error, SPEED);
}

static int reply_info(sd_bus_message *m, const DomainBlockJobInfo *i) {
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) i->type, i->bandwidth, i->cur, i->end);
}

/* QEMU answers later (query-block-jobs): the reply goes out from here then. */
static void info_done(Call *call, int r, const VbError *err, void *result) {
        sd_bus_message *m = call->userdata;
        if (!m)
                return;
        call->userdata = NULL;
        int q;
        if (r < 0 || !result) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                bus_error(&e, err);
                q = sd_bus_reply_method_error(m, &e);
                sd_bus_error_free(&e);
        } else {
                q = reply_info(m, result);
        }
        if (q < 0)
                log_warning("cannot send the reply of GetBlockJobInfo: %s", strerror(-q));
        sd_bus_message_unref(m);
}

/* GetBlockJobInfo(s disk, u flags) → (ittt): type, bandwidth, cur, end (type 0: no job) */
int bus_method_get_block_job_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *disk;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        Domain *d = domain_of_message(userdata, m, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Identity who = bus_identity(m);
        Call *call = call_new(CALL_DOOR_BUS, &who, info_done, sd_bus_message_ref(m));
        if (!call) {
                sd_bus_message_unref(m);
                return -ENOMEM;
        }
        DomainBlockJobInfo info = { 0 };
        r = domain_block_job_info(d, disk, flags, call, &info, &err);
        if (r != VERB_PENDING) {
                sd_bus_message_unref(call->userdata);
                call->userdata = NULL;
                r = r < 0 ? bus_error(ret_error, &err) : reply_info(m, &info);
        }
        call_unref(call);
        return r < 0 ? r : 1;
}
