/* api.h: the API table: one row per libvirt API virtbus serves, read by both doors (remote procedure, D-Bus member, ACL, read-only gate, flags). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "object.h"

/* Every API virtbus knows, by libvirt's remote procedure name (APIs the remote door does not
 * serve by libvirt's function name). The rows are in api-connect.c, api-domain.c,
 * api-network.c, api-storage.c and the files of the block at the end. */
typedef enum ApiId {
        API_NONE,
        API_AUTH_LIST,
        API_AUTH_POLKIT,
        API_AUTH_SASL_INIT,
        API_AUTH_SASL_START,
        API_AUTH_SASL_STEP,
        API_CONNECT_CLOSE,
        API_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
        API_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
        API_CONNECT_DOMAIN_EVENT_DEREGISTER,
        API_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY,
        API_CONNECT_DOMAIN_EVENT_REGISTER,
        API_CONNECT_DOMAIN_EVENT_REGISTER_ANY,
        API_CONNECT_GET_ALL_DOMAIN_STATS,
        API_CONNECT_GET_CAPABILITIES,
        API_CONNECT_GET_DOMAIN_CAPABILITIES,
        API_CONNECT_GET_HOSTNAME,
        API_CONNECT_GET_LIB_VERSION,
        API_CONNECT_GET_MAX_VCPUS,
        API_CONNECT_GET_SYSINFO,
        API_CONNECT_GET_TYPE,
        API_CONNECT_GET_URI,
        API_CONNECT_GET_VERSION,
        API_CONNECT_IS_SECURE,
        API_CONNECT_LIST_ALL_DOMAINS,
        API_CONNECT_LIST_ALL_NETWORKS,
        API_CONNECT_LIST_ALL_STORAGE_POOLS,
        API_CONNECT_LIST_DEFINED_DOMAINS,
        API_CONNECT_LIST_DEFINED_NETWORKS,
        API_CONNECT_LIST_DEFINED_STORAGE_POOLS,
        API_CONNECT_LIST_DOMAINS,
        API_CONNECT_LIST_NETWORKS,
        API_CONNECT_LIST_STORAGE_POOLS,
        API_CONNECT_NETWORK_EVENT_DEREGISTER_ANY,
        API_CONNECT_NETWORK_EVENT_REGISTER_ANY,
        API_CONNECT_NUM_OF_DEFINED_DOMAINS,
        API_CONNECT_NUM_OF_DEFINED_NETWORKS,
        API_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS,
        API_CONNECT_NUM_OF_DOMAINS,
        API_CONNECT_NUM_OF_NETWORKS,
        API_CONNECT_NUM_OF_STORAGE_POOLS,
        API_CONNECT_OPEN,
        API_CONNECT_REGISTER_CLOSE_CALLBACK,
        API_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
        API_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
        API_CONNECT_SUPPORTS_FEATURE,
        API_CONNECT_UNREGISTER_CLOSE_CALLBACK,
        API_DOMAIN_CREATE,
        API_DOMAIN_CREATE_WITH_FLAGS,
        API_DOMAIN_CREATE_XML,
        API_DOMAIN_DEFINE_XML,
        API_DOMAIN_DEFINE_XML_FLAGS,
        API_DOMAIN_DESTROY,
        API_DOMAIN_DESTROY_FLAGS,
        API_DOMAIN_GET_AUTOSTART,
        API_DOMAIN_GET_INFO,
        API_DOMAIN_GET_MAX_MEMORY,
        API_DOMAIN_GET_MAX_VCPUS,
        API_DOMAIN_GET_MEMORY_PARAMETERS,
        API_DOMAIN_GET_MESSAGES,
        API_DOMAIN_GET_SCHEDULER_PARAMETERS,
        API_DOMAIN_GET_SCHEDULER_TYPE,
        API_DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS,
        API_DOMAIN_GET_METADATA,
        API_DOMAIN_GET_OS_TYPE,
        API_DOMAIN_GET_SECURITY_LABEL,
        API_DOMAIN_GET_STATE,
        API_DOMAIN_GET_VCPUS_FLAGS,
        API_DOMAIN_GET_XML_DESC,
        API_DOMAIN_INTERFACE_ADDRESSES,
        API_DOMAIN_HAS_MANAGED_SAVE_IMAGE,
        API_DOMAIN_IS_ACTIVE,
        API_DOMAIN_IS_PERSISTENT,
        API_DOMAIN_IS_UPDATED,
        API_DOMAIN_LIST_GET_STATS,
        API_DOMAIN_LOOKUP_BY_ID,
        API_DOMAIN_LOOKUP_BY_NAME,
        API_DOMAIN_LOOKUP_BY_UUID,
        API_DOMAIN_REBOOT,
        API_DOMAIN_RESET,
        API_DOMAIN_RESUME,
        API_DOMAIN_SET_AUTOSTART,
        API_DOMAIN_SET_MEMORY,
        API_DOMAIN_SCREENSHOT,
        API_DOMAIN_OPEN_CONSOLE,
        API_DOMAIN_SET_MEMORY_FLAGS,
        API_DOMAIN_SET_MEMORY_PARAMETERS,
        API_DOMAIN_SET_METADATA,
        API_DOMAIN_SET_SCHEDULER_PARAMETERS,
        API_DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS,
        API_DOMAIN_SHUTDOWN,
        API_DOMAIN_SHUTDOWN_FLAGS,
        API_DOMAIN_SNAPSHOT_NUM,
        API_DOMAIN_SUSPEND,
        API_DOMAIN_UNDEFINE,
        API_DOMAIN_UNDEFINE_FLAGS,
        API_NETWORK_CREATE,
        API_NETWORK_CREATE_XML,
        API_NETWORK_CREATE_XML_FLAGS,
        API_NETWORK_DEFINE_XML,
        API_NETWORK_DEFINE_XML_FLAGS,
        API_NETWORK_DESTROY,
        API_NETWORK_GET_AUTOSTART,
        API_NETWORK_GET_BRIDGE_NAME,
        API_NETWORK_GET_DHCP_LEASES,
        API_NETWORK_GET_XML_DESC,
        API_NETWORK_IS_ACTIVE,
        API_NETWORK_IS_PERSISTENT,
        API_NETWORK_LOOKUP_BY_NAME,
        API_NETWORK_LOOKUP_BY_UUID,
        API_NETWORK_SET_AUTOSTART,
        API_NETWORK_UNDEFINE,
        API_NETWORK_UPDATE,
        API_NETWORK_LIST_ALL_PORTS,
        API_NETWORK_PORT_LOOKUP_BY_UUID,
        API_NETWORK_PORT_CREATE_XML,
        API_NETWORK_PORT_GET_PARAMETERS,
        API_NETWORK_PORT_SET_PARAMETERS,
        API_NETWORK_PORT_GET_XML_DESC,
        API_NETWORK_PORT_DELETE,
        API_NODE_GET_FREE_MEMORY,
        API_NODE_GET_INFO,
        API_NODE_GET_MEMORY_STATS,
        API_NODE_GET_SECURITY_MODEL,
        API_STORAGE_POOL_BUILD,
        API_STORAGE_POOL_CREATE,
        API_STORAGE_POOL_CREATE_XML,
        API_STORAGE_POOL_DEFINE_XML,
        API_STORAGE_POOL_DELETE,
        API_STORAGE_POOL_DESTROY,
        API_STORAGE_POOL_GET_AUTOSTART,
        API_STORAGE_POOL_GET_INFO,
        API_STORAGE_POOL_GET_XML_DESC,
        API_STORAGE_POOL_IS_ACTIVE,
        API_STORAGE_POOL_IS_PERSISTENT,
        API_STORAGE_POOL_LIST_ALL_VOLUMES,
        API_STORAGE_POOL_LIST_VOLUMES,
        API_STORAGE_POOL_LOOKUP_BY_NAME,
        API_STORAGE_POOL_LOOKUP_BY_UUID,
        API_STORAGE_POOL_LOOKUP_BY_VOLUME,
        API_STORAGE_POOL_NUM_OF_VOLUMES,
        API_STORAGE_POOL_REFRESH,
        API_STORAGE_POOL_SET_AUTOSTART,
        API_STORAGE_POOL_UNDEFINE,
        API_STORAGE_VOL_CREATE_XML,
        API_STORAGE_VOL_CREATE_XML_FROM,
        API_STORAGE_VOL_DELETE,
        API_STORAGE_VOL_DOWNLOAD,
        API_STORAGE_VOL_GET_INFO,
        API_STORAGE_VOL_GET_INFO_FLAGS,
        API_STORAGE_VOL_GET_PATH,
        API_STORAGE_VOL_GET_XML_DESC,
        API_STORAGE_VOL_LOOKUP_BY_KEY,
        API_STORAGE_VOL_LOOKUP_BY_NAME,
        API_STORAGE_VOL_LOOKUP_BY_PATH,
        API_STORAGE_VOL_RESIZE,
        API_STORAGE_VOL_UPLOAD,
        API_STORAGE_VOL_WIPE,
        API_STORAGE_VOL_WIPE_PATTERN,
        /* libvirt-dbus 1.4.1's members beyond the above (api-host.c, api-domain-more.c,
         * api-netstor-more.c): most answer "not supported" until a verb serves them */
        API_CONNECT_BASELINE_CPU,
        API_CONNECT_COMPARE_CPU,
        API_CONNECT_FIND_STORAGE_POOL_SOURCES,
        API_CONNECT_GET_CPU_MODEL_NAMES,
        API_CONNECT_LIST_ALL_INTERFACES,
        API_CONNECT_LIST_DEFINED_INTERFACES,
        API_CONNECT_LIST_INTERFACES,
        API_CONNECT_NUM_OF_DEFINED_INTERFACES,
        API_CONNECT_NUM_OF_INTERFACES,
        API_INTERFACE_IS_ACTIVE,
        API_CONNECT_LIST_ALL_NODE_DEVICES,
        API_CONNECT_LIST_ALL_NWFILTERS,
        API_CONNECT_LIST_ALL_SECRETS,
        API_DOMAIN_ABORT_JOB,
        API_DOMAIN_ABORT_JOB_FLAGS,
        API_DOMAIN_FD_ASSOCIATE,
        API_DOMAIN_ADD_IOTHREAD,
        API_DOMAIN_AGENT_SET_RESPONSE_TIMEOUT,
        API_DOMAIN_ATTACH_DEVICE_FLAGS,
        API_DOMAIN_BLOCK_COMMIT,
        API_DOMAIN_BLOCK_COPY,
        API_DOMAIN_BLOCK_JOB_ABORT,
        API_DOMAIN_BLOCK_JOB_SET_SPEED,
        API_DOMAIN_BLOCK_PEEK,
        API_DOMAIN_BLOCK_PULL,
        API_DOMAIN_BLOCK_REBASE,
        API_DOMAIN_BLOCK_RESIZE,
        API_DOMAIN_BLOCK_STATS,
        API_DOMAIN_BLOCK_STATS_FLAGS,
        API_DOMAIN_CORE_DUMP_WITH_FORMAT,
        API_DOMAIN_CORE_DUMP,
        API_DOMAIN_CREATE_WITH_FILES,
        API_DOMAIN_CREATE_XML_WITH_FILES,
        API_DOMAIN_DEL_IOTHREAD,
        API_DOMAIN_DETACH_DEVICE_FLAGS,
        API_DOMAIN_ATTACH_DEVICE,
        API_DOMAIN_DETACH_DEVICE,
        API_DOMAIN_DETACH_DEVICE_ALIAS,
        API_DOMAIN_FSFREEZE,
        API_DOMAIN_FSTHAW,
        API_DOMAIN_FSTRIM,
        API_DOMAIN_GET_BLKIO_PARAMETERS,
        API_DOMAIN_GET_BLOCK_INFO,
        API_DOMAIN_GET_VCPUS,
        API_DOMAIN_INTERFACE_STATS,
        API_DOMAIN_GET_BLOCK_IO_TUNE,
        API_DOMAIN_GET_BLOCK_JOB_INFO,
        API_DOMAIN_GET_CONTROL_INFO,
        API_DOMAIN_GET_CPU_STATS,
        API_DOMAIN_GET_DISK_ERRORS,
        API_DOMAIN_GET_EMULATOR_PIN_INFO,
        API_DOMAIN_GET_FSINFO,
        API_DOMAIN_GET_GUEST_INFO,
        API_DOMAIN_GET_GUEST_VCPUS,
        API_DOMAIN_GET_HOSTNAME,
        API_DOMAIN_GET_INTERFACE_PARAMETERS,
        API_DOMAIN_GET_IOTHREAD_INFO,
        API_DOMAIN_GET_JOB_INFO,
        API_DOMAIN_GET_JOB_STATS,
        API_DOMAIN_GET_LAUNCH_SECURITY_INFO,
        API_DOMAIN_GET_NUMA_PARAMETERS,
        API_DOMAIN_GET_PERF_EVENTS,
        API_DOMAIN_GET_SECURITY_LABEL_LIST,
        API_DOMAIN_GET_TIME,
        API_DOMAIN_GET_VCPU_PIN_INFO,
        API_DOMAIN_INJECT_NMI,
        API_DOMAIN_LIST_ALL_SNAPSHOTS,
        API_DOMAIN_MANAGED_SAVE,
        API_DOMAIN_MANAGED_SAVE_REMOVE,
        API_DOMAIN_MEMORY_PEEK,
        API_DOMAIN_MEMORY_STATS,
        API_DOMAIN_MIGRATE_GET_COMPRESSION_CACHE,
        API_DOMAIN_MIGRATE_GET_MAX_SPEED,
        API_DOMAIN_MIGRATE_SET_COMPRESSION_CACHE,
        API_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
        API_DOMAIN_MIGRATE_SET_MAX_SPEED,
        API_DOMAIN_MIGRATE_START_POST_COPY,
        API_DOMAIN_MIGRATE_TO_URI3,
        API_DOMAIN_OPEN_GRAPHICS_FD,
        API_DOMAIN_OPEN_GRAPHICS,
        API_DOMAIN_OPEN_CHANNEL,
        API_DOMAIN_PIN_EMULATOR,
        API_DOMAIN_PIN_IOTHREAD,
        API_DOMAIN_PIN_VCPU,
        API_DOMAIN_PIN_VCPU_FLAGS,
        API_DOMAIN_PM_WAKEUP,
        API_DOMAIN_PM_SUSPEND_FOR_DURATION,
        API_DOMAIN_RENAME,
        API_DOMAIN_RESTORE_FLAGS,
        API_DOMAIN_REVERT_TO_SNAPSHOT,
        API_DOMAIN_SAVE_FLAGS,
        API_DOMAIN_SAVE,
        API_DOMAIN_RESTORE,
        API_DOMAIN_MANAGED_SAVE_GET_XML_DESC,
        API_DOMAIN_SAVE_IMAGE_DEFINE_XML,
        API_DOMAIN_MANAGED_SAVE_DEFINE_XML,
        API_DOMAIN_SAVE_PARAMS,
        API_DOMAIN_RESTORE_PARAMS,
        API_DOMAIN_SAVE_IMAGE_GET_XML_DESC,
        API_DOMAIN_SEND_KEY,
        API_DOMAIN_SEND_PROCESS_SIGNAL,
        API_DOMAIN_SET_BLKIO_PARAMETERS,
        API_DOMAIN_SET_BLOCK_IO_TUNE,
        API_DOMAIN_SET_LIFECYCLE_ACTION,
        API_DOMAIN_START_DIRTY_RATE_CALC,
        API_DOMAIN_SET_GUEST_VCPUS,
        API_DOMAIN_SET_IOTHREAD_PARAMS,
        API_DOMAIN_SET_BLOCK_THRESHOLD,
        API_DOMAIN_SET_INTERFACE_PARAMETERS,
        API_DOMAIN_SET_MEMORY_STATS_PERIOD,
        API_DOMAIN_SET_NUMA_PARAMETERS,
        API_DOMAIN_SET_PERF_EVENTS,
        API_DOMAIN_SET_TIME,
        API_DOMAIN_SET_USER_PASSWORD,
        API_DOMAIN_SET_VCPUS_FLAGS,
        API_DOMAIN_SET_MAX_MEMORY,
        API_DOMAIN_SET_VCPUS,
        API_DOMAIN_SET_VCPU,
        API_DOMAIN_SNAPSHOT_CREATE_XML,
        API_DOMAIN_SNAPSHOT_CURRENT,
        API_DOMAIN_SNAPSHOT_DELETE,
        API_DOMAIN_SNAPSHOT_GET_PARENT,
        API_DOMAIN_SNAPSHOT_GET_XML_DESC,
        API_DOMAIN_SNAPSHOT_IS_CURRENT,
        API_DOMAIN_SNAPSHOT_LIST_ALL_CHILDREN,
        API_DOMAIN_SNAPSHOT_LOOKUP_BY_NAME,
        API_DOMAIN_SNAPSHOT_LIST_NAMES,
        API_DOMAIN_HAS_CURRENT_SNAPSHOT,
        API_DOMAIN_SNAPSHOT_NUM_CHILDREN,
        API_DOMAIN_SNAPSHOT_LIST_CHILDREN_NAMES,
        API_DOMAIN_SNAPSHOT_HAS_METADATA,
        API_DOMAIN_CHECKPOINT_CREATE_XML,
        API_DOMAIN_CHECKPOINT_GET_XML_DESC,
        API_DOMAIN_LIST_ALL_CHECKPOINTS,
        API_DOMAIN_CHECKPOINT_LIST_ALL_CHILDREN,
        API_DOMAIN_CHECKPOINT_LOOKUP_BY_NAME,
        API_DOMAIN_CHECKPOINT_GET_PARENT,
        API_DOMAIN_CHECKPOINT_DELETE,
        API_DOMAIN_BACKUP_BEGIN,
        API_DOMAIN_BACKUP_GET_XML_DESC,
        API_DOMAIN_UPDATE_DEVICE_FLAGS,
        API_INTERFACE_CHANGE_BEGIN,
        API_INTERFACE_CHANGE_COMMIT,
        API_INTERFACE_CHANGE_ROLLBACK,
        API_INTERFACE_CREATE,
        API_INTERFACE_DEFINE_XML,
        API_INTERFACE_DESTROY,
        API_INTERFACE_GET_XML_DESC,
        API_INTERFACE_LOOKUP_BY_MAC_STRING,
        API_INTERFACE_LOOKUP_BY_NAME,
        API_INTERFACE_UNDEFINE,
        API_NODE_DEVICE_CREATE_XML,
        API_NODE_GET_CELLS_FREE_MEMORY,
        API_NODE_DEVICE_GET_PARENT,
        API_NODE_DEVICE_NUM_OF_CAPS,
        API_NODE_LIST_DEVICES,
        API_NODE_NUM_OF_DEVICES,
        API_NODE_DEVICE_DESTROY,
        API_NODE_DEVICE_DETACH_FLAGS,
        API_NODE_DEVICE_GET_XML_DESC,
        API_NODE_DEVICE_LIST_CAPS,
        API_NODE_DEVICE_LOOKUP_BY_NAME,
        API_NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN,
        API_NODE_DEVICE_RESET,
        API_NODE_DEVICE_RE_ATTACH,
        API_NODE_GET_CPU_MAP,
        API_NODE_GET_CPU_STATS,
        API_NODE_GET_MEMORY_PARAMETERS,
        API_NODE_SET_MEMORY_PARAMETERS,
        API_NWFILTER_DEFINE_XML,
        API_NWFILTER_GET_XML_DESC,
        API_NWFILTER_LOOKUP_BY_NAME,
        API_NWFILTER_LOOKUP_BY_UUID,
        API_NWFILTER_UNDEFINE,
        API_SECRET_DEFINE_XML,
        API_SECRET_GET_VALUE,
        API_SECRET_GET_XML_DESC,
        API_SECRET_LOOKUP_BY_USAGE,
        API_SECRET_LOOKUP_BY_UUID,
        API_SECRET_SET_VALUE,
        API_SECRET_UNDEFINE,
        /* secrets served by the host's store (secret.c) */
        API_CONNECT_NUM_OF_SECRETS,
        API_CONNECT_LIST_SECRETS,
        API_CONNECT_SECRET_EVENT_REGISTER_ANY,
        API_CONNECT_SECRET_EVENT_DEREGISTER_ANY,
        /* network filters and their bindings (nwfilter.c) */
        API_CONNECT_NUM_OF_NWFILTERS,
        API_CONNECT_LIST_NWFILTERS,
        API_NWFILTER_DEFINE_XML_FLAGS,
        API_NWFILTER_BINDING_LOOKUP_BY_PORT_DEV,
        API_NWFILTER_BINDING_GET_XML_DESC,
        API_NWFILTER_BINDING_CREATE_XML,
        API_NWFILTER_BINDING_DELETE,
        API_CONNECT_LIST_ALL_NWFILTER_BINDINGS,
        API_NODE_GET_FREE_PAGES,
        API_NODE_DEVICE_GET_AUTOSTART,
        API_NODE_DEVICE_SET_AUTOSTART,
        API_NODE_DEVICE_IS_PERSISTENT,
        API_NODE_DEVICE_IS_ACTIVE,
        API_STORAGE_POOL_LOOKUP_BY_TARGET_PATH,
        API_CONNECT_GET_STORAGE_POOL_CAPABILITIES,
        /* the guest agent's SSH keys (domain-agent.c) */
        API_DOMAIN_AUTHORIZED_SSH_KEYS_GET,
        API_DOMAIN_AUTHORIZED_SSH_KEYS_SET,
        /* node device events (nodedev-events.c) */
        API_CONNECT_NODE_DEVICE_EVENT_REGISTER_ANY,
        API_CONNECT_NODE_DEVICE_EVENT_DEREGISTER_ANY,
        /* the hypervisor's CPU (node-cpu.c) */
        API_CONNECT_COMPARE_HYPERVISOR_CPU,
        API_CONNECT_BASELINE_HYPERVISOR_CPU,
        API_DOMAIN_MIGRATE_GET_MAX_DOWNTIME,
        API_DOMAIN_MIGRATE_BEGIN3_PARAMS,
        API_DOMAIN_MIGRATE_PREPARE3_PARAMS,
        API_DOMAIN_MIGRATE_PERFORM3_PARAMS,
        API_DOMAIN_MIGRATE_FINISH3_PARAMS,
        API_DOMAIN_MIGRATE_CONFIRM3_PARAMS,
        API_DOMAIN_MIGRATE_BEGIN3,
        API_DOMAIN_MIGRATE_PREPARE3,
        API_DOMAIN_MIGRATE_PERFORM3,
        API_DOMAIN_MIGRATE_FINISH3,
        API_DOMAIN_MIGRATE_CONFIRM3,
        _API_ID_MAX,
} ApiId;

