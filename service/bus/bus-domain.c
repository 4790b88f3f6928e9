/* bus-domain.c: org.libvirt.Domain: properties, lifecycle verbs, XML, state and metadata of one domain. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-agent.h"
#include "domain.h"
#include "driver.h"
#include "domain-ifaddr.h"

static Domain *domain_of(BusSubtree *t, const char *path, VbError *err) {
        return bus_path_domain(t->conn, t->path, path, err);
}

static int domain_property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        VbError err = { 0 };
        Domain *d = domain_of(userdata, path, &err);
        if (!d)
                return bus_error(ret_error, &err);

        if (strcmp(property, "Id") == 0)
                /* libvirt-dbus reports 0 where libvirt says -1 (not running) */
                return sd_bus_message_append(reply, "u", (uint32_t) (d->obj.id > 0 ? d->obj.id : 0));
        if (strcmp(property, "OSType") == 0)
                return sd_bus_message_append(reply, "s", domain_os_type(d));
        if (strcmp(property, "SchedulerType") == 0) {
                int nparams = 0;
                const char *type = domain_scheduler_type(d, &nparams);
                return sd_bus_message_append(reply, "(si)", type, (int32_t) nparams);
        }
        if (strcmp(property, "Updated") == 0)
                return sd_bus_message_append(reply, "b", d->updated);
        return -ENOENT;
}

static bool domain_active(const Object *o) {
        return domain_is_active((const Domain *) o);
}

static int domain_autostart(Object *o, bool autostart, VbError *err) {
        return domain_set_autostart((Domain *) o, autostart, err);
}

static const BusObjectState domain_state = {
        .active = domain_active,
        .autostart = offsetof(Domain, autostart),
        .persistent = offsetof(Domain, persistent),
        .set_autostart = domain_autostart,
};

static int domain_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes,
                            sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        return bus_enumerate_registry(&t->conn->domains, nodes);
}

/* --- Lifecycle: verbs that may finish later --- */

/* Suspend and Resume take no flags on D-Bus; the others one uint32. */
static int run_lifecycle(sd_bus_message *m, BusSubtree *t, ApiId api, sd_bus_error *ret_error) {
        unsigned flags = 0;
        VbError err = { 0 };
        int r;
        if (api != API_DOMAIN_SUSPEND && api != API_DOMAIN_RESUME) {
                r = sd_bus_message_read(m, "u", &flags);
                if (r < 0)
                        return r;
        }
        Domain *d = bus_message_domain(m, t, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_lifecycle(d, api, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

static int method_create(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_CREATE_WITH_FLAGS, ret_error);
}
static int method_shutdown(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_SHUTDOWN_FLAGS, ret_error);
}
static int method_reboot(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_REBOOT, ret_error);
}
static int method_reset(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_RESET, ret_error);
}
static int method_destroy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_DESTROY_FLAGS, ret_error);
}
static int method_suspend(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_SUSPEND, ret_error);
}
static int method_resume(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return run_lifecycle(m, userdata, API_DOMAIN_RESUME, ret_error);
}

/* --- Synchronous methods --- */

static int method_undefine(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_undefine(d, flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        char *xml = d ? domain_get_xml(d, flags, &err) : NULL;
        return bus_reply_string_owned(m, xml, &err, ret_error);
}

static int method_get_state(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, 0, "virDomainGetState", ret_error);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "(ii)", (int32_t) d->state, (int32_t) d->reason);
}

/* virDomainGetVcpusFlags: LIVE=1, CONFIG=2, MAXIMUM=4 (GUEST=8 needs an agent). */
static int method_get_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        enum { VCPU_LIVE = 1, VCPU_CONFIG = 2, VCPU_MAXIMUM = 4 };
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        r = bus_check_flags(flags, VCPU_LIVE | VCPU_CONFIG | VCPU_MAXIMUM, "virDomainGetVcpusFlags", ret_error);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        const DomainDef *def;
        if ((flags & VCPU_LIVE) && (flags & VCPU_CONFIG)) {
                vb_error_set_raw(&err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                 "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive");
                return bus_error(ret_error, &err);
        }
        if (flags & VCPU_LIVE) {
                if (!domain_is_active(d)) {
                        vb_error_set(&err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
                        return bus_error(ret_error, &err);
                }
                def = d->live;
        } else if (flags & VCPU_CONFIG) {
                if (!d->persistent) {
                        vb_error_set(&err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                     "transient domains do not have any persistent config");
                        return bus_error(ret_error, &err);
                }
                def = d->def;
        } else {
                def = domain_current_def(d);
        }
        if (!def) {
                vb_error_set(&err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "domain '%s' has no definition",
                             d->obj.name);
                return bus_error(ret_error, &err);
        }
        return sd_bus_reply_method_return(m, "u", (uint32_t) ((flags & VCPU_MAXIMUM) ? def->vcpus : def->current_vcpus));
}

