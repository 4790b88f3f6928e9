/* domain-agent.c: the guest agent's verbs (and the monitor passthrough): libvirt's checks of flags, arguments and state, then the driver's DomainAgentOps; the agent's lifecycle notices. */
#include "domain-agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "call.h"
#include "cpumap.h"
#include "domain-ifaddr.h"
#include "domain-info.h"
#include "domain.h"
#include "driver.h"
#include "manager.h"

static const DomainAgentOps *agent_ops(const Domain *d) {
        static const DomainAgentOps none;
        return d->obj.conn->driver->agent ? d->obj.conn->driver->agent : &none;
}

static int unsupported(const char *api, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
}

static int unsupported_row(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return unsupported(row ? row->name : "virDomain", err);
}

static int need_running(const Domain *d, VbError *err) {
        if (domain_is_active(d))
                return 0;
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
}

static int check_flags(const char *api, unsigned flags, unsigned allowed, VbError *err) {
        if (!(flags & ~allowed))
                return 0;
        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "%s: unsupported flags (0x%x)", api,
                            flags & ~allowed);
}

static int check_timeout(int timeout, VbError *err) {
        if (timeout >= DOMAIN_AGENT_TIMEOUT_BLOCK)
                return 0;
        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                            "guest agent timeout '%d' is less than the minimum '%d'", timeout,
                            DOMAIN_AGENT_TIMEOUT_BLOCK);
}

int domain_agent_command(Domain *d, const char *cmd, int timeout, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->command)
                return unsupported("virDomainQemuAgentCommand", err);
        if (check_flags("virDomainQemuAgentCommand", flags, 0, err) < 0 || check_timeout(timeout, err) < 0)
                return -1;
        if (!cmd || strlen(cmd) > DOMAIN_AGENT_CMD_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "the agent command is too long");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->command(d, cmd, timeout, call, err);
}

int domain_monitor_command(Domain *d, const char *cmd, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->monitor_command)
                return unsupported("virDomainQemuMonitorCommand", err);
        if (check_flags("virDomainQemuMonitorCommand", flags, DOMAIN_QEMU_MONITOR_COMMAND_HMP, err) < 0)
                return -1;
        if (!cmd || strlen(cmd) > DOMAIN_AGENT_CMD_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "the monitor command is too long");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->monitor_command(d, cmd, flags & DOMAIN_QEMU_MONITOR_COMMAND_HMP, call, err);
}

int domain_agent_set_response_timeout(Domain *d, int timeout, unsigned flags, VbError *err) {
        if (!agent_ops(d)->set_response_timeout)
                return unsupported("virDomainAgentSetResponseTimeout", err);
        if (check_flags("virDomainAgentSetResponseTimeout", flags, 0, err) < 0 || check_timeout(timeout, err) < 0)
                return -1;
        return agent_ops(d)->set_response_timeout(d, timeout, err);
}

int domain_hostname_call(Domain *d, unsigned flags, Call *call, char **out, VbError *err) {
        const DomainInfoOps *info = d->obj.conn->driver->info;
        if (info && info->hostname) {
                *out = domain_hostname(d, flags, err);
                return *out ? 0 : -1;
        }
        if (!agent_ops(d)->hostname)
                return unsupported_row(API_DOMAIN_GET_HOSTNAME, err);
        if (check_flags("virDomainGetHostname", flags, DOMAIN_GET_HOSTNAME_LEASE | DOMAIN_GET_HOSTNAME_AGENT, err) < 0)
                return -1;
        if ((flags & DOMAIN_GET_HOSTNAME_LEASE) && (flags & DOMAIN_GET_HOSTNAME_AGENT))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "Flags 'lease' and 'agent' are mutually exclusive");
        if (flags & DOMAIN_GET_HOSTNAME_LEASE)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "the hostname from DHCP leases is not supported by this connection");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->hostname(d, call, err);
}

int domain_get_time_call(Domain *d, unsigned flags, Call *call, DomainTime *out, VbError *err) {
        const DomainInfoOps *info = d->obj.conn->driver->info;
        if (info && info->get_time)
                return domain_get_time(d, flags, &out->seconds, &out->nseconds, err) < 0 ? -1 : 0;
        if (!agent_ops(d)->get_time)
                return unsupported_row(API_DOMAIN_GET_TIME, err);
        if (check_flags("virDomainGetTime", flags, 0, err) < 0 || need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->get_time(d, call, err);
}

int domain_set_time(Domain *d, int64_t seconds, unsigned nseconds, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->set_time)
                return unsupported_row(API_DOMAIN_SET_TIME, err);
        if (check_flags("virDomainSetTime", flags, DOMAIN_TIME_SYNC, err) < 0)
                return -1;
        if (!(flags & DOMAIN_TIME_SYNC) && nseconds > 999999999)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "nseconds (%u) must be less than 1000000000", nseconds);
        if (need_running(d, err) < 0)
                return -1;
        DomainTime t = { .seconds = seconds, .nseconds = nseconds };
        return agent_ops(d)->set_time(d, (flags & DOMAIN_TIME_SYNC) ? NULL : &t, call, err);
}

