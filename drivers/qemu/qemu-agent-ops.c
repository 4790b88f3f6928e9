/* qemu-agent-ops.c: the QEMU connection's DomainAgentOps: each verb one qemu-ga command (or a QMP command passed through), answered later through its Call with libvirt's result. */
#define LOG_MODULE "qemu.agent"
#include "qemu-agent.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain-ifaddr.h"
#include "log.h"

#define AGENT_SHUTDOWN_TIMEOUT 60      /* VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN */
#define AGENT_JSON_DEPTH 64

typedef enum AgentVerb {
        VERB_RAW,               /* QemuAgentCommand: the whole answer as JSON text */
        VERB_HOSTNAME,
        VERB_GET_TIME,
        VERB_VOID,              /* nothing to return */
        VERB_COUNT,             /* an int (fsfreeze/thaw) */
        VERB_SHUTDOWN,          /* the domain's job ends with it */
        VERB_IFADDRS,           /* guest-network-get-interfaces as a DomainIfaceAddrsList */
        VERB_FSINFO,            /* guest-get-fsinfo as a DomainFSInfoList */
} AgentVerb;

typedef struct AgentCtx {
        Domain *d;
        Call *call;
        AgentVerb verb;
        char what[48];          /* the command, for messages */
} AgentCtx;

static AgentCtx *ctx_new(Domain *d, Call *call, AgentVerb verb, const char *what) {
        AgentCtx *x = calloc(1, sizeof *x);
        if (!x)
                return NULL;
        x->d = domain_ref(d);
        x->call = call_ref(call);
        x->verb = verb;
        snprintf(x->what, sizeof x->what, "%s", what);
        return x;
}

static void ctx_free(AgentCtx *x) {
        call_unref(x->call);
        domain_unref(x->d);
        free(x);
}

static void ctx_done(AgentCtx *x, int r, const VbError *err, void *result) {
        if (x->verb == VERB_SHUTDOWN) {
                QemuDomain *qd = x->d->driver_data;
                if (qd && qd->job)
                        qemu_domain_finish(qd, r, err);
        } else {
                call_complete(x->call, r, err, result);
        }
        ctx_free(x);
}

#define IFADDRS_MAX 2048            /* REMOTE_DOMAIN_INTERFACE_MAX */
#define IFADDRS_ADDRS_MAX 2048      /* REMOTE_DOMAIN_IP_ADDR_MAX */

static char *dup_member(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

/* [{"name", "hardware-address", "ip-addresses": [{"ip-address-type", "ip-address", "prefix"}]}] */
static int ifaddrs_parse(json_object *ret, DomainIfaceAddrsList *l, VbError *err) {
        if (!ret || !json_object_is_type(ret, json_type_array))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "qemu agent didn't return an array of interfaces");
        size_t n = json_object_array_length(ret);
        if (n > IFADDRS_MAX)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "the guest has too many interfaces (%zu)", n);
        l->v = calloc(n ? n : 1, sizeof *l->v);
        if (!l->v)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(ret, i), *addrs;
                DomainIfaceAddrs *a = &l->v[l->n];
                a->name = dup_member(o, "name");
                if (!a->name)
                        continue;       /* libvirt wants a name; an entry without one says nothing */
                l->n++;
                a->hwaddr = dup_member(o, "hardware-address");
                if (!json_object_object_get_ex(o, "ip-addresses", &addrs) || !json_object_is_type(addrs, json_type_array))
                        continue;
                size_t m = json_object_array_length(addrs);
                if (m > IFADDRS_ADDRS_MAX)
                        m = IFADDRS_ADDRS_MAX;
                a->leases = calloc(m ? m : 1, sizeof *a->leases);
                if (!a->leases)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                for (size_t j = 0; j < m; j++) {
                        json_object *ad = json_object_array_get_idx(addrs, j), *prefix;
                        char *type = dup_member(ad, "ip-address-type");
                        NetworkLease *ls = &a->leases[a->n_leases];
                        ls->ipaddr = dup_member(ad, "ip-address");
                        if (!type || !ls->ipaddr || (strcmp(type, "ipv4") != 0 && strcmp(type, "ipv6") != 0)) {
                                free(type);
                                free(ls->ipaddr);
                                ls->ipaddr = NULL;
                                continue;
                        }
                        ls->type = strcmp(type, "ipv4") == 0 ? NETWORK_LEASE_IPV4 : NETWORK_LEASE_IPV6;
                        free(type);
                        if (json_object_object_get_ex(ad, "prefix", &prefix))
                                ls->prefix = (unsigned) json_object_get_int(prefix);
                        a->n_leases++;
                }
        }
        return 0;
}