/* The objects libvirt's access permissions are about (viraccessperm.h). */
typedef enum ApiAclObject {
        API_ACL_CONNECT,
        API_ACL_DOMAIN,
        API_ACL_NETWORK,
        API_ACL_POOL,
        API_ACL_VOL,
        API_ACL_INTERFACE,
        API_ACL_NODEDEV,
        API_ACL_SECRET,
        API_ACL_NWFILTER,
        API_ACL_NWFILTER_BINDING,
} ApiAclObject;

/* Which object a fine-grained check is about: the one the call is on (the remote handle that
 * leads its arguments, the D-Bus object path), the one a lookup's argument names (libvirt
 * checks getattr on the object found), or none (connect-level: connect_driver only). */
typedef enum ApiAclArg {
        API_ARG_NONE,
        API_ARG_DOMAIN,
        API_ARG_NETWORK,
        API_ARG_POOL,
        API_ARG_VOL,
        API_ARG_BY_NAME,
        API_ARG_BY_UUID,
        API_ARG_BY_ID,
} ApiAclArg;

#define API_ACL_MAX_PERMS 2

/* libvirt's @acl annotation of an API: up to two permissions (all are checked) on one object
 * kind, "read_secure" instead of the first when the call's flags carry secure_flag. No
 * permission: the connection-level check is all there is. */
