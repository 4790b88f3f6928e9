/* domain-agent.h: what a domain's guest agent (and its hypervisor's monitor, passed through) answers: QemuAgentCommand, QemuMonitorCommand, hostname, time, filesystems, passwords; the driver's DomainAgentOps do the talking, the core checks the op, the flags and that the domain runs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct Call Call;
typedef struct Domain Domain;

/* libvirt's agent timeouts (seconds): VIR_DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK (-2),
 * _DEFAULT (-1: 5 s), _NOWAIT (0); virDomainQemuAgentCommand's _SHUTDOWN is 60. */
#define DOMAIN_AGENT_TIMEOUT_BLOCK (-2)
#define DOMAIN_AGENT_TIMEOUT_DEFAULT (-1)
#define DOMAIN_AGENT_TIMEOUT_NOWAIT 0
#define DOMAIN_AGENT_DEFAULT_SECONDS 5

/* virDomainGetHostname's flags */
#define DOMAIN_GET_HOSTNAME_LEASE 1u
#define DOMAIN_GET_HOSTNAME_AGENT 2u
/* virDomainSetTime's flag: the guest reads its clock from the RTC */
#define DOMAIN_TIME_SYNC 1u
/* virDomainQemuMonitorCommand's flag: cmd is an HMP command line */
#define DOMAIN_QEMU_MONITOR_COMMAND_HMP 1u
/* virDomainSetUserPassword's flag: password is already encrypted */
#define DOMAIN_PASSWORD_ENCRYPTED 1u

/* virDomainGuestInfoTypes */
#define DOMAIN_GUEST_INFO_USERS 1u
#define DOMAIN_GUEST_INFO_OS 2u
#define DOMAIN_GUEST_INFO_TIMEZONE 4u
#define DOMAIN_GUEST_INFO_HOSTNAME 8u
#define DOMAIN_GUEST_INFO_FILESYSTEM 16u
#define DOMAIN_GUEST_INFO_DISKS 32u
#define DOMAIN_GUEST_INFO_INTERFACES 64u
#define DOMAIN_GUEST_INFO_PARAMS_MAX 2048u       /* REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX */

#define DOMAIN_AGENT_CMD_MAX (4u * 1024 * 1024)  /* REMOTE_STRING_MAX */
#define DOMAIN_FS_MOUNTPOINTS_MAX 256u           /* REMOTE_DOMAIN_FSFREEZE_MOUNTPOINTS_MAX */

/* A guest's clock (virDomainGetTime). */
typedef struct DomainTime {
        int64_t seconds;
        unsigned nseconds;
} DomainTime;

/* Typed parameters a verb answers with (guest info), each string owned (freed with the list). */
typedef struct DomainStatParam DomainStatParam;
typedef struct DomainAgentParams {
        DomainStatParam *v;
        size_t n, cap;
        bool failed;            /* out of memory or over DOMAIN_GUEST_INFO_PARAMS_MAX on the way */
} DomainAgentParams;
void domain_agent_params_add_string(DomainAgentParams *p, const char *key, const char *s);
void domain_agent_params_add_uint(DomainAgentParams *p, const char *key, unsigned v);
void domain_agent_params_add_int(DomainAgentParams *p, const char *key, int v);
void domain_agent_params_add_ullong(DomainAgentParams *p, const char *key, uint64_t v);
void domain_agent_params_free(DomainAgentParams *p);

/* libvirt's agent lifecycle event (VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE): state and reason. */
enum {
        DOMAIN_AGENT_STATE_CONNECTED = 1,
        DOMAIN_AGENT_STATE_DISCONNECTED = 2,
};
enum {
        DOMAIN_AGENT_REASON_UNKNOWN = 0,
        DOMAIN_AGENT_REASON_DOMAIN_STARTED = 1,
        DOMAIN_AGENT_REASON_CHANNEL = 2,
};

/* A driver's guest agent (driver.h: Driver.agent). Each op may answer VERB_PENDING and
 * complete call later with the result named; the result is borrowed for the completion. A NULL
 * op: libvirt's "not supported". The core has checked that the domain runs. */