/* [{"name", "mountpoint", "type", "disk": [{"dev": "/dev/vda", …}]}]: the disks as the
 * guest's device names, which are the targets of virtio and SCSI disks ("vda"). */
static int fsinfo_parse(json_object *ret, DomainFSInfoList *l, VbError *err) {
        if (!ret || !json_object_is_type(ret, json_type_array))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "qemu agent didn't return an array of filesystems");
        size_t n = json_object_array_length(ret);
        if (n > DOMAIN_FSINFO_MAX)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "the guest has too many filesystems (%zu)", n);
        l->v = calloc(n ? n : 1, sizeof *l->v);
        if (!l->v)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(ret, i), *disks;
                DomainFSInfo *f = &l->v[l->n++];
                f->mountpoint = dup_member(o, "mountpoint");
                f->name = dup_member(o, "name");
                f->fstype = dup_member(o, "type");
                if (!f->mountpoint || !f->name || !f->fstype)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                            "malformed return value for 'guest-get-fsinfo'");
                size_t nd = json_object_object_get_ex(o, "disk", &disks) && json_object_is_type(disks, json_type_array)
                            ? json_object_array_length(disks) : 0;
                if (nd > DOMAIN_FSINFO_DISKS_MAX)
                        nd = DOMAIN_FSINFO_DISKS_MAX;
                f->aliases = calloc(nd ? nd : 1, sizeof *f->aliases);
                if (!f->aliases)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                for (size_t j = 0; j < nd; j++) {
                        char *dev = dup_member(json_object_array_get_idx(disks, j), "dev");
                        if (dev && strncmp(dev, "/dev/", 5) == 0)
                                memmove(dev, dev + 5, strlen(dev + 5) + 1);
                        if (dev)
                                f->aliases[f->n_aliases++] = dev;
                }
        }
        return 0;
}

