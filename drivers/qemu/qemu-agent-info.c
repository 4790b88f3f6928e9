/* qemu-agent-info.c: virDomainGetGuestInfo through the guest agent: one qemu-ga command per information type, queued together, their answers turned into libvirt's typed parameters once the last has come. */
#define LOG_MODULE "qemu.agent"
#include "qemu-agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "domain.h"
#include "log.h"

/* libvirt's order of the types, and the command of each */
static const struct {
        unsigned type;
        const char *command;
} parts[] = {
        { DOMAIN_GUEST_INFO_USERS, "guest-get-users" },
        { DOMAIN_GUEST_INFO_OS, "guest-get-osinfo" },
        { DOMAIN_GUEST_INFO_TIMEZONE, "guest-get-timezone" },
        { DOMAIN_GUEST_INFO_HOSTNAME, "guest-get-host-name" },
        { DOMAIN_GUEST_INFO_FILESYSTEM, "guest-get-fsinfo" },
        { DOMAIN_GUEST_INFO_INTERFACES, "guest-network-get-interfaces" },
};
#define N_PARTS (sizeof parts / sizeof parts[0])

typedef struct InfoGather InfoGather;
typedef struct InfoPart {
        InfoGather *g;
        size_t idx;
} InfoPart;

struct InfoGather {
        Domain *d;
        Call *call;
        bool all;               /* types was 0: what the agent lacks is left out */
        size_t waiting;
        json_object *answer[N_PARTS];
        InfoPart part[N_PARTS];
        VbError err;            /* the first failure */
};

static const char *str_member(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : NULL;
}

static bool num_member(json_object *o, const char *key, json_object **v) {
        return json_object_object_get_ex(o, key, v) &&
               (json_object_is_type(*v, json_type_int) || json_object_is_type(*v, json_type_double));
}

static void add_users(DomainAgentParams *p, json_object *a) {
        size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
        char key[96];
        domain_agent_params_add_uint(p, "user.count", (unsigned) n);
        for (size_t i = 0; i < n; i++) {
                json_object *u = json_object_array_get_idx(a, i), *t;
                snprintf(key, sizeof key, "user.%zu.name", i);
                domain_agent_params_add_string(p, key, str_member(u, "user"));
                if (str_member(u, "domain")) {
                        snprintf(key, sizeof key, "user.%zu.domain", i);
                        domain_agent_params_add_string(p, key, str_member(u, "domain"));
                }
                if (num_member(u, "login-time", &t)) {
                        snprintf(key, sizeof key, "user.%zu.login-time", i);
                        domain_agent_params_add_ullong(p, key, (uint64_t) (json_object_get_double(t) * 1000));
                }
        }
}

static void add_os(DomainAgentParams *p, json_object *o) {
        static const char *const keys[] = { "id", "name", "pretty-name", "version", "version-id", "kernel-release",
                                            "kernel-version", "machine", "variant", "variant-id" };
        char key[96];
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
                if (!str_member(o, keys[i]))
                        continue;
                snprintf(key, sizeof key, "os.%s", keys[i]);
                domain_agent_params_add_string(p, key, str_member(o, keys[i]));
        }
}

static void add_timezone(DomainAgentParams *p, json_object *o) {
        json_object *off;
        if (str_member(o, "zone"))
                domain_agent_params_add_string(p, "timezone.name", str_member(o, "zone"));
        if (num_member(o, "offset", &off))
                domain_agent_params_add_int(p, "timezone.offset", json_object_get_int(off));
}

static void add_filesystems(DomainAgentParams *p, json_object *a) {
        size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
        char key[96];
        domain_agent_params_add_uint(p, "fs.count", (unsigned) n);
        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(a, i), *v, *disks;
                static const char *const strs[][2] = { { "mountpoint", "mountpoint" }, { "name", "name" },
                                                      { "type", "fstype" } };
                for (size_t k = 0; k < 3; k++) {
                        snprintf(key, sizeof key, "fs.%zu.%s", i, strs[k][1]);
                        domain_agent_params_add_string(p, key, str_member(f, strs[k][0]));
                }
                if (num_member(f, "total-bytes", &v)) {
                        snprintf(key, sizeof key, "fs.%zu.total-bytes", i);
                        domain_agent_params_add_ullong(p, key, (uint64_t) json_object_get_int64(v));
                }
                if (num_member(f, "used-bytes", &v)) {
                        snprintf(key, sizeof key, "fs.%zu.used-bytes", i);
                        domain_agent_params_add_ullong(p, key, (uint64_t) json_object_get_int64(v));
                }
                size_t nd = json_object_object_get_ex(f, "disk", &disks) && json_object_is_type(disks, json_type_array)
                            ? json_object_array_length(disks) : 0;
                snprintf(key, sizeof key, "fs.%zu.disk.count", i);
                domain_agent_params_add_uint(p, key, (unsigned) nd);
                for (size_t j = 0; j < nd; j++) {
                        json_object *dk = json_object_array_get_idx(disks, j);
                        if (str_member(dk, "serial")) {
                                snprintf(key, sizeof key, "fs.%zu.disk.%zu.serial", i, j);
                                domain_agent_params_add_string(p, key, str_member(dk, "serial"));
                        }
                        if (str_member(dk, "dev")) {
                                snprintf(key, sizeof key, "fs.%zu.disk.%zu.device", i, j);
                                domain_agent_params_add_string(p, key, str_member(dk, "dev"));
                        }
                }
        }
}