typedef struct DomainAgentOps {
        /* cmd as given (JSON text); timeout in libvirt's seconds; result: char * (the answer's
         * JSON text, as libvirt returns it). */
        int (*command)(Domain *d, const char *cmd, int timeout, Call *call, VbError *err);
        /* The hypervisor's monitor: cmd is QMP JSON text, or an HMP line when hmp; result char *. */
        int (*monitor_command)(Domain *d, const char *cmd, bool hmp, Call *call, VbError *err);
        /* virDomainAgentSetResponseTimeout for the domain's later agent calls. */
        int (*set_response_timeout)(Domain *d, int timeout, VbError *err);
        int (*hostname)(Domain *d, Call *call, VbError *err);                   /* result char * */
        int (*get_time)(Domain *d, Call *call, VbError *err);                   /* result DomainTime * */
        /* t: the time to set; NULL: the guest reads its RTC (DOMAIN_TIME_SYNC). */
        int (*set_time)(Domain *d, const DomainTime *t, Call *call, VbError *err);
        /* Freeze (thaw false) or thaw the guest's filesystems (mounts NULL: all); result int *
         * (how many). */
        int (*fs_freeze)(Domain *d, const char *const *mounts, size_t n, bool thaw, Call *call, VbError *err);
        int (*fs_trim)(Domain *d, const char *mount, uint64_t minimum, Call *call, VbError *err);
        int (*set_user_password)(Domain *d, const char *user, const char *password, bool crypted, Call *call,
                                 VbError *err);
        /* virDomainGetGuestInfo: types (DOMAIN_GUEST_INFO_*, 0: all the agent has); result
         * DomainAgentParams *. */
        int (*guest_info)(Domain *d, unsigned types, Call *call, VbError *err);
        /* The guest's mounted filesystems; result DomainFSInfoList *. */
        int (*fs_info)(Domain *d, Call *call, VbError *err);
        /* The guest's interfaces and addresses as it sees them; result DomainIfaceAddrsList *. */
        int (*interface_addresses)(Domain *d, Call *call, VbError *err);
        /* virDomainGetGuestVcpus: result DomainAgentParams * ("vcpus", "online", "offlinable"). */
        int (*get_guest_vcpus)(Domain *d, Call *call, VbError *err);
        /* virDomainSetGuestVcpus: the guest's vCPUs in map (cpumap.h's bitmap of maplen bytes) go
         * online or offline; result none. */
        int (*set_guest_vcpus)(Domain *d, const uint8_t *map, size_t maplen, bool online, Call *call, VbError *err);
        /* A guest user's ~/.ssh/authorized_keys: get (result DomainAgentStrings *), or add
         * (reset: replace the file) / remove keys (result none). */
        int (*ssh_keys_get)(Domain *d, const char *user, Call *call, VbError *err);
        int (*ssh_keys_set)(Domain *d, const char *user, const char *const *keys, size_t n, unsigned flags, Call *call,
                            VbError *err);
} DomainAgentOps;

/* A list of strings a verb answers with (authorized SSH keys). */
typedef struct DomainAgentStrings {
        char **v;
        size_t n;
} DomainAgentStrings;
void domain_agent_strings_free(DomainAgentStrings *l);

/* virDomainAuthorizedSSHKeysSet's flags */
#define DOMAIN_SSH_KEYS_APPEND 1u
#define DOMAIN_SSH_KEYS_REMOVE 2u
#define DOMAIN_SSH_KEYS_MAX 2048u               /* REMOTE_DOMAIN_AUTHORIZED_SSH_KEYS_MAX */
#define DOMAIN_GUEST_VCPU_MAX_ID 4096u          /* libvirt's QEMU_GUEST_VCPU_MAX_ID */
#define DOMAIN_GUEST_VCPU_PARAMS_MAX 64u        /* REMOTE_DOMAIN_GUEST_VCPU_PARAMS_MAX */

/* virDomainGetGuestVcpus (the call completes with a DomainAgentParams, borrowed) and
 * virDomainSetGuestVcpus (cpumap in libvirt's bitmap syntax: "0-3,^2"; state 1 online, 0 off). */