static void on_agent_reply(Agent *a, json_object *ret, const char *cls, const char *desc, void *userdata) {
        AgentCtx *x = userdata;
        VbError e = { 0 };
        if (cls) {
                qemu_agent_error(&e, x->what, cls, desc);
                ctx_done(x, -1, &e, NULL);
                return;
        }
        switch (x->verb) {
        case VERB_RAW: {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "return", json_object_get(ret));
                const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
                char *text = s ? strdup(s) : NULL;
                json_object_put(o);
                if (!text) {
                        vb_error_set(&e, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                        ctx_done(x, -1, &e, NULL);
                } else {
                        ctx_done(x, 0, NULL, text);
                        free(text);
                }
                return;
        }
        case VERB_HOSTNAME: {
                json_object *h;
                if (!ret || !json_object_object_get_ex(ret, "host-name", &h) || !json_object_is_type(h, json_type_string)) {
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                     "malformed return value for 'guest-get-host-name'");
                        ctx_done(x, -1, &e, NULL);
                        return;
                }
                ctx_done(x, 0, NULL, (void *) json_object_get_string(h));
                return;
        }
        case VERB_GET_TIME: {
                if (!ret || !json_object_is_type(ret, json_type_int)) {
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "malformed return value");
                        ctx_done(x, -1, &e, NULL);
                        return;
                }
                int64_t ns = json_object_get_int64(ret);
                DomainTime t = { .seconds = ns / 1000000000, .nseconds = (unsigned) (ns % 1000000000) };
                ctx_done(x, 0, NULL, &t);
                return;
        }
        case VERB_COUNT: {
                int n = ret && json_object_is_type(ret, json_type_int) ? json_object_get_int(ret) : -1;
                if (n < 0) {
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "malformed return value");
                        ctx_done(x, -1, &e, NULL);
                        return;
                }
                ctx_done(x, 0, NULL, &n);
                return;
        }
        case VERB_IFADDRS: {
                DomainIfaceAddrsList l = { 0 };
                if (ifaddrs_parse(ret, &l, &e) < 0) {
                        domain_iface_addrs_free(l.v, l.n);
                        ctx_done(x, -1, &e, NULL);
                        return;
                }
                ctx_done(x, 0, NULL, &l);
                domain_iface_addrs_free(l.v, l.n);
                return;
        }
        case VERB_FSINFO: {
                DomainFSInfoList l = { 0 };
                if (fsinfo_parse(ret, &l, &e) < 0) {
                        domain_fsinfo_list_free(&l);
                        ctx_done(x, -1, &e, NULL);
                        return;
                }
                ctx_done(x, 0, NULL, &l);
                domain_fsinfo_list_free(&l);
                return;
        }
        case VERB_VOID:
        case VERB_SHUTDOWN:
                ctx_done(x, 0, NULL, NULL);
                return;
        }
}

/* Send execute(args) for verb; VERB_PENDING or -1. */
static int agent_call(Domain *d, const char *execute, json_object *args, int timeout, unsigned flags, AgentVerb verb,
                      Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        json_object *cmd = json_object_new_object();
        AgentCtx *x = cmd ? ctx_new(d, call, verb, execute) : NULL;
        if (!x) {
                json_object_put(cmd);
                json_object_put(args);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        json_object_object_add(cmd, "execute", json_object_new_string(execute));
        if (args)
                json_object_object_add(cmd, "arguments", args);
        if (qemu_agent_send(qd, cmd, timeout, flags, on_agent_reply, x, err) < 0) {
                ctx_free(x);
                return -1;
        }
        return VERB_PENDING;
}

static json_object *parse_json(const char *text) {
        json_tokener *tok = json_tokener_new_ex(AGENT_JSON_DEPTH);
        if (!tok)
                return NULL;
        json_object *o = json_tokener_parse_ex(tok, text, (int) strlen(text));
        if (json_tokener_get_error(tok) != json_tokener_success) {
                json_object_put(o);
                o = NULL;
        }
        json_tokener_free(tok);
        return o;
}

/* virDomainQemuAgentCommand: the text as given, once it is a JSON object with "execute". */
static int op_command(Domain *d, const char *cmd, int timeout, Call *call, VbError *err) {
        json_object *o = parse_json(cmd), *ex = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "execute", &ex) ||
            !json_object_is_type(ex, json_type_string)) {
                json_object_put(o);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                    "cannot parse json %s: not a JSON object with an \"execute\" member", cmd);
        }
        QemuDomain *qd = d->driver_data;
        AgentCtx *x = ctx_new(d, call, VERB_RAW, json_object_get_string(ex));
        if (!x) {
                json_object_put(o);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        if (qemu_agent_send(qd, o, timeout, 0, on_agent_reply, x, err) < 0) {
                ctx_free(x);
                return -1;
        }
        return VERB_PENDING;
}

/* ---- the monitor, passed through ---- */