typedef struct ApiAcl {
        ApiAclArg arg;
        ApiAclObject object;
        unsigned secure_flag;
        const char *perms[API_ACL_MAX_PERMS];
        /* perms[1] only when the flags carry one of cond_any or none of cond_none (libvirt's
         * "perm:FLAG" and "perm:!A|B" annotations); both 0: always. */
        unsigned cond_any, cond_none;
        /* The arguments between the object and the flags, as a D-Bus signature of u, i and s (the
         * remote door reads the same XDR types); NULL: the flags come first. */
        const char *flags_after;
} ApiAcl;

/* Flags the verb checks itself (its own mask, its own words): not checked from the row yet. */
#define API_FLAGS_VERB (~0u)

typedef struct ApiRow {
        ApiId id;
        const char *name;               /* libvirt's function: "virDomainSuspend" */
        int proc;                       /* REMOTE_PROGRAM procedure; 0: not served by the remote door */
        const char *dbus_interface;     /* "org.libvirt.Domain"; NULL: not on D-Bus */
        const char *dbus_member;        /* "Suspend" */
        bool mutates;                   /* refused on read-only connections; "manage" on D-Bus */
        unsigned flags;                 /* the flags accepted, or API_FLAGS_VERB */
        ApiAcl acl;
} ApiRow;

