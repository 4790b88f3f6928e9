/* bus-domain-blockjob.c: org.libvirt.Domain's BlockPull, BlockRebase, BlockCommit, BlockCopy,
 * GetBlockJobInfo, BlockJobAbort and BlockJobSetSpeed over the core's block-job verbs
 * (domain-blockjob.h); as libvirt-dbus, an empty base or top string means none. */
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-path.h"
#include "call.h"
#include "domain-blockjob.h"
#include "domain.h"

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
        Domain *d = bus_message_domain(m, userdata, &err);
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

/* QEMU may answer later (query-block-jobs). */
static int reply_info(sd_bus_message *m, const void *result) {
        const DomainBlockJobInfo *i = result;
        return sd_bus_reply_method_return(m, "(ittt)", (int32_t) i->type, i->bandwidth, i->cur, i->end);
}

/* GetBlockJobInfo(s disk, u flags) → (ittt): type, bandwidth, cur, end (type 0: no job) */
int bus_method_get_block_job_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *disk;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &disk, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_info, false);
        if (!call)
                return -ENOMEM;
        DomainBlockJobInfo info = { 0 };
        r = domain_block_job_info(d, disk, flags, call, &info, &err);
        return bus_call_finish_reply(call, r, &err, &info, ret_error);
}

/* BlockCopy(s disk, s destxml, a{sv} params, u flags) */
int bus_method_block_copy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *disk = NULL, *destxml = NULL;
        unsigned flags = 0;
        size_t n = 0;
        VbError err = { 0 };
        DomainTuneParam *params = calloc(BUS_TUNE_PARAMS_MAX, sizeof *params);
        if (!params)
                return -ENOMEM;
        int r = sd_bus_message_read(m, "ss", &disk, &destxml);
        if (r >= 0)
                r = bus_read_tune_params(m, params, &n, &err);
        if (r >= 0)
                r = sd_bus_message_read(m, "u", &flags);
        Domain *d = r < 0 ? NULL : bus_message_domain(m, userdata, &err);
        Call *call = d ? bus_call_new(m) : NULL;
        if (call)
                r = bus_call_finish(call, domain_block_copy(d, disk, destxml, params, n, flags, call, &err), &err, NULL,
                                    ret_error);
        else if (r >= 0 || err.code)
                r = d ? -ENOMEM : bus_error(ret_error, &err);
        free(params);
        return r;
}
