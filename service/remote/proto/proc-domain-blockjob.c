/* proc-domain-blockjob.c: the block-job procedures (BlockPull 240, BlockRebase 266, BlockCommit
 * 290, GetBlockJobInfo 238, BlockJobAbort 237, BlockJobSetSpeed 239, BlockCopy 345) over domain-blockjob.h. */
#include "dispatch.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "call.h"
#include "domain-blockjob.h"
#include "domain.h"

/* Strings a disk path or image file name may be (libvirt: remote_nonnull_string). */
#define BLOCK_PATH_MAX 4096

/* {dom; path; [string base]; [string top]; uhyper bandwidth; u32 flags}: the procedures that
 * start a job. */
static int start(RemoteCall *rc, int kind) {
        RemoteRef ref = { 0 };
        char *path = NULL, *base = NULL, *top = NULL;
        size_t len;
        uint64_t bw = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, BLOCK_PATH_MAX, &path, &len);
        if (kind != DOMAIN_BLOCK_JOB_TYPE_PULL)
                xdr_get_opt_string(&rc->args, BLOCK_PATH_MAX, &base);
        if (kind == DOMAIN_BLOCK_JOB_TYPE_COMMIT)
                xdr_get_opt_string(&rc->args, BLOCK_PATH_MAX, &top);
        xdr_get_u64(&rc->args, &bw);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = -1;
        if (call && kind == DOMAIN_BLOCK_JOB_TYPE_COMMIT)
                r = domain_block_commit(d, path, base, top, bw, flags, call, &rc->err);
        else if (call)
                r = domain_block_pull(d, path, base, bw, flags, call, &rc->err);
        free(path);
        free(base);
        free(top);
        return call ? remote_call_finish(rc, call, r) : -1;
}

REMOTE_HANDLER(proc_domain_block_pull) {
        return start(rc, DOMAIN_BLOCK_JOB_TYPE_PULL);
}

/* BlockRebase without a copy is a pull down to base. */
REMOTE_HANDLER(proc_domain_block_rebase) {
        return start(rc, DOMAIN_BLOCK_JOB_TYPE_COPY);
}

REMOTE_HANDLER(proc_domain_block_commit) {
        return start(rc, DOMAIN_BLOCK_JOB_TYPE_COMMIT);
}

static void put_info(XdrWriter *w, const DomainBlockJobInfo *i) {
        xdr_put_i32(w, i->type != 0);
        xdr_put_i32(w, i->type);
        xdr_put_u64(w, i->bandwidth);
        xdr_put_u64(w, i->cur);
        xdr_put_u64(w, i->end);
}

static int encode_info(XdrWriter *w, Domain *dom, void *result, VbError *err) {
        DomainBlockJobInfo none = { 0 };
        put_info(w, result ? result : &none);
        return 0;
}

/* {dom; path; u32 flags} → {int found; int type; uhyper bandwidth; uhyper cur; uhyper end} */
REMOTE_HANDLER(proc_domain_get_block_job_info) {
        char *path = NULL;
        uint32_t flags = 0;
        Domain *d = remote_read_domain_string(rc, BLOCK_PATH_MAX, &path, &flags);
        Call *call = d ? remote_call_new(rc, encode_info, d) : NULL;
        if (!call) {
                free(path);
                return -1;
        }
        DomainBlockJobInfo info = { 0 };
        int r = domain_block_job_info(d, path, flags, call, &info, &rc->err);
        free(path);
        if (r == 0)
                put_info(&rc->ret, &info);
        return remote_call_finish(rc, call, r);
}

/* {dom; path; [uhyper bandwidth]; u32 flags} → {} */
static int job_verb(RemoteCall *rc, bool speed) {
        RemoteRef ref = { 0 };
        char *path = NULL;
        size_t len;
        uint64_t bw = 0;
        uint32_t flags = 0;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, BLOCK_PATH_MAX, &path, &len);
        if (speed)
                xdr_get_u64(&rc->args, &bw);
        xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        Call *call = d ? remote_call_new(rc, NULL, d) : NULL;
        int r = -1;
        if (call)
                r = speed ? domain_block_job_set_speed(d, path, bw, flags, call, &rc->err)
                          : domain_block_job_abort(d, path, flags, call, &rc->err);
        free(path);
        return call ? remote_call_finish(rc, call, r) : -1;
}

REMOTE_HANDLER(proc_domain_block_job_abort) {
        return job_verb(rc, false);
}

REMOTE_HANDLER(proc_domain_block_job_set_speed) {
        return job_verb(rc, true);
}

#define REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX 16u

/* {dom; remote_nonnull_string path; remote_nonnull_string destxml;
 *  remote_typed_param params<16>; u32 flags} → void */
REMOTE_HANDLER(proc_domain_block_copy) {
        RemoteRef ref = { 0 };
        char *path = NULL, *destxml = NULL;
        size_t len;
        uint32_t n = 0, flags = 0;
        DomainTuneParam *params = calloc(REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX, sizeof *params);
        bool bad = !params;
        remote_get_domain_ref(rc, &ref);
        xdr_get_string(&rc->args, BLOCK_PATH_MAX, &path, &len);
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &destxml, &len);
        if (!bad && xdr_get_array_len(&rc->args, REMOTE_DOMAIN_BLOCK_COPY_PARAMETERS_MAX, 12, &n) == 0)
                for (uint32_t i = 0; i < n && !bad; i++)
                        bad = remote_get_typed_param(&rc->args, &params[i]) < 0;
        if (!bad)
                xdr_get_u32(&rc->args, &flags);
        Domain *d = remote_end_domain(rc, &ref);
        int r = -1;
        if (d && bad)
                r = params ? vb_error_set(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_REMOTE, "unknown typed parameter type")
                           : vb_error_errno(&rc->err, -ENOMEM, "block copy");
        Call *call = d && !bad ? remote_call_new(rc, NULL, d) : NULL;
        if (call)
                r = remote_call_finish(rc, call, domain_block_copy(d, path, destxml, params, n, flags, call, &rc->err));
        free(path);
        free(destxml);
        free(params);
        return r;
}
