/* domain-files.c: virDomainCreateWithFiles and virDomainCreateXMLWithFiles: a start with descriptors for the guest, on drivers whose start takes them. */
#define LOG_MODULE "domain"
#include "domain.h"
#include "driver.h"
#include "log.h"

static bool takes_files(Connection *c) {
        return c->driver->domain && c->driver->domain->start_takes_files;
}

int domain_create_with_files(Domain *d, size_t n_files, unsigned flags, Call *call, VbError *err) {
        if (!takes_files(d->obj.conn))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCreateWithFiles");
        log_debug("domain %s: a start with %zu file(s)", d->obj.name, n_files);
        return domain_start(d, flags, call, err);
}

int domain_create_xml_with_files(Connection *c, const char *xml, size_t len, size_t n_files, unsigned flags,
                                 Call *call, Domain **out, VbError *err) {
        if (!takes_files(c))
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainCreateXMLWithFiles");
        log_debug("a transient domain started with %zu file(s)", n_files);
        return domain_create_xml(c, xml, len, flags, call, out, err);
}