static void on_monitor_reply(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        AgentCtx *x = userdata;
        if (cls && strcmp(cls, "Disconnected") == 0) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "QEMU monitor closed: %s", desc ? desc : "");
                ctx_done(x, -1, &e, NULL);
                return;
        }
        char *text = NULL;
        if (x->verb == VERB_VOID) {     /* HMP: the command's output, as text */
                text = strdup(cls ? (desc ? desc : cls) : (ret && json_object_is_type(ret, json_type_string)
                                                                  ? json_object_get_string(ret) : ""));
        } else {                        /* QMP: the answer, an error included, as libvirt returns it */
                json_object *o = json_object_new_object();
                if (cls) {
                        json_object *e = json_object_new_object();
                        json_object_object_add(e, "class", json_object_new_string(cls));
                        json_object_object_add(e, "desc", json_object_new_string(desc ? desc : ""));
                        json_object_object_add(o, "error", e);
                } else {
                        json_object_object_add(o, "return", ret ? json_object_get(ret) : json_object_new_object());
                }
                const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
                text = s ? strdup(s) : NULL;
                json_object_put(o);
        }
        if (!text) {
                VbError e = { 0 };
                vb_error_set(&e, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
                ctx_done(x, -1, &e, NULL);
                return;
        }
        ctx_done(x, 0, NULL, text);
        free(text);
}

static int op_monitor_command(Domain *d, const char *cmd, bool hmp, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (!qd || !qd->qmp || !qmp_is_ready(qd->qmp))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                    "the QEMU monitor of domain '%s' is not available", d->obj.name);
        const char *execute;
        json_object *args = NULL, *o = NULL, *ex = NULL;
        if (hmp) {
                execute = "human-monitor-command";
                args = json_object_new_object();
                json_object_object_add(args, "command-line", json_object_new_string(cmd));
        } else {
                o = parse_json(cmd);
                if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "execute", &ex) ||
                    !json_object_is_type(ex, json_type_string)) {
                        json_object_put(o);
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                            "cannot parse json %s: not a JSON object with an \"execute\" member", cmd);
                }
                execute = json_object_get_string(ex);
                json_object *a;
                if (json_object_object_get_ex(o, "arguments", &a))
                        args = json_object_get(a);
                /* The daemon negotiates the monitor once; a client's own would only fail. */
                if (strcmp(execute, "qmp_capabilities") == 0) {
                        json_object_put(args);
                        json_object_put(o);
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU,
                                            "the monitor's capabilities are negotiated by the daemon");
                }
        }
        AgentCtx *x = ctx_new(d, call, hmp ? VERB_VOID : VERB_RAW, execute);
        json_object_put(o);     /* execute is copied into x->what before o goes */
        if (!x) {
                json_object_put(args);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        int r = qmp_send(qd->qmp, x->what, args, on_monitor_reply, x);
        if (r < 0) {
                ctx_free(x);
                return vb_error_errno(err, r, "QEMU monitor");
        }
        log_info("domain %s: monitor command '%s' passed through for a client", d->obj.name, x->what);
        return VERB_PENDING;
}

/* ---- the verbs ---- */

static int op_set_response_timeout(Domain *d, int timeout, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (qemu_agent_set_timeout(qd, timeout) < 0) {
                /* No agent channel or not running: libvirt keeps it for the next start; so do we
                 * not, as the state lives with the connection to the agent. */
                if (!qd || qd->phase == QEMU_PHASE_NONE)
                        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "domain is not running");
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_QEMU,
                                    "QEMU guest agent is not configured");
        }
        return 0;
}

static int op_hostname(Domain *d, Call *call, VbError *err) {
        return agent_call(d, "guest-get-host-name", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_HOSTNAME, call, err);
}

static int op_get_time(Domain *d, Call *call, VbError *err) {
        return agent_call(d, "guest-get-time", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_GET_TIME, call, err);
}

static int op_set_time(Domain *d, const DomainTime *t, Call *call, VbError *err) {
        json_object *args = NULL;
        if (t) {
                /* nanoseconds in a long long, as the agent takes them */
                if (t->seconds < 0 || t->seconds > (INT64_MAX - 999999999) / 1000000000)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU,
                                            "Time '%lld' is too big for guest agent", (long long) t->seconds);
                args = json_object_new_object();
                json_object_object_add(args, "time",
                                       json_object_new_int64(t->seconds * 1000000000 + (int64_t) t->nseconds));
        }
        return agent_call(d, "guest-set-time", args, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_VOID, call, err);
}

