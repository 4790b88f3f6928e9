/* proc-domain.c: domain procedures that answer at once: lookups, define and undefine, XML, state, info and small queries. */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "domain-seclabel.h"
#include "domain.h"
#include "driver.h"

static int reply_domain(RemoteCall *rc, Domain *d) {
        if (!d)
                return -1;
        remote_put_domain(&rc->ret, d);
        return 0;
}

/* ------------------------------------------------------------------ lookups */

REMOTE_HANDLER(proc_domain_lookup_by_id) {
        int32_t id;
        xdr_get_i32(&rc->args, &id);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_domain(rc, domain_lookup_id(rc->client->conn, id, &rc->err));
}

REMOTE_HANDLER(proc_domain_lookup_by_name) {
        char *name = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &name, NULL);
        int r = remote_args_end(rc);
        if (r == 0)
                r = reply_domain(rc, domain_lookup_name(rc->client->conn, name, &rc->err));
        free(name);
        return r;
}

REMOTE_HANDLER(proc_domain_lookup_by_uuid) {
        uint8_t uuid[16];
        xdr_get_fixed(&rc->args, uuid, sizeof uuid);
        if (remote_args_end(rc) < 0)
                return -1;
        return reply_domain(rc, domain_lookup_uuid(rc->client->conn, uuid, &rc->err));
}

/* ------------------------------------------------------------------ definitions */

static int define(RemoteCall *rc, bool with_flags) {
        char *xml = NULL;
        size_t len = 0;
        uint32_t flags = 0;
        Domain *d = NULL;
        xdr_get_string(&rc->args, REMOTE_STRING_MAX, &xml, &len);
        if (with_flags)
                xdr_get_u32(&rc->args, &flags);
        int r = remote_args_end(rc);
        if (r == 0)
                r = domain_define(rc->client->conn, xml, len, flags, &d, &rc->err) < 0 ? -1 : reply_domain(rc, d);
        free(xml);
        return r;
}

REMOTE_HANDLER(proc_domain_define_xml) {
        return define(rc, false);
}

REMOTE_HANDLER(proc_domain_define_xml_flags) {
        return define(rc, true);
}

REMOTE_HANDLER(proc_domain_undefine) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_done(domain_undefine(d, 0, &rc->err)) : -1;
}

REMOTE_HANDLER(proc_domain_undefine_flags) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        return d ? remote_done(domain_undefine(d, flags, &rc->err)) : -1;
}

/* ------------------------------------------------------------------ XML and state */

enum { XML_SECURE = 1u << 0 };         /* VIR_DOMAIN_XML_SECURE */

REMOTE_HANDLER(proc_domain_get_xml_desc) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        if (rc->client->readonly && (flags & XML_SECURE))
                return vb_error_set(&rc->err, VB_ERR_OPERATION_DENIED, VB_FROM_DOMAIN,
                                    "virDomainGetXMLDesc with secure flag");
        return remote_reply_string(rc, domain_get_xml(d, flags, &rc->err));
}

REMOTE_HANDLER(proc_domain_get_state) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || remote_check_flags(rc, flags, 0) < 0)
                return -1;
        xdr_put_i32(&rc->ret, (int32_t) d->state);
        xdr_put_i32(&rc->ret, d->reason);
        return 0;
}

/* {uchar state; uhyper maxMem; uhyper memory; ushort nrVirtCpu; uhyper cpuTime} */
REMOTE_HANDLER(proc_domain_get_info) {
        DomainInfo info = { 0 };
        Domain *d = remote_read_domain(rc, NULL);
        if (!d || domain_get_info(d, &info, &rc->err) < 0)
                return -1;
        xdr_put_u32(&rc->ret, (uint8_t) info.state);
        xdr_put_u64(&rc->ret, info.max_mem_kib);
        xdr_put_u64(&rc->ret, info.memory_kib);
        xdr_put_u32(&rc->ret, (uint16_t) info.vcpus);
        xdr_put_u64(&rc->ret, info.cpu_time_ns);
        return 0;
}

/* The driver's answer (libvirt's test driver: "linux" whatever the XML says) or <os><type>. */
REMOTE_HANDLER(proc_domain_get_os_type) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        xdr_put_string(&rc->ret, domain_os_type(d));
        return 0;
}

REMOTE_HANDLER(proc_domain_get_max_memory) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        const DomainDef *def = domain_current_def(d);
        xdr_put_u64(&rc->ret, def ? def->memory_kib : 0);
        return 0;
}

/* virDomainGetVcpusFlags: LIVE=1, CONFIG=2, MAXIMUM=4 (GUEST=8 needs an agent): the same
 * choice of definition as the D-Bus door's GetVcpus. */
enum { VCPU_LIVE = 1, VCPU_CONFIG = 2, VCPU_MAXIMUM = 4 };