int domain_fs_freeze(Domain *d, const char *const *mounts, size_t n, bool thaw, unsigned flags, Call *call,
                     VbError *err) {
        ApiId api = thaw ? API_DOMAIN_FSTHAW : API_DOMAIN_FSFREEZE;
        if (!agent_ops(d)->fs_freeze)
                return unsupported_row(api, err);
        if (check_flags(thaw ? "virDomainFSThaw" : "virDomainFSFreeze", flags, 0, err) < 0)
                return -1;
        if (n > DOMAIN_FS_MOUNTPOINTS_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many mount points (%zu, at most %u)",
                                    n, DOMAIN_FS_MOUNTPOINTS_MAX);
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->fs_freeze(d, n ? mounts : NULL, n, thaw, call, err);
}

int domain_fs_trim(Domain *d, const char *mount, uint64_t minimum, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->fs_trim)
                return unsupported_row(API_DOMAIN_FSTRIM, err);
        if (check_flags("virDomainFSTrim", flags, 0, err) < 0)
                return -1;
        /* qemu-ga trims every filesystem: libvirt refuses a single one the same way */
        if (mount)
                return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "Specifying mount point is not supported for now");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->fs_trim(d, mount, minimum, call, err);
}

int domain_set_user_password(Domain *d, const char *user, const char *password, unsigned flags, Call *call,
                             VbError *err) {
        if (!agent_ops(d)->set_user_password)
                return unsupported_row(API_DOMAIN_SET_USER_PASSWORD, err);
        if (check_flags("virDomainSetUserPassword", flags, DOMAIN_PASSWORD_ENCRYPTED, err) < 0)
                return -1;
        if (!user || !*user || !password)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a user name and a password are required");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->set_user_password(d, user, password, flags & DOMAIN_PASSWORD_ENCRYPTED, call, err);
}

int domain_interface_addresses_call(Domain *d, unsigned source, unsigned flags, Call *call, DomainIfaceAddrsList *out,
                                    VbError *err) {
        const DomainInfoOps *info = d->obj.conn->driver->info;
        if (info && info->interface_addresses) {
                if (check_flags("virDomainInterfaceAddresses", flags, 0, err) < 0 || need_running(d, err) < 0)
                        return -1;
                return info->interface_addresses(d, source, &out->v, &out->n, err) < 0 ? -1 : 0;
        }
        if (source != DOMAIN_IFADDR_SRC_AGENT)
                return domain_interface_addresses(d, source, flags, &out->v, &out->n, err) < 0 ? -1 : 0;
        if (!agent_ops(d)->interface_addresses)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainInterfaceAddresses (source %u)",
                                    source);
        if (check_flags("virDomainInterfaceAddresses", flags, 0, err) < 0 || need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->interface_addresses(d, call, err);
}

int domain_get_guest_info(Domain *d, unsigned types, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->guest_info)
                return unsupported_row(API_DOMAIN_GET_GUEST_INFO, err);
        if (check_flags("virDomainGetGuestInfo", flags, 0, err) < 0)
                return -1;
        if (types & ~0x7fu)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unsupported guest information types '0x%x'",
                                    types & ~0x7fu);
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->guest_info(d, types, call, err);
}

int domain_get_fsinfo(Domain *d, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->fs_info)
                return unsupported_row(API_DOMAIN_GET_FSINFO, err);
        if (check_flags("virDomainGetFSInfo", flags, 0, err) < 0 || need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->fs_info(d, call, err);
}

void domain_fsinfo_list_free(DomainFSInfoList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].mountpoint);
                free(l->v[i].name);
                free(l->v[i].fstype);
                for (size_t j = 0; j < l->v[i].n_aliases; j++)
                        free(l->v[i].aliases[j]);
                free(l->v[i].aliases);
        }
        free(l->v);
        l->v = NULL;
        l->n = 0;
}

static DomainStatParam *param_add(DomainAgentParams *p, const char *key, DomainStatType type) {
        if (p->failed || p->n >= DOMAIN_GUEST_INFO_PARAMS_MAX) {
                p->failed = true;
                return NULL;
        }
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 32;
                DomainStatParam *v = realloc(p->v, cap * sizeof *v);
                if (!v) {
                        p->failed = true;
                        return NULL;
                }
                p->v = v;
                p->cap = cap;
        }
        DomainStatParam *q = &p->v[p->n];
        memset(q, 0, sizeof *q);
        if (snprintf(q->key, sizeof q->key, "%s", key) >= (int) sizeof q->key) {
                p->failed = true;
                return NULL;
        }
        q->type = type;
        p->n++;
        return q;
}