static int op_fs_freeze(Domain *d, const char *const *mounts, size_t n, bool thaw, Call *call, VbError *err) {
        if (thaw)
                return agent_call(d, "guest-fsfreeze-thaw", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_COUNT, call, err);
        if (!mounts)
                return agent_call(d, "guest-fsfreeze-freeze", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_COUNT, call,
                                  err);
        json_object *args = json_object_new_object(), *list = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(list, json_object_new_string(mounts[i]));
        json_object_object_add(args, "mountpoints", list);
        return agent_call(d, "guest-fsfreeze-freeze-list", args, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_COUNT, call, err);
}

static int op_fs_trim(Domain *d, const char *mount, uint64_t minimum, Call *call, VbError *err) {
        json_object *args = json_object_new_object();
        json_object_object_add(args, "minimum", json_object_new_int64((int64_t) minimum));
        return agent_call(d, "guest-fstrim", args, DOMAIN_AGENT_TIMEOUT_BLOCK, 0, VERB_VOID, call, err);
}

static char *base64(const char *s) {
        static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t n = strlen(s);
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) (unsigned char) s[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t) (unsigned char) s[i + 1] << 8;
                if (i + 2 < n)
                        v |= (unsigned char) s[i + 2];
                *o++ = tab[(v >> 18) & 63];
                *o++ = tab[(v >> 12) & 63];
                *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
                *o++ = i + 2 < n ? tab[v & 63] : '=';
        }
        *o = '\0';
        return out;
}

static int op_set_user_password(Domain *d, const char *user, const char *password, bool crypted, Call *call,
                                VbError *err) {
        char *b64 = base64(password);
        if (!b64)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        json_object *args = json_object_new_object();
        json_object_object_add(args, "username", json_object_new_string(user));
        json_object_object_add(args, "password", json_object_new_string(b64));
        json_object_object_add(args, "crypted", json_object_new_boolean(crypted));
        free(b64);
        return agent_call(d, "guest-set-user-password", args, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_VOID, call, err);
}

static int op_fs_info(Domain *d, Call *call, VbError *err) {
        return agent_call(d, "guest-get-fsinfo", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_FSINFO, call, err);
}

static int op_interface_addresses(Domain *d, Call *call, VbError *err) {
        return agent_call(d, "guest-network-get-interfaces", NULL, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, VERB_IFADDRS, call,
                          err);
}

/* The domain's job is the core's (domain_lifecycle); it ends when the agent took the command. */
int qemu_agent_shutdown(Domain *d, bool reboot, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        json_object *args = json_object_new_object();
        json_object_object_add(args, "mode", json_object_new_string(reboot ? "reboot" : "powerdown"));
        int r = agent_call(d, "guest-shutdown", args, AGENT_SHUTDOWN_TIMEOUT, AGENT_SEND_NO_REPLY, VERB_SHUTDOWN, NULL,
                           err);
        if (r == VERB_PENDING)
                qemu_domain_pending(qd, call);
        return r;
}

const DomainAgentOps qemu_agent_ops = {
        .command = op_command,
        .monitor_command = op_monitor_command,
        .set_response_timeout = op_set_response_timeout,
        .hostname = op_hostname,
        .get_time = op_get_time,
        .set_time = op_set_time,
        .fs_freeze = op_fs_freeze,
        .fs_trim = op_fs_trim,
        .set_user_password = op_set_user_password,
        .interface_addresses = op_interface_addresses,
        .guest_info = qemu_agent_guest_info,
        .fs_info = op_fs_info,
        .get_guest_vcpus = qemu_agent_get_guest_vcpus,
        .set_guest_vcpus = qemu_agent_set_guest_vcpus,
        .ssh_keys_get = qemu_agent_ssh_keys_get,
        .ssh_keys_set = qemu_agent_ssh_keys_set,
};
