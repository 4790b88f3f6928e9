/* domain-dump.c: the core dump verb: flags and format checked, the file created, the driver's dump run inside the domain's dump job. */
#define LOG_MODULE "core"
#include "domain-dump.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "domain-conf.h"
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
        if (flags & DOMAIN_DUMP_CRASH)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCoreDumpWithFormat with VIR_DUMP_CRASH");
        return 0;
}

int domain_core_dump(Domain *d, const char *path, unsigned format, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = d->obj.conn->driver->domain;
        bool memory = flags & DOMAIN_DUMP_MEMORY_ONLY;
        if (!ops || !(memory ? ops->core_dump != NULL : ops->dump_state != NULL))
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
        /* The whole state is a save image (libvirt's dumps are its save images too): a header
         * with the running definition, then the hypervisor's stream; `virsh restore` reads it. */
        int r = 0;
        if (!memory) {
                char *xml = domain_def_format(d->live, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
                r = xml ? save_image_write_header(fd, xml, d->state != DOMAIN_PAUSED, err)
                        : vb_error_errno(err, -ENOMEM, "format domain XML");
                free(xml);
        }
        if (r < 0) {
                close(fd);
                if (regular)
                        unlink(path);
                domain_job_end(d);
                return -1;
        }
        domain_ref(d);
        log_info("domain %s: dumping its %s to %s", d->obj.name, memory ? "memory" : "state", path);
        r = memory ? ops->core_dump(d, fd, regular ? path : NULL, format, flags, call, err)
                   : ops->dump_state(d, fd, regular ? path : NULL, flags, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}