/* The row of an API, of a remote procedure, of a D-Bus (interface, member); NULL when virtbus
 * has none. */
const ApiRow *api_row(ApiId id);
const ApiRow *api_row_by_proc(int proc);
const ApiRow *api_row_by_member(const char *interface, const char *member);

/* Every row, in no particular order (for the tables' own tests): call fn until it returns < 0. */
int api_foreach(int (*fn)(const ApiRow *row, void *userdata), void *userdata);

/* libvirt's check of a flags argument against the row: "unsupported flags (0x…) in function
 * virDomainSuspend". 0, or -1 with err set. Rows with API_FLAGS_VERB always pass. */
int api_check_flags(const ApiRow *row, unsigned flags, VbError *err);

/* The fine-grained rule a call needs: the ACL's (a row's, or a property's), with read_secure
 * when flags ask for secrets. Returns false when it asks for no fine-grained check. */
bool api_acl_rule(const ApiAcl *acl, unsigned flags, ApiAclObject *object, const char *perms[API_ACL_MAX_PERMS]);

/* Whether the rule depends on the call's flags (a secure flag or a conditional permission), and
 * the flags to assume when a call's cannot be read (the ones asking the most). */
bool api_acl_uses_flags(const ApiAcl *acl);
unsigned api_acl_strongest_flags(const ApiAcl *acl);

/* Properties of org.libvirt.<kind> (Get/GetAll, Set): libvirt-dbus reads and writes them with
 * the object's read and write APIs. kind _OBJECT_KIND_MAX: the Connect object. */
const ApiAcl *api_property_acl(ObjectKind kind, bool set);

/* What a door decoded from a call, for finding the object its fine-grained check is about. */
typedef struct ApiObjectKey {
        const uint8_t *uuid;            /* domains, networks, pools: the handle's or the argument's */
        const char *name;               /* a lookup's name; a volume's name (with pool) */
        const char *pool;               /* volumes: their pool's name */
        const char *vol_key;            /* volumes named by key (D-Bus paths) */
        int id;                         /* API_ARG_BY_ID */
} ApiObjectKey;

/* The object an ACL's check is about (borrowed), found the way libvirt's drivers find it; NULL
 * when it checks none, or it is not there (the handler then says so, as libvirt's lookup
 * would). One function for both doors. */
Object *api_acl_object(Connection *c, const ApiAcl *acl, const ApiObjectKey *key);