/* virDomainSetMemoryFlags: may finish later (the QEMU balloon command). */
static int method_set_memory(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint64_t kib;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "tu", &kib, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = domain_set_memory(d, kib, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

/* --- GetStats: typed parameters, each value double-wrapped as libvirt-dbus does --- */

static int append_param(sd_bus_message *reply, const char *key, char type, const void *value) {
        char sig[2] = { type, 0 };
        int r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "v");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', sig);
        if (r >= 0)
                r = sd_bus_message_append_basic(reply, type, value);
        for (int i = 0; r >= 0 && i < 3; i++)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int append_stat(const DomainStatParam *p, void *userdata) {
        sd_bus_message *reply = userdata;
        switch (p->type) {
        case DOMAIN_STAT_INT: return append_param(reply, p->key, 'i', &p->i);
        case DOMAIN_STAT_UINT: return append_param(reply, p->key, 'u', &p->u);
        case DOMAIN_STAT_LLONG: return append_param(reply, p->key, 'x', &p->ull);
        case DOMAIN_STAT_ULLONG: return append_param(reply, p->key, 't', &p->ull);
        case DOMAIN_STAT_STRING: return append_param(reply, p->key, 's', p->s);
        case DOMAIN_STAT_BOOLEAN: { int b = p->i != 0; return append_param(reply, p->key, 'b', &b); }
        }
        return -EINVAL;
}

int bus_append_stat_param(sd_bus_message *reply, const DomainStatParam *p) {
        return append_stat(p, reply);
}

/* libvirt-dbus's virtDBusUtilTypedParamsToGVariant: a{sv}, every value a variant in a variant. */
static int append_stats(sd_bus_message *reply, const DomainStats *st) {
        int r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = domain_stats_foreach(st, append_stat, reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int reply_stats(sd_bus_message *m, const void *st) {
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = append_stats(reply, st);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int method_get_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned stats, flags;
        VbError err = { 0 };
        DomainStats *st = NULL;
        int r = sd_bus_message_read(m, "uu", &stats, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_stats, false);
        if (!call)
                return -ENOMEM;
        r = domain_get_stats(d, stats, flags, call, &st, &err);
        r = bus_call_finish_reply(call, r, &err, st, ret_error);
        domain_stats_free(st);
        return r;
}

static int method_get_metadata(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int32_t type;
        const char *uri;
        unsigned flags;
        char *text = NULL;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "isu", &type, &uri, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_get_metadata(d, type, bus_empty_to_null(uri), flags, &text, &err) < 0)
                return bus_error(ret_error, &err);
        r = sd_bus_reply_method_return(m, "s", text ? text : "");
        free(text);
        return r;
}

static int method_set_metadata(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int32_t type;
        const char *text, *key, *uri;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "isssu", &type, &text, &key, &uri, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d || domain_set_metadata(d, type, bus_empty_to_null(text), bus_empty_to_null(key),
                                      bus_empty_to_null(uri), flags, &err) < 0)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, NULL);
}

/* virDomainScreenshot, which libvirt-dbus lacks: (screen, flags) → (mimetype, fd). The image
 * is written into the pipe whose read end the caller receives; its end of file ends the image. */
static int method_screenshot(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        unsigned screen, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &screen, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        Stream *st = NULL;
        char *mime = NULL;
        if (!d || domain_screenshot(d, screen, flags, &st, &mime, &err) < 0)
                return bus_error(ret_error, &err);
        int fd = -1;
        r = bus_stream_download_fd(t->conn->manager->event, st, &fd);
        if (r < 0) {
                vb_error_errno(&err, r, "screenshot stream");
                stream_abort(st, &err);
                r = bus_error(ret_error, &err);
        } else {
                r = sd_bus_reply_method_return(m, "sh", mime, fd);     /* sd-bus sends a duplicate */
                close(fd);
        }
        stream_unref(st);
        free(mime);
        return r;
}

/* virDomainOpenConsole, which libvirt-dbus lacks: (dev_name, flags) → fd, one end of a
 * stream socket pair: what the guest prints is read from it, what is written to it reaches
 * the guest. "" names the first console. */
static int method_open_console(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        const char *dev;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &dev, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, t, &err);
        Stream *out = NULL, *in = NULL;
        if (!d || domain_open_console(d, *dev ? dev : NULL, flags, &out, &in, &err) < 0)
                return bus_error(ret_error, &err);
        int fd = -1;
        r = bus_console_fd(t->conn->manager->event, out, in, &fd);
        if (r < 0) {
                vb_error_errno(&err, r, "console");
                stream_abort(out, &err);
                stream_abort(in, &err);
                r = bus_error(ret_error, &err);
        } else {
                r = sd_bus_reply_method_return(m, "h", fd);     /* sd-bus sends a duplicate */
                close(fd);
        }
        stream_unref(out);
        stream_unref(in);
        return r;
}

#define UNPRIV SD_BUS_VTABLE_UNPRIVILEGED
#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE

/* a(ssa(isu)): name, hwaddr, (type, addr, prefix) */
static int reply_interface_addresses(sd_bus_message *m, const void *result) {
        const DomainIfaceAddrsList *l = result;
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssa(isu))");
        for (size_t i = 0; r >= 0 && i < l->n; i++) {
                const DomainIfaceAddrs *a = &l->v[i];
                r = sd_bus_message_open_container(reply, 'r', "ssa(isu)");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "ss", a->name, a->hwaddr ? a->hwaddr : "");
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "(isu)");
                for (size_t j = 0; r >= 0 && j < a->n_leases; j++)
                        r = sd_bus_message_append(reply, "(isu)", a->leases[j].type, a->leases[j].ipaddr,
                                                  a->leases[j].prefix);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* virDomainInterfaceAddresses from the leases (now) or the guest agent (later), as the remote door. */
static int method_interface_addresses(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        uint32_t source, flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "uu", &source, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_interface_addresses, false);
        if (!call)
                return -ENOMEM;
        DomainIfaceAddrsList now = { 0 };
        r = domain_interface_addresses_call(d, source, flags, call, &now, &err);
        r = bus_call_finish_reply(call, r, &err, &now, ret_error);
        domain_iface_addrs_free(now.v, now.n);
        return r;
}

static const sd_bus_vtable domain_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Active", "b", bus_object_property_get, 0, CHANGES),
        SD_BUS_WRITABLE_PROPERTY("Autostart", "b", bus_object_property_get, bus_object_property_set_autostart, 0,
                                 CHANGES | UNPRIV),
        SD_BUS_PROPERTY("Id", "u", domain_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("Name", "s", bus_object_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("OSType", "s", domain_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("Persistent", "b", bus_object_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("SchedulerType", "(si)", domain_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("Updated", "b", domain_property_get, 0, CHANGES),
        SD_BUS_PROPERTY("UUID", "s", bus_object_property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_create, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_destroy, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetMemoryParameters", SD_BUS_ARGS("u", flags),
                                SD_BUS_RESULT("a{sv}", memoryParameters), bus_method_get_memory_parameters, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetMetadata", SD_BUS_ARGS("i", type, "s", uri, "u", flags),
                                SD_BUS_RESULT("s", metadata), method_get_metadata, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetState", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(ii)", state),
                                method_get_state, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetStats", SD_BUS_ARGS("u", stats, "u", flags), SD_BUS_RESULT("a{sv}", records),
                                method_get_stats, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetVcpus", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("u", vcpus),
                                method_get_vcpus, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml),
                                method_get_xml_desc, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("InterfaceAddresses", SD_BUS_ARGS("u", source, "u", flags),
                                SD_BUS_RESULT("a(ssa(isu))", ifaces), method_interface_addresses, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("HasManagedSaveImage", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("b", managedSaveImage),
                                bus_method_domain_has_managed_save_image, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ManagedSave", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_domain_managed_save,
                                UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("ManagedSaveRemove", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT,
                                bus_method_domain_managed_save_remove, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Save", SD_BUS_ARGS("s", to, "s", xml, "u", flags), SD_BUS_NO_RESULT,
                                bus_method_domain_save, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Reboot", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_reboot, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_reset, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_resume, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("OpenConsole", SD_BUS_ARGS("s", dev_name, "u", flags),
                                SD_BUS_RESULT("h", fd), method_open_console, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Screenshot", SD_BUS_ARGS("u", screen, "u", flags),
                                SD_BUS_RESULT("s", mimetype, "h", fd), method_screenshot, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("SetMemory", SD_BUS_ARGS("t", memory, "u", flags), SD_BUS_NO_RESULT,
                                method_set_memory, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("SetMemoryParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT,
                                bus_method_set_memory_parameters, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("SetMetadata",
                                SD_BUS_ARGS("i", type, "s", metadata, "s", key, "s", uri, "u", flags),
                                SD_BUS_NO_RESULT, method_set_metadata, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Shutdown", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_shutdown, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Suspend", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_suspend, UNPRIV),
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, method_undefine, UNPRIV),
        SD_BUS_SIGNAL_WITH_ARGS("MetadataChange", SD_BUS_ARGS("i", type, "s", nsuri), 0),
        SD_BUS_SIGNAL("Reboot", "", 0),
        BUS_DOMAIN_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

static const BusPropName domain_changes[] = {
        { PROP_ACTIVE, "Active" },
        { PROP_AUTOSTART, "Autostart" },
        { PROP_ID, "Id" },
        { PROP_NAME, "Name" },
        { PROP_OSTYPE, "OSType" },
        { PROP_PERSISTENT, "Persistent" },
        { PROP_SCHEDULER, "SchedulerType" },
        { PROP_UPDATED, "Updated" },
        { 0, NULL },
};

const BusKind bus_kind_domain = {
        .kind = OBJECT_DOMAIN,
        .interface = "org.libvirt.Domain",
        .vtable = domain_vtable,
        .changes = domain_changes,
        .exists = bus_object_exists,
        .enumerate = domain_enumerate,
        .state = &domain_state,
};