static int get_vcpus(RemoteCall *rc, Domain *d, unsigned flags) {
        const DomainDef *def;
        if ((flags & VCPU_LIVE) && (flags & VCPU_CONFIG))
                return vb_error_set_raw(&rc->err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                        "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
        if (flags & VCPU_LIVE) {
                if (!domain_is_active(d))
                        return vb_error_set(&rc->err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
                def = d->live;
        } else if (flags & VCPU_CONFIG) {
                if (!d->persistent)
                        return vb_error_set(&rc->err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                            "transient domains do not have any persistent config");
                def = d->def;
        } else {
                def = domain_current_def(d);
        }
        if (!def)
                return vb_error_set(&rc->err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "domain '%s' has no definition",
                                    d->obj.name);
        return remote_reply_int(rc, (int32_t) ((flags & VCPU_MAXIMUM) ? def->vcpus : def->current_vcpus));
}

REMOTE_HANDLER(proc_domain_get_vcpus_flags) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d || remote_check_flags(rc, flags, VCPU_LIVE | VCPU_CONFIG | VCPU_MAXIMUM) < 0)
                return -1;
        return get_vcpus(rc, d, flags);
}

/* virDomainGetMaxVcpus is GetVcpusFlags(LIVE | MAXIMUM) in libvirt's drivers. */
REMOTE_HANDLER(proc_domain_get_max_vcpus) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? get_vcpus(rc, d, VCPU_LIVE | VCPU_MAXIMUM) : -1;
}

REMOTE_HANDLER(proc_domain_is_active) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_reply_int(rc, domain_is_active(d)) : -1;
}

REMOTE_HANDLER(proc_domain_is_persistent) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_reply_int(rc, d->persistent) : -1;
}

REMOTE_HANDLER(proc_domain_is_updated) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_reply_int(rc, d->updated) : -1;
}

REMOTE_HANDLER(proc_domain_get_autostart) {
        Domain *d = remote_read_domain(rc, NULL);
        return d ? remote_reply_int(rc, d->autostart) : -1;
}

REMOTE_HANDLER(proc_domain_set_autostart) {
        RemoteRef ref = { 0 };
        int32_t autostart;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &autostart);
        if (remote_args_end(rc) < 0)
                return -1;
        Domain *d = remote_find_domain(rc, &ref);
        return d ? remote_done(domain_set_autostart(d, autostart != 0, &rc->err)) : -1;
}

/* virtbus keeps no snapshots yet. */

/* {char label<4097>; int enforcing}: the primary security driver's label of a running domain
 * (core domain-seclabel.c; libvirt's test driver: "libvirt-test", enforcing); an inactive one,
 * or one without a security driver, has none. */
REMOTE_HANDLER(proc_domain_get_security_label) {
        Domain *d = remote_read_domain(rc, NULL);
        if (!d)
                return -1;
        static DomainSecLabel label;
        if (domain_security_label(d, &label, &rc->err) < 0)
                return -1;
        xdr_put_char_array(&rc->ret, label.label);
        xdr_put_i32(&rc->ret, label.enforcing ? 1 : 0);
        return 0;
}

/* {string msgs<>}: no tainting or deprecation messages are kept. */
REMOTE_HANDLER(proc_domain_get_messages) {
        unsigned flags = 0;
        Domain *d = remote_read_domain(rc, &flags);
        if (!d)
                return -1;
        xdr_put_u32(&rc->ret, 0);
        return 0;
}

/* {dom; int type; remote_string uri; u32 flags} → {string metadata} */
REMOTE_HANDLER(proc_domain_get_metadata) {
        RemoteRef ref = { 0 };
        int32_t type;
        char *uri = NULL, *text = NULL;
        uint32_t flags;
        int r = -1;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &type);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &uri);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) == 0) {
                Domain *d = remote_find_domain(rc, &ref);
                if (d && domain_get_metadata(d, type, uri, flags, &text, &rc->err) == 0)
                        r = remote_reply_string(rc, text ? text : strdup(""));
        }
        free(uri);
        return r;
}

/* {dom; int type; remote_string metadata, key, uri; u32 flags} */
REMOTE_HANDLER(proc_domain_set_metadata) {
        RemoteRef ref = { 0 };
        int32_t type;
        char *text = NULL, *key = NULL, *uri = NULL;
        uint32_t flags;
        int r = -1;
        remote_get_domain_ref(rc, &ref);
        xdr_get_i32(&rc->args, &type);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &text);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &key);
        xdr_get_opt_string(&rc->args, REMOTE_STRING_MAX, &uri);
        xdr_get_u32(&rc->args, &flags);
        if (remote_args_end(rc) == 0) {
                Domain *d = remote_find_domain(rc, &ref);
                if (d)
                        r = remote_done(domain_set_metadata(d, type, text, key, uri, flags, &rc->err));
        }
        free(text);
        free(key);
        free(uri);
        return r;
}

/* {dom; u32 screen; u32 flags} → {remote_string mime}, then the image as a download stream
 * with this call's serial. */
REMOTE_HANDLER(proc_domain_screenshot) {
        uint32_t screen = 0, flags = 0;
        Domain *d = remote_read_domain_u32(rc, &screen, &flags);
        if (!d || remote_stream_room(rc) < 0)
                return -1;
        Stream *st = NULL;
        char *mime = NULL;
        if (domain_screenshot(d, screen, flags, &st, &mime, &rc->err) < 0)
                return -1;
        int r = remote_stream_open(rc, st, REMOTE_STREAM_DOWNLOAD, false);
        if (r < 0)
                stream_abort(st, &rc->err);
        else
                xdr_put_opt_string(&rc->ret, mime);
        stream_unref(st);
        free(mime);
        return r;
}