int domain_get_guest_vcpus(Domain *d, unsigned flags, Call *call, VbError *err);
int domain_set_guest_vcpus(Domain *d, const char *cpumap, int state, unsigned flags, Call *call, VbError *err);
/* virDomainAuthorizedSSHKeysGet (the call completes with a DomainAgentStrings, borrowed) and Set. */
int domain_authorized_ssh_keys_get(Domain *d, const char *user, unsigned flags, Call *call, VbError *err);
int domain_authorized_ssh_keys_set(Domain *d, const char *user, const char *const *keys, size_t n, unsigned flags,
                                   Call *call, VbError *err);

/* virDomainGetFSInfo's answer: each filesystem with the domain's disk targets it lies on. */
#define DOMAIN_FSINFO_MAX 256u          /* REMOTE_DOMAIN_FSINFO_MAX */
#define DOMAIN_FSINFO_DISKS_MAX 256u    /* REMOTE_DOMAIN_FSINFO_DISKS_MAX */
typedef struct DomainFSInfo {
        char *mountpoint, *name, *fstype;
        char **aliases;
        size_t n_aliases;
} DomainFSInfo;
typedef struct DomainFSInfoList {
        DomainFSInfo *v;
        size_t n;
} DomainFSInfoList;
void domain_fsinfo_list_free(DomainFSInfoList *l);
/* virDomainGetFSInfo: the call completes with a DomainFSInfoList (borrowed). */
int domain_get_fsinfo(Domain *d, unsigned flags, Call *call, VbError *err);

/* virDomainInterfaceAddresses' answer (domain-ifaddr.h's entries). */
typedef struct DomainIfaceAddrsList {
        struct DomainIfaceAddrs *v;
        size_t n;
} DomainIfaceAddrsList;

/* Each verb: 0 done (results in the out arguments), VERB_PENDING (call completes with the
 * result named above), or -1 with err. */
int domain_agent_command(Domain *d, const char *cmd, int timeout, unsigned flags, Call *call, VbError *err);
int domain_monitor_command(Domain *d, const char *cmd, unsigned flags, Call *call, VbError *err);
int domain_agent_set_response_timeout(Domain *d, int timeout, unsigned flags, VbError *err);
/* virDomainGetHostname: the driver's DomainInfoOps.hostname when it has one (*out set, 0),
 * else the agent. */
int domain_hostname_call(Domain *d, unsigned flags, Call *call, char **out, VbError *err);
/* virDomainGetTime: DomainInfoOps.get_time when the driver has it (*out set, 0), else the agent. */
int domain_get_time_call(Domain *d, unsigned flags, Call *call, DomainTime *out, VbError *err);
/* virDomainSetTime: seconds/nseconds, or the RTC with DOMAIN_TIME_SYNC (then both must be 0
 * as libvirt's checks say nothing of them: ignored). */
int domain_set_time(Domain *d, int64_t seconds, unsigned nseconds, unsigned flags, Call *call, VbError *err);
int domain_fs_freeze(Domain *d, const char *const *mounts, size_t n, bool thaw, unsigned flags, Call *call,
                     VbError *err);
int domain_fs_trim(Domain *d, const char *mount, uint64_t minimum, unsigned flags, Call *call, VbError *err);
int domain_set_user_password(Domain *d, const char *user, const char *password, unsigned flags, Call *call,
                             VbError *err);

/* virDomainInterfaceAddresses from any source: LEASE now (out filled, 0), AGENT through the
 * agent (VERB_PENDING; the call completes with a DomainIfaceAddrsList, borrowed). */
int domain_interface_addresses_call(Domain *d, unsigned source, unsigned flags, Call *call, DomainIfaceAddrsList *out,
                                    VbError *err);

/* virDomainGetGuestInfo: the call completes with a DomainAgentParams (borrowed). */
int domain_get_guest_info(Domain *d, unsigned types, unsigned flags, Call *call, VbError *err);

/* The agent of d connected or disconnected (a driver reports it): the notice for both doors. */
void domain_notify_agent(Domain *d, int state, int reason);
