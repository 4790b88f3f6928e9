/* qemu-agent-vcpus.c: the guest agent's vCPUs (guest-get-vcpus / guest-set-vcpus, virsh guestvcpus) and a guest user's authorized SSH keys (guest-ssh-*-authorized-keys, virsh get-user-sshkeys / set-user-sshkeys). */
#define LOG_MODULE "qemu.agent"
#include "qemu-agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cpumap.h"
#include "domain.h"
#include "log.h"

#define GUEST_VCPUS_MAX DOMAIN_GUEST_VCPU_MAX_ID

typedef enum VcpuStep {
        STEP_GET,               /* virDomainGetGuestVcpus: guest-get-vcpus answers */
        STEP_SET_READ,          /* SetGuestVcpus: the guest's vCPUs, before changing them */
        STEP_SET_WRITE,         /* SetGuestVcpus: guest-set-vcpus answers how many it changed */
        STEP_SSH_GET,
        STEP_SSH_SET,
} VcpuStep;

typedef struct VcpuCtx {
        Domain *d;
        Call *call;
        VcpuStep step;
        const char *what;
        bool online;
        uint8_t map[GUEST_VCPUS_MAX / 8];       /* the vCPUs asked for */
        json_object *todo;                      /* guest-set-vcpus' list not yet done */
} VcpuCtx;

static void ctx_free(VcpuCtx *x) {
        json_object_put(x->todo);
        call_unref(x->call);
        domain_unref(x->d);
        free(x);
}

static void ctx_done(VcpuCtx *x, int r, const VbError *err, void *result) {
        call_complete(x->call, r, err, result);
        ctx_free(x);
}

static void ctx_fail(VcpuCtx *x, VbErrorCode code, const char *fmt, const char *arg) {
        VbError e = { 0 };
        vb_error_set(&e, code, VB_FROM_QEMU, fmt, arg);
        ctx_done(x, -1, &e, NULL);
}

static void on_reply(Agent *a, json_object *ret, const char *cls, const char *desc, void *userdata);

static int send_cmd(VcpuCtx *x, const char *execute, json_object *args, VbError *err) {
        json_object *cmd = json_object_new_object();
        if (!x->d->driver_data) {       /* QEMU went away between two steps */
                json_object_put(cmd);
                json_object_put(args);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
        }
        if (!cmd) {
                json_object_put(args);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        x->what = execute;
        json_object_object_add(cmd, "execute", json_object_new_string(execute));
        if (args)
                json_object_object_add(cmd, "arguments", args);
        return qemu_agent_send(x->d->driver_data, cmd, DOMAIN_AGENT_TIMEOUT_DEFAULT, 0, on_reply, x, err);
}

/* guest-set-vcpus with the list not done yet */
static int send_set(VcpuCtx *x, VbError *err) {
        json_object *args = json_object_new_object();
        if (args)
                json_object_object_add(args, "vcpus", json_object_get(x->todo));
        x->step = STEP_SET_WRITE;
        return send_cmd(x, "guest-set-vcpus", args, err);
}

/* Start a step (map: the vCPUs SetGuestVcpus names, or NULL); VERB_PENDING, or -1 with err. */
static int start(Domain *d, Call *call, VcpuStep step, const char *execute, json_object *args, const uint8_t *map,
                 size_t maplen, bool online, VbError *err) {
        VcpuCtx *x = calloc(1, sizeof *x);
        if (!x) {
                json_object_put(args);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        }
        x->d = domain_ref(d);
        x->call = call_ref(call);
        x->step = step;
        x->online = online;
        if (map)
                memcpy(x->map, map, maplen < sizeof x->map ? maplen : sizeof x->map);
        if (send_cmd(x, execute, args, err) < 0) {
                ctx_free(x);
                return -1;
        }
        return VERB_PENDING;
}

static bool vcpu_entry(json_object *o, unsigned *id, bool *online, bool *can_offline) {
        json_object *v;
        if (!json_object_object_get_ex(o, "logical-id", &v) || !json_object_is_type(v, json_type_int))
                return false;
        int64_t n = json_object_get_int64(v);
        if (n < 0 || n >= GUEST_VCPUS_MAX)
                return false;
        *id = (unsigned) n;
        *online = json_object_object_get_ex(o, "online", &v) && json_object_get_boolean(v);
        *can_offline = json_object_object_get_ex(o, "can-offline", &v) && json_object_get_boolean(v);
        return true;
}

static void set_bit(uint8_t *map, unsigned i) {
        map[i / 8] |= (uint8_t) (1u << (i % 8));
}

static bool has_bit(const uint8_t *map, unsigned i) {
        return map[i / 8] & (1u << (i % 8));
}

/* guest-get-vcpus' list as libvirt's three bitmaps */
static void answer_get(VcpuCtx *x, json_object *ret) {
        uint8_t all[GUEST_VCPUS_MAX / 8] = { 0 }, on[sizeof all] = { 0 }, off[sizeof all] = { 0 };
        size_t n = json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        if (!ret || !json_object_is_type(ret, json_type_array) || n > GUEST_VCPUS_MAX)
                return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "guest agent didn't return an array of vCPUs");
        for (size_t i = 0; i < n; i++) {
                unsigned id;
                bool online, can_offline;
                if (!vcpu_entry(json_object_array_get_idx(ret, i), &id, &online, &can_offline))
                        return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "'logical-id' missing in reply of guest-get-vcpus");
                set_bit(all, id);
                if (online)
                        set_bit(on, id);
                if (can_offline)
                        set_bit(off, id);
        }
        DomainAgentParams p = { 0 };
        char *s[3] = { cpumap_format(all, sizeof all), cpumap_format(on, sizeof on), cpumap_format(off, sizeof off) };
        domain_agent_params_add_string(&p, "vcpus", s[0]);
        domain_agent_params_add_string(&p, "online", s[1]);
        domain_agent_params_add_string(&p, "offlinable", s[2]);
        for (size_t i = 0; i < 3; i++)
                free(s[i]);
        if (p.failed) {
                domain_agent_params_free(&p);
                return ctx_fail(x, VB_ERR_NO_MEMORY, "%s", "out of memory");
        }
        ctx_done(x, 0, NULL, &p);
        domain_agent_params_free(&p);
}

