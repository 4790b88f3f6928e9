/* hostmem.c: KSM's files under /sys/kernel/mm/ksm: small sysfs reads, one number each. */
#include "hostmem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const files[HOSTMEM_KSM_NPARAMS] = {
        "pages_to_scan", "sleep_millisecs", "pages_shared", "pages_sharing", "pages_unshared", "pages_volatile",
        "full_scans", "merge_across_nodes",
};

static int read_u64(const char *dir, const char *name, uint64_t *v) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int r = fscanf(f, "%" SCNu64, v) == 1 ? 0 : -EINVAL;
        fclose(f);
        return r;
}

int hostmem_ksm_read(const char *dir, uint64_t out[HOSTMEM_KSM_NPARAMS], bool *has_merge) {
        if (!dir)
                dir = "/sys/kernel/mm/ksm";
        for (int i = 0; i < HOSTMEM_KSM_NPARAMS - 1; i++) {
                int r = read_u64(dir, files[i], &out[i]);
                if (r < 0)
                        return r;
        }
        int r = read_u64(dir, files[HOSTMEM_KSM_NPARAMS - 1], &out[HOSTMEM_KSM_NPARAMS - 1]);
        *has_merge = r == 0;
        return r == 0 || r == -ENOENT ? 0 : r;
}