void domain_agent_params_add_string(DomainAgentParams *p, const char *key, const char *s) {
        char *c = s ? strdup(s) : NULL;
        DomainStatParam *q = c ? param_add(p, key, DOMAIN_STAT_STRING) : NULL;
        if (!q) {
                free(c);
                p->failed |= s != NULL;
                return;
        }
        q->s = c;
}

void domain_agent_params_add_uint(DomainAgentParams *p, const char *key, unsigned v) {
        DomainStatParam *q = param_add(p, key, DOMAIN_STAT_UINT);
        if (q)
                q->u = v;
}

void domain_agent_params_add_int(DomainAgentParams *p, const char *key, int v) {
        DomainStatParam *q = param_add(p, key, DOMAIN_STAT_INT);
        if (q)
                q->i = v;
}

void domain_agent_params_add_ullong(DomainAgentParams *p, const char *key, uint64_t v) {
        DomainStatParam *q = param_add(p, key, DOMAIN_STAT_ULLONG);
        if (q)
                q->ull = v;
}

void domain_agent_params_free(DomainAgentParams *p) {
        for (size_t i = 0; i < p->n; i++)
                if (p->v[i].type == DOMAIN_STAT_STRING)
                        free((char *) p->v[i].s);
        free(p->v);
        memset(p, 0, sizeof *p);
}

void domain_notify_agent(Domain *d, int state, int reason) {
        Notice n = { .type = NOTICE_AGENT_LIFECYCLE, .obj = &d->obj, .event = state, .detail = reason };
        manager_notify(d->obj.conn->manager, &n);
}

int domain_get_guest_vcpus(Domain *d, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->get_guest_vcpus)
                return unsupported_row(API_DOMAIN_GET_GUEST_VCPUS, err);
        if (check_flags("virDomainGetGuestVcpus", flags, 0, err) < 0 || need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->get_guest_vcpus(d, call, err);
}

int domain_set_guest_vcpus(Domain *d, const char *cpumap, int state, unsigned flags, Call *call, VbError *err) {
        uint8_t map[DOMAIN_GUEST_VCPU_MAX_ID / 8];
        if (!agent_ops(d)->set_guest_vcpus)
                return unsupported_row(API_DOMAIN_SET_GUEST_VCPUS, err);
        if (check_flags("virDomainSetGuestVcpus", flags, 0, err) < 0)
                return -1;
        if (!cpumap || cpumap_parse(cpumap, map, sizeof map) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Failed to parse bitmap '%s'",
                                    cpumap ? cpumap : "");
        if (state != 0 && state != 1)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "unsupported vCPU state '%d'", state);
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->set_guest_vcpus(d, map, sizeof map, state == 1, call, err);
}

int domain_authorized_ssh_keys_get(Domain *d, const char *user, unsigned flags, Call *call, VbError *err) {
        if (!agent_ops(d)->ssh_keys_get)
                return unsupported_row(API_DOMAIN_AUTHORIZED_SSH_KEYS_GET, err);
        if (check_flags("virDomainAuthorizedSSHKeysGet", flags, 0, err) < 0)
                return -1;
        if (!user || !*user)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a user name is required");
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->ssh_keys_get(d, user, call, err);
}

int domain_authorized_ssh_keys_set(Domain *d, const char *user, const char *const *keys, size_t n, unsigned flags,
                                   Call *call, VbError *err) {
        if (!agent_ops(d)->ssh_keys_set)
                return unsupported_row(API_DOMAIN_AUTHORIZED_SSH_KEYS_SET, err);
        if (check_flags("virDomainAuthorizedSSHKeysSet", flags, DOMAIN_SSH_KEYS_APPEND | DOMAIN_SSH_KEYS_REMOVE, err) < 0)
                return -1;
        if ((flags & DOMAIN_SSH_KEYS_APPEND) && (flags & DOMAIN_SSH_KEYS_REMOVE))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "Flags 'VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND' and "
                                    "'VIR_DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE' are mutually exclusive");
        if (!user || !*user)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a user name is required");
        if (n > DOMAIN_SSH_KEYS_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many keys (%zu, at most %u)", n,
                                    DOMAIN_SSH_KEYS_MAX);
        if (need_running(d, err) < 0)
                return -1;
        return agent_ops(d)->ssh_keys_set(d, user, n ? keys : NULL, n, flags, call, err);
}

void domain_agent_strings_free(DomainAgentStrings *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->v[i]);
        free(l->v);
        l->v = NULL;
        l->n = 0;
}