/* libvirt's order: a vCPU asked to go offline that cannot is refused, then one the guest
 * lacks; only the vCPUs whose state changes are sent. */
static void answer_set_read(VcpuCtx *x, json_object *ret) {
        uint8_t left[sizeof x->map];
        memcpy(left, x->map, sizeof left);
        size_t n = ret && json_object_is_type(ret, json_type_array) ? json_object_array_length(ret) : 0;
        if (!ret || !json_object_is_type(ret, json_type_array) || n > GUEST_VCPUS_MAX)
                return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "guest agent didn't return an array of vCPUs");
        x->todo = json_object_new_array();
        for (size_t i = 0; x->todo && i < n; i++) {
                unsigned id;
                bool online, can_offline;
                if (!vcpu_entry(json_object_array_get_idx(ret, i), &id, &online, &can_offline))
                        return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "'logical-id' missing in reply of guest-get-vcpus");
                if (!has_bit(x->map, id))
                        continue;
                if (!x->online && !can_offline) {
                        char num[16];
                        snprintf(num, sizeof num, "%u", id);
                        return ctx_fail(x, VB_ERR_OPERATION_UNSUPPORTED, "vCPU '%s' is not offlinable", num);
                }
                left[id / 8] &= (uint8_t) ~(1u << (id % 8));
                if (online == x->online)
                        continue;
                json_object *e = json_object_new_object();
                json_object_object_add(e, "logical-id", json_object_new_int64(id));
                json_object_object_add(e, "online", json_object_new_boolean(x->online));
                json_object_array_add(x->todo, e);
        }
        if (!x->todo)
                return ctx_fail(x, VB_ERR_NO_MEMORY, "%s", "out of memory");
        if (cpumap_count(left, sizeof left)) {
                char *missing = cpumap_format(left, sizeof left);
                ctx_fail(x, VB_ERR_INVALID_ARG, "guest is missing vCPUs '%s'", missing ? missing : "");
                free(missing);
                return;
        }
        if (json_object_array_length(x->todo) == 0)
                return ctx_done(x, 0, NULL, NULL);
        VbError e = { 0 };
        if (send_set(x, &e) < 0)
                ctx_done(x, -1, &e, NULL);
}