static void add_interfaces(DomainAgentParams *p, json_object *a) {
        size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
        char key[96];
        domain_agent_params_add_uint(p, "if.count", (unsigned) n);
        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(a, i), *addrs, *prefix;
                snprintf(key, sizeof key, "if.%zu.name", i);
                domain_agent_params_add_string(p, key, str_member(f, "name"));
                if (str_member(f, "hardware-address")) {
                        snprintf(key, sizeof key, "if.%zu.hwaddr", i);
                        domain_agent_params_add_string(p, key, str_member(f, "hardware-address"));
                }
                size_t na = json_object_object_get_ex(f, "ip-addresses", &addrs) &&
                            json_object_is_type(addrs, json_type_array) ? json_object_array_length(addrs) : 0;
                snprintf(key, sizeof key, "if.%zu.addr.count", i);
                domain_agent_params_add_uint(p, key, (unsigned) na);
                for (size_t j = 0; j < na; j++) {
                        json_object *ad = json_object_array_get_idx(addrs, j);
                        snprintf(key, sizeof key, "if.%zu.addr.%zu.type", i, j);
                        domain_agent_params_add_string(p, key, str_member(ad, "ip-address-type"));
                        snprintf(key, sizeof key, "if.%zu.addr.%zu.addr", i, j);
                        domain_agent_params_add_string(p, key, str_member(ad, "ip-address"));
                        if (json_object_object_get_ex(ad, "prefix", &prefix)) {
                                snprintf(key, sizeof key, "if.%zu.addr.%zu.prefix", i, j);
                                domain_agent_params_add_uint(p, key, (unsigned) json_object_get_int(prefix));
                        }
                }
        }
}

static void gather_free(InfoGather *g) {
        for (size_t i = 0; i < N_PARTS; i++)
                json_object_put(g->answer[i]);
        call_unref(g->call);
        domain_unref(g->d);
        free(g);
}

static void gather_finish(InfoGather *g) {
        if (g->err.code) {
                call_complete(g->call, -1, &g->err, NULL);
        } else {
                DomainAgentParams p = { 0 };
                for (size_t i = 0; i < N_PARTS; i++) {
                        json_object *a = g->answer[i];
                        if (!a)
                                continue;
                        switch (parts[i].type) {
                        case DOMAIN_GUEST_INFO_USERS: add_users(&p, a); break;
                        case DOMAIN_GUEST_INFO_OS: add_os(&p, a); break;
                        case DOMAIN_GUEST_INFO_TIMEZONE: add_timezone(&p, a); break;
                        case DOMAIN_GUEST_INFO_HOSTNAME:
                                domain_agent_params_add_string(&p, "hostname", str_member(a, "host-name"));
                                break;
                        case DOMAIN_GUEST_INFO_FILESYSTEM: add_filesystems(&p, a); break;
                        case DOMAIN_GUEST_INFO_INTERFACES: add_interfaces(&p, a); break;
                        }
                }
                if (p.failed) {
                        VbError e = { 0 };
                        vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                                     "the guest's information does not fit in %u typed parameters",
                                     DOMAIN_GUEST_INFO_PARAMS_MAX);
                        call_complete(g->call, -1, &e, NULL);
                } else {
                        call_complete(g->call, 0, NULL, &p);
                }
                domain_agent_params_free(&p);
        }
        gather_free(g);
}

static void on_part(Agent *a, json_object *ret, const char *cls, const char *desc, void *userdata) {
        InfoPart *part = userdata;
        InfoGather *g = part->g;
        if (!cls) {
                g->answer[part->idx] = json_object_get(ret);
        } else if (g->all && strcmp(cls, "CommandNotFound") == 0) {
                log_debug("domain %s: the guest agent has no %s", g->d->obj.name, parts[part->idx].command);
        } else if (!g->err.code) {
                qemu_agent_error(&g->err, parts[part->idx].command, cls, desc);
        }
        if (--g->waiting == 0)
                gather_finish(g);
}

int qemu_agent_guest_info(Domain *d, unsigned types, Call *call, VbError *err) {
        QemuDomain *qd = d->driver_data;
        if (types & DOMAIN_GUEST_INFO_DISKS)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_QEMU,
                                    "guest information type 'disks' is not supported by this connection");
        if (qemu_agent_available(qd, err) < 0)
                return -1;
        InfoGather *g = calloc(1, sizeof *g);
        if (!g)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        g->d = domain_ref(d);
        g->call = call_ref(call);
        g->all = types == 0;
        g->waiting = 1;         /* held until every command is queued */
        for (size_t i = 0; i < N_PARTS; i++) {
                if (!g->all && !(types & parts[i].type))
                        continue;
                g->part[i] = (InfoPart) { .g = g, .idx = i };
                json_object *cmd = json_object_new_object();
                json_object_object_add(cmd, "execute", json_object_new_string(parts[i].command));
                VbError e = { 0 };
                if (qemu_agent_send(qd, cmd, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, on_part, &g->part[i], &e) < 0) {
                        if (!g->err.code)
                                g->err = e;
                        break;
                }
                g->waiting++;
        }
        if (--g->waiting == 0) {        /* nothing went out: answer now */
                int r = g->err.code ? -1 : 0;
                if (r < 0)
                        *err = g->err;
                else
                        vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_QEMU, "no guest information type was asked for");
                gather_free(g);
                return -1;
        }
        return VERB_PENDING;
}
