/* domain-dump.c: the core dump verb: flags and format checked, the file created, the driver's dump run inside the domain's dump job. */
#define LOG_MODULE "core"
#include "domain-dump.h"

#include "domain-save.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

static int check_flags(unsigned format, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_DUMP_CRASH | DOMAIN_DUMP_LIVE | DOMAIN_DUMP_BYPASS_CACHE | DOMAIN_DUMP_RESET |
                                          DOMAIN_DUMP_MEMORY_ONLY,
                           "virDomainCoreDumpWithFormat", err) < 0)
                return -1;
        if (format >= _DOMAIN_CORE_DUMP_FORMAT_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "dumpformat '%u' is not supported", format);
        static const struct {
                unsigned a, b;
                const char *text;
        } exclusive[] = {
                { DOMAIN_DUMP_CRASH, DOMAIN_DUMP_LIVE, "crash and live flags are mutually exclusive" },
                { DOMAIN_DUMP_CRASH, DOMAIN_DUMP_RESET, "crash and reset flags are mutually exclusive" },
                { DOMAIN_DUMP_LIVE, DOMAIN_DUMP_RESET, "live and reset flags are mutually exclusive" },
        };
        for (size_t i = 0; i < sizeof exclusive / sizeof exclusive[0]; i++)
                if ((flags & exclusive[i].a) && (flags & exclusive[i].b))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "%s", exclusive[i].text);
        if (!(flags & DOMAIN_DUMP_MEMORY_ONLY) && format != DOMAIN_CORE_DUMP_FORMAT_RAW)
                return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "kdump-compressed format is only supported with memory-only dump");
        /* libvirt writes a migration stream for these; virtbus does not yet. */
        if (!(flags & DOMAIN_DUMP_MEMORY_ONLY))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN,
                                    "virDomainCoreDumpWithFormat without VIR_DUMP_MEMORY_ONLY");
        if (flags & DOMAIN_DUMP_CRASH)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCoreDumpWithFormat with VIR_DUMP_CRASH");
        return 0;
}

int domain_core_dump(Domain *d, const char *path, unsigned format, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->core_dump)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCoreDumpWithFormat");
        if (check_flags(format, flags, err) < 0)
                return -1;
        if (!path || !*path)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a dump file path is required");
        if (domain_job_begin(d, DOMAIN_JOB_DUMP, err) < 0)
                return -1;
        bool regular;
        int fd = guest_memory_file_create(path, &regular, err);
        if (fd < 0) {
                domain_job_end(d);
                return -1;
        }
        domain_ref(d);
        log_info("domain %s: dumping its memory to %s", d->obj.name, path);
        int r = ops->core_dump(d, fd, regular ? path : NULL, format, flags, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