static void answer_set_write(VcpuCtx *x, json_object *ret) {
        size_t asked = json_object_array_length(x->todo);
        int64_t done = ret && json_object_is_type(ret, json_type_int) ? json_object_get_int64(ret) : -1;
        if (done <= 0 || (size_t) done > asked)
                return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "guest agent returned malformed or invalid return value");
        if ((size_t) done == asked)
                return ctx_done(x, 0, NULL, NULL);
        /* the agent stops at the first vCPU it could not change: the rest again */
        json_object *rest = json_object_new_array();
        for (size_t i = (size_t) done; rest && i < asked; i++)
                json_object_array_add(rest, json_object_get(json_object_array_get_idx(x->todo, i)));
        json_object_put(x->todo);
        x->todo = rest;
        VbError e = { 0 };
        if (!rest)
                return ctx_fail(x, VB_ERR_NO_MEMORY, "%s", "out of memory");
        if (send_set(x, &e) < 0)
                ctx_done(x, -1, &e, NULL);
}

static void answer_ssh_get(VcpuCtx *x, json_object *ret) {
        json_object *keys;
        if (!ret || !json_object_object_get_ex(ret, "keys", &keys) || !json_object_is_type(keys, json_type_array))
                return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "malformed return value for 'guest-ssh-get-authorized-keys'");
        size_t n = json_object_array_length(keys);
        if (n > DOMAIN_SSH_KEYS_MAX)
                return ctx_fail(x, VB_ERR_INTERNAL_ERROR, "%s", "the guest user has too many authorized keys");
        DomainAgentStrings l = { .v = calloc(n ? n : 1, sizeof *l.v) };
        for (size_t i = 0; l.v && i < n; i++) {
                json_object *k = json_object_array_get_idx(keys, i);
                if (json_object_is_type(k, json_type_string) && (l.v[l.n] = strdup(json_object_get_string(k))))
                        l.n++;
        }
        if (!l.v)
                return ctx_fail(x, VB_ERR_NO_MEMORY, "%s", "out of memory");
        ctx_done(x, 0, NULL, &l);
        domain_agent_strings_free(&l);
}

static void on_reply(Agent *a, json_object *ret, const char *cls, const char *desc, void *userdata) {
        VcpuCtx *x = userdata;
        if (cls) {
                VbError e = { 0 };
                qemu_agent_error(&e, x->what, cls, desc);
                ctx_done(x, -1, &e, NULL);
                return;
        }
        switch (x->step) {
        case STEP_GET: answer_get(x, ret); break;
        case STEP_SET_READ: answer_set_read(x, ret); break;
        case STEP_SET_WRITE: answer_set_write(x, ret); break;
        case STEP_SSH_GET: answer_ssh_get(x, ret); break;
        case STEP_SSH_SET: ctx_done(x, 0, NULL, NULL); break;
        }
}

int qemu_agent_get_guest_vcpus(Domain *d, Call *call, VbError *err) {
        return start(d, call, STEP_GET, "guest-get-vcpus", NULL, NULL, 0, false, err);
}

int qemu_agent_set_guest_vcpus(Domain *d, const uint8_t *map, size_t maplen, bool online, Call *call, VbError *err) {
        return start(d, call, STEP_SET_READ, "guest-get-vcpus", NULL, map, maplen, online, err);
}

int qemu_agent_ssh_keys_get(Domain *d, const char *user, Call *call, VbError *err) {
        json_object *args = json_object_new_object();
        json_object_object_add(args, "username", json_object_new_string(user));
        return start(d, call, STEP_SSH_GET, "guest-ssh-get-authorized-keys", args, NULL, 0, false, err);
}

int qemu_agent_ssh_keys_set(Domain *d, const char *user, const char *const *keys, size_t n, unsigned flags,
                            Call *call, VbError *err) {
        json_object *args = json_object_new_object(), *list = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(list, json_object_new_string(keys[i]));
        json_object_object_add(args, "username", json_object_new_string(user));
        json_object_object_add(args, "keys", list);
        if (flags & DOMAIN_SSH_KEYS_REMOVE)
                return start(d, call, STEP_SSH_SET, "guest-ssh-remove-authorized-keys", args, NULL, 0, false, err);
        json_object_object_add(args, "reset", json_object_new_boolean(!(flags & DOMAIN_SSH_KEYS_APPEND)));
        return start(d, call, STEP_SSH_SET, "guest-ssh-add-authorized-keys", args, NULL, 0, false, err);
}
