/* dispatch.h: what the protocol side of the remote door shares: packets, calls in flight, the procedure table and the wire forms of objects. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "call.h"
#include "client.h"
#include "error.h"
#include "handle.h"
#include "packet.h"
#include "protocol.h"
#include "stream.h"
#include "xdr.h"

typedef struct Domain Domain;
typedef struct Network Network;
typedef struct StoragePool StoragePool;
typedef struct StorageVol StorageVol;

/* libvirt numbers the core's enums do not carry. */
#define REMOTE_ERR_RPC 39               /* VIR_ERR_RPC */
#define REMOTE_ERR_AUTH_FAILED 45       /* VIR_ERR_AUTH_FAILED */
#define REMOTE_FROM_RPC 7               /* VIR_FROM_RPC */
#define REMOTE_LIB_VERSION 9000000u     /* what connect_get_lib_version answers: libvirt 9.0.0 */

/* remote_protocol.x limits (libvirt 9.0). */
#define REMOTE_DOMAIN_LIST_MAX 16384u
#define REMOTE_NETWORK_LIST_MAX 16384u
#define REMOTE_STORAGE_POOL_LIST_MAX 4096u
#define REMOTE_STORAGE_VOL_LIST_MAX 16384u
#define REMOTE_AUTH_TYPE_LIST_MAX 20u
#define REMOTE_SECURITY_MODEL_MAX 257u
#define REMOTE_SECURITY_DOI_MAX 257u
#define REMOTE_SECURITY_LABEL_MAX 4097u
#define REMOTE_DOMAIN_MESSAGES_MAX 2048u
#define REMOTE_EVENT_CALLBACKS_MAX 4096u   /* per client; libvirt has no such limit, memory does */

/* ------------------------------------------------------------------ packets (packet.c) */

/* Decode the 24-byte header after the length word of a complete packet. */
int packet_header_decode(const uint8_t *packet, size_t len, PacketHeader *h);
/* Start a packet in w (capped at PACKET_LEN_MAX): the length word, then h. */
int packet_begin(XdrWriter *w, const PacketHeader *h);
/* Fill in the length word and hand the packet over; -EMSGSIZE/-ENOMEM when w failed. */
int packet_end(XdrWriter *w, uint8_t **packet, size_t *len);
/* A whole error packet answering req (type REPLY or STREAM, status ERROR, remote_error). */
int packet_error(const PacketHeader *req, uint32_t type, const VbError *e, uint8_t **packet, size_t *len);
/* libvirt's remote_error payload for e (str1/str2 as libvirt fills them). */
int packet_put_error(XdrWriter *w, const VbError *e);

/* ------------------------------------------------------------------ calls (dispatch.c) */

/* One CALL being handled. The handler reads args, writes its reply payload into ret (the
 * header is already there) and returns 0, or sets err and returns -1, or returns
 * REMOTE_REPLY_LATER after handing the reply to a pending call (remote_call_finish). */
typedef struct RemoteCall {
        RemoteClient *client;
        PacketHeader hdr;
        XdrReader args;
        XdrWriter ret;
        VbError err;
        /* A CALL_WITH_FDS's descriptors (-1 once taken); those left are closed after the
         * handler (dispatch-fds.c). */
        int *fds;
        size_t n_fds;
} RemoteCall;

#define REMOTE_REPLY_LATER 1

typedef int (*RemoteProcFn)(RemoteCall *rc);

enum {
        PROC_PREAUTH = 1u << 0,         /* allowed before authentication */
        PROC_NO_CONN = 1u << 1,         /* allowed before connect_open */
};

/* The gates only the remote door has; the read-only gate, the ACL and the flags are the API
 * row's (api.h). */
typedef struct RemoteProc {
        RemoteProcFn fn;
        unsigned flags;         /* PROC_PREAUTH, PROC_NO_CONN */
} RemoteProc;

/* proc-table.c: the handler of the API row of this procedure; NULL when virtbus serves none. */
const RemoteProc *remote_proc_lookup(int proc);
/* The handler of an API row, by the row (NULL: the remote door does not serve it). */
const RemoteProc *remote_proc_of_api(ApiId id);

/* procnames.c: every REMOTE_PROGRAM procedure of libvirt 9.0, with its public API name and
 * the virErrorDomain its API file reports. NULL for numbers libvirt does not have. */
typedef struct RemoteProcName {
        const char *name;       /* "domain_get_xml_desc" */
        const char *api;        /* "virDomainGetXMLDesc" */
        int from;               /* VIR_FROM_DOMAIN … */
} RemoteProcName;
const RemoteProcName *remote_proc_name(int proc);

/* Errors a handler reports. All return -1. */
int remote_error_decode(RemoteCall *rc);                         /* "Unable to decode message payload" */
int remote_error_rpc(VbError *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* libvirt's check of a flags argument, named after this procedure's API function. */
int remote_check_flags(RemoteCall *rc, unsigned flags, unsigned allowed);

/* Read the arguments' end: -1 with the decode error when anything was malformed. */
static inline int remote_args_end(RemoteCall *rc) {
        return xdr_reader_ok(&rc->args) ? 0 : remote_error_decode(rc);
}

/* A synchronous verb's result as a handler's: 0 or -1 (never REMOTE_REPLY_LATER). */
static inline int remote_done(int r) {
        return r < 0 ? -1 : 0;
}

/* A verb that may complete later. The Call's context keeps a reference to the client and the
 * request header; encode (NULL: a void reply) writes the reply payload on success, from the
 * domain kept here (referenced) or the object the completion hands over; -1 with err set
 * when there is nothing to answer with. */
typedef int (*RemoteReplyFn)(XdrWriter *w, Domain *dom, void *result, VbError *err);
Call *remote_call_new(RemoteCall *rc, RemoteReplyFn encode, Domain *dom);
/* A call with no domain and nothing to encode but what the handler writes (verbs of networks,
 * pools and volumes); NULL with rc->err set when out of memory. */
Call *remote_call_plain(RemoteCall *rc, RemoteReplyFn encode);
/* A call whose success reply is a REPLY_WITH_FDS with no payload but the descriptor the
 * completion's result points to (an int *, duplicated here; the verb keeps its own). */
Call *remote_call_new_fd(RemoteCall *rc, Domain *dom);
/* Give the context the domain a verb produced (create_xml) while it is still in flight. */
void remote_call_set_domain(Call *call, Domain *dom);
/* After the verb returned r: answer now through rc (0 / -1), or leave the answer to the
 * call's completion (REMOTE_REPLY_LATER). Drops the handler's reference to call. */
int remote_call_finish(RemoteCall *rc, Call *call, int r);

/* Answer the request h now, from the loop, with what fn writes into rc (0: the reply in rc->ret;
 * -1: the error in rc->err; REMOTE_REPLY_LATER), as dispatch does with a handler's answer: for a
 * handler whose work ran off the loop (proc-auth-sasl.c's steps). */
void remote_call_resume(RemoteClient *c, const PacketHeader *h, int (*fn)(RemoteCall *rc, void *userdata),
                        void *userdata);

/* What route.c asks of dispatch.c for a call it routed: the reply's header begun in w (a REPLY
 * to req); the call's MSG_CALL type and OK status checked (libvirt's "Unexpected message type");
 * a remote-program call through libvirt's checks, in its order, to its handler; and the
 * handler's answer r sent now (0: the reply in rc->ret; -1: the error in rc->err) or left for
 * later (REMOTE_REPLY_LATER). */
void remote_reply_begin(XdrWriter *w, const PacketHeader *req);
int remote_call_check_header(RemoteCall *rc);
int remote_dispatch_call(RemoteCall *rc);
void remote_reply(RemoteClient *c, const PacketHeader *h, RemoteCall *rc, int r);

/* ------------------------------------------------------------------ descriptors (dispatch-fds.c) */

/* The descriptor the client sent in slot (CALL_WITH_FDS), the handler's from now; -1 with
 * libvirt's error when the call brought none there. */
int remote_call_take_fd(RemoteCall *rc, size_t slot);
/* Close the descriptors no handler took. */
void remote_call_close_fds(int *fds, size_t n);

/* ------------------------------------------------------------------ streams (streams.c) */

#define REMOTE_STREAM_CHUNK STREAM_CHUNK_MAX              /* data bytes per STREAM packet */
/* A download waits while this much output is queued: with the stream's window and the packet
 * being filled, what one download may hold in the daemon (docs/storage.md). */
#define REMOTE_STREAM_OUTPUT_WINDOW (4u * REMOTE_STREAM_CHUNK)

typedef enum RemoteStreamDir {
        REMOTE_STREAM_DOWNLOAD,         /* daemon → client: the door consumes st */
        REMOTE_STREAM_UPLOAD,           /* client → daemon: the door produces into st */
        REMOTE_STREAM_DUPLEX,           /* both at once (a console): two Streams, one each way */
} RemoteStreamDir;

/* Room for one more stream on rc's client (max_client_streams): 0, or -1 with the error in
 * rc->err. Handlers ask before the verb makes its Stream; a console counts as one. */
int remote_stream_room(RemoteCall *rc);
/* Tie st to the call rc answers: after the reply, st's data moves in STREAM packets with the
 * call's serial and procedure. Takes a reference to st. sparse: holes travel as STREAM_HOLE
 * packets (the client asked for a sparse stream); else a download sends them as zeros. */
int remote_stream_open(RemoteCall *rc, Stream *st, RemoteStreamDir dir, bool sparse);
/* A duplex stream (virDomainOpenConsole): out's data goes to the client, the client's packets
 * into in, both with the call's serial; a finish from the client ends both. */
int remote_stream_open_duplex(RemoteCall *rc, Stream *out, Stream *in);
/* A STREAM or STREAM_HOLE packet from the client (payload: after the header). */
void remote_stream_packet(RemoteClient *c, const PacketHeader *h, const uint8_t *payload, size_t len);
/* A STREAM packet's payload read straight into a stream buffer (route.c's remote_payload_buf):
 * a buffer of len bytes (stream_buf_new) when the packet is data for a stream that takes it now,
 * else NULL (the packet comes whole to remote_stream_packet()). */
void *remote_stream_payload_buf(RemoteClient *c, const PacketHeader *h, size_t len);
/* That payload, complete: the stream adopts it (it is freed when the stream is gone). */
void remote_stream_data(RemoteClient *c, const PacketHeader *h, void *payload, size_t len);

/* Send a complete packet; logs and drops it when the client cannot take it. */
void remote_send(RemoteClient *c, uint8_t *packet, size_t len);

/* ------------------------------------------------------------------ objects on the wire (proc-common.c) */

/* remote_nonnull_domain: name, uuid, id (-1 when inactive). */
int remote_put_domain(XdrWriter *w, const Domain *d);
int remote_put_network(XdrWriter *w, const Network *n);
int remote_put_pool(XdrWriter *w, const StoragePool *p);
int remote_put_vol(XdrWriter *w, const StorageVol *v);

/* Read a handle and find the object it names (by UUID, as libvirt's drivers do). The reads
 * happen at once; the lookups after remote_args_end, so a malformed payload is reported as
 * such whatever it names. */
static inline int remote_get_domain_ref(RemoteCall *rc, RemoteRef *ref) {
        return remote_handle_domain(&rc->args, ref);
}
static inline int remote_get_network_ref(RemoteCall *rc, RemoteRef *ref) {
        return remote_handle_network(&rc->args, ref);
}
static inline int remote_get_pool_ref(RemoteCall *rc, RemoteRef *ref) {
        return remote_handle_pool(&rc->args, ref);
}
static inline int remote_get_vol_ref(RemoteCall *rc, RemoteRef *ref) {
        return remote_handle_vol(&rc->args, ref);
}
Domain *remote_find_domain(RemoteCall *rc, const RemoteRef *ref);
Network *remote_find_network(RemoteCall *rc, const RemoteRef *ref);
StoragePool *remote_find_pool(RemoteCall *rc, const RemoteRef *ref);
StorageVol *remote_find_vol(RemoteCall *rc, const RemoteRef *ref);

/* Common argument shapes: {T obj} and {T obj; u32 flags}, read and resolved in one step;
 * flags may be NULL for the first. */
Domain *remote_read_domain(RemoteCall *rc, unsigned *flags);
Network *remote_read_network(RemoteCall *rc, unsigned *flags);
StoragePool *remote_read_pool(RemoteCall *rc, unsigned *flags);
StorageVol *remote_read_vol(RemoteCall *rc, unsigned *flags);
/* After the arguments that followed a domain handle: the domain ref names, when the payload
 * was well-formed (else NULL, rc->err set); ref is released either way. */
Domain *remote_end_domain(RemoteCall *rc, RemoteRef *ref);
/* {dom; u32 arg; u32 flags}, {dom; int arg; u32 flags} and {dom; string s; u32 flags} (a
 * string of at most max bytes, malloc'ed, the caller's even when NULL is returned), read and
 * resolved in one step; flags may be NULL when the call has none. */
Domain *remote_read_domain_u32(RemoteCall *rc, uint32_t *arg, unsigned *flags);
Domain *remote_read_domain_int(RemoteCall *rc, int32_t *arg, unsigned *flags);
Domain *remote_read_domain_string(RemoteCall *rc, size_t max, char **s, unsigned *flags);

/* Replies of one scalar or one string; put_string takes s (NULL: the error in rc->err). */
int remote_reply_int(RemoteCall *rc, int32_t v);
int remote_reply_string(RemoteCall *rc, char *s);


/* ------------------------------------------------------------------ handlers (proc-*.c, events.c) */

#define REMOTE_HANDLER(name) int name(RemoteCall *rc)

/* proc-connect.c */
REMOTE_HANDLER(proc_connect_open);
REMOTE_HANDLER(proc_connect_close);
REMOTE_HANDLER(proc_connect_get_type);
REMOTE_HANDLER(proc_connect_get_version);
REMOTE_HANDLER(proc_connect_get_lib_version);
REMOTE_HANDLER(proc_connect_get_hostname);
REMOTE_HANDLER(proc_connect_get_uri);
REMOTE_HANDLER(proc_connect_get_capabilities);
REMOTE_HANDLER(proc_connect_get_domain_capabilities);
/* proc-domain-channel.c */
REMOTE_HANDLER(proc_domain_open_console);
REMOTE_HANDLER(proc_domain_open_channel);
/* proc-domain-save.c */
REMOTE_HANDLER(proc_domain_save);
REMOTE_HANDLER(proc_domain_save_flags);
REMOTE_HANDLER(proc_domain_restore);
REMOTE_HANDLER(proc_domain_restore_flags);
REMOTE_HANDLER(proc_domain_save_image_get_xml_desc);
REMOTE_HANDLER(proc_domain_managed_save);
REMOTE_HANDLER(proc_domain_managed_save_remove);
REMOTE_HANDLER(proc_domain_managed_save_get_xml_desc);
/* proc-domain-save2.c */
REMOTE_HANDLER(proc_domain_save_image_define_xml);
REMOTE_HANDLER(proc_domain_managed_save_define_xml);
REMOTE_HANDLER(proc_domain_save_params);
REMOTE_HANDLER(proc_domain_restore_params);
REMOTE_HANDLER(proc_domain_core_dump);
REMOTE_HANDLER(proc_domain_core_dump_with_format);
REMOTE_HANDLER(proc_domain_rename);
/* proc-domain-vcpu.c */
REMOTE_HANDLER(proc_domain_set_max_memory);
REMOTE_HANDLER(proc_domain_set_vcpus);
REMOTE_HANDLER(proc_domain_set_vcpu);
REMOTE_HANDLER(proc_connect_get_sysinfo);
REMOTE_HANDLER(proc_connect_get_max_vcpus);
REMOTE_HANDLER(proc_connect_supports_feature);
REMOTE_HANDLER(proc_connect_is_secure);
REMOTE_HANDLER(proc_connect_register_close_callback);
REMOTE_HANDLER(proc_connect_unregister_close_callback);
REMOTE_HANDLER(proc_node_get_info);
REMOTE_HANDLER(proc_node_get_free_memory);
REMOTE_HANDLER(proc_node_get_security_model);
REMOTE_HANDLER(proc_node_get_cpu_stats);
REMOTE_HANDLER(proc_node_get_memory_stats);
REMOTE_HANDLER(proc_node_get_cells_free_memory);
REMOTE_HANDLER(proc_node_get_cpu_map);
/* proc-domain-info.c */
REMOTE_HANDLER(proc_domain_memory_stats);
REMOTE_HANDLER(proc_domain_get_job_info);
REMOTE_HANDLER(proc_domain_get_block_info);
REMOTE_HANDLER(proc_domain_interface_stats);
REMOTE_HANDLER(proc_domain_get_hostname);
REMOTE_HANDLER(proc_domain_get_time);
REMOTE_HANDLER(proc_domain_set_time);
/* proc-qemu-program.c: a CALL of libvirt's QEMU program (dispatch.c checked its type and
 * status), the other gates and the procedure. */
int remote_dispatch_qemu(RemoteCall *rc);
REMOTE_HANDLER(proc_domain_fsfreeze);
REMOTE_HANDLER(proc_domain_fsthaw);
REMOTE_HANDLER(proc_domain_fstrim);
REMOTE_HANDLER(proc_domain_set_user_password);
REMOTE_HANDLER(proc_domain_agent_set_response_timeout);
REMOTE_HANDLER(proc_domain_get_guest_info);
REMOTE_HANDLER(proc_domain_get_fsinfo);
/* proc-domain-stats.c: one DomainStatParam as a remote_typed_param into the XdrWriter userdata
 * (a domain_stats_foreach callback). */
typedef struct DomainStatParam DomainStatParam;
int remote_put_stat_param(const DomainStatParam *p, void *userdata);
/* proc-domain-agent.c: a DomainAgentParams result as {remote_typed_param params<>}. */
int remote_encode_agent_params(XdrWriter *w, Domain *dom, void *result, VbError *err);
/* proc-domain-agent-vcpus.c */
REMOTE_HANDLER(proc_domain_get_guest_vcpus);
REMOTE_HANDLER(proc_domain_set_guest_vcpus);
REMOTE_HANDLER(proc_domain_authorized_ssh_keys_get);
REMOTE_HANDLER(proc_domain_authorized_ssh_keys_set);
/* events.c */
REMOTE_HANDLER(proc_connect_node_device_event_register_any);
REMOTE_HANDLER(proc_connect_node_device_event_deregister_any);
/* proc-domain-tune.c: one remote_typed_param into p (integers in ull); -EINVAL for a bad one. */
typedef struct DomainTuneParam DomainTuneParam;
int remote_get_typed_param(XdrReader *r, DomainTuneParam *p);
/* proc-domain-blockjob.c */
REMOTE_HANDLER(proc_domain_block_copy);
/* proc-cpu-compare.c */
REMOTE_HANDLER(proc_connect_compare_hypervisor_cpu);
REMOTE_HANDLER(proc_connect_baseline_hypervisor_cpu);
REMOTE_HANDLER(proc_domain_get_vcpus);
REMOTE_HANDLER(proc_domain_get_vcpu_pin_info);
REMOTE_HANDLER(proc_domain_get_emulator_pin_info);
REMOTE_HANDLER(proc_domain_pin_vcpu_flags);
REMOTE_HANDLER(proc_domain_pin_emulator);
REMOTE_HANDLER(proc_domain_get_security_label_list);
REMOTE_HANDLER(proc_domain_get_blkio_parameters);
REMOTE_HANDLER(proc_domain_set_blkio_parameters);
REMOTE_HANDLER(proc_domain_get_numa_parameters);
REMOTE_HANDLER(proc_domain_set_numa_parameters);
REMOTE_HANDLER(proc_domain_get_iothread_info);
REMOTE_HANDLER(proc_domain_add_iothread);
REMOTE_HANDLER(proc_domain_del_iothread);
REMOTE_HANDLER(proc_domain_pin_iothread);
REMOTE_HANDLER(proc_domain_set_iothread_params);
REMOTE_HANDLER(proc_domain_set_block_threshold);
REMOTE_HANDLER(proc_node_set_memory_parameters);
/* proc-domain-tune.c: one remote_typed_param out (a boolean as libvirt's type 6); one in is
 * remote_get_typed_param. */
struct DomainTuneParam;
int remote_put_tune_param(XdrWriter *w, const struct DomainTuneParam *p);
/* {remote_typed_param params<max>; u32 flags} (no flags when flags is NULL) into params, which
 * has room for max, their number in *n: -1 when a parameter could not be read (a type virtbus
 * does not know, or the payload ends there), the rest left unread. */
int remote_get_tune_params(XdrReader *r, uint32_t max, struct DomainTuneParam *params, uint32_t *n, unsigned *flags);
/* The arguments' end after remote_get_tune_params answered r: 0, or -1 with the decode error
 * (a malformed payload) or else, when r < 0, libvirt's "unknown typed parameter type". */
int remote_params_end(RemoteCall *rc, int r);
/* proc-domain-tune.c: a device's typed parameters (a disk's I/O limits, a NIC's bandwidth):
 * {dom; device; params<max>; flags} → {} through set (may answer later), and {dom; device;
 * nparams; flags} → {params<max>; nparams} through get (out NULL: only the count; at most count). */
typedef int (*RemoteSetDeviceParams)(Domain *d, const char *device, const struct DomainTuneParam *params, size_t n,
                                     unsigned flags, Call *call, VbError *err);
typedef int (*RemoteGetDeviceParams)(Domain *d, const char *device, unsigned flags, struct DomainTuneParam *out,
                                     VbError *err);
int remote_set_device_params(RemoteCall *rc, uint32_t max, RemoteSetDeviceParams set);
int remote_get_device_params(RemoteCall *rc, bool optional, uint32_t max, size_t count, RemoteGetDeviceParams get);
/* proc-domain-iftune.c */
REMOTE_HANDLER(proc_domain_set_interface_parameters);
REMOTE_HANDLER(proc_domain_get_interface_parameters);
/* proc-domain-tune-stats.c */
REMOTE_HANDLER(proc_domain_block_stats);
REMOTE_HANDLER(proc_domain_block_stats_flags);
REMOTE_HANDLER(proc_domain_get_cpu_stats);
REMOTE_HANDLER(proc_domain_pin_vcpu);
REMOTE_HANDLER(proc_domain_get_control_info);
REMOTE_HANDLER(proc_domain_get_disk_errors);
REMOTE_HANDLER(proc_domain_set_memory_stats_period);
REMOTE_HANDLER(proc_domain_set_block_io_tune);
REMOTE_HANDLER(proc_domain_get_block_io_tune);
REMOTE_HANDLER(proc_domain_block_resize);
/* proc-domain-blockjob.c */
REMOTE_HANDLER(proc_domain_block_pull);
REMOTE_HANDLER(proc_domain_block_rebase);
REMOTE_HANDLER(proc_domain_block_commit);
REMOTE_HANDLER(proc_domain_get_block_job_info);
REMOTE_HANDLER(proc_domain_block_job_abort);
REMOTE_HANDLER(proc_domain_block_job_set_speed);
REMOTE_HANDLER(proc_domain_set_lifecycle_action);
REMOTE_HANDLER(proc_domain_get_job_stats);
REMOTE_HANDLER(proc_domain_abort_job);
REMOTE_HANDLER(proc_domain_abort_job_flags);
REMOTE_HANDLER(proc_domain_start_dirty_rate_calc);
/* proc-nodedev.c */
REMOTE_HANDLER(proc_node_num_of_devices);
REMOTE_HANDLER(proc_node_list_devices);
REMOTE_HANDLER(proc_connect_list_all_node_devices);
REMOTE_HANDLER(proc_node_device_lookup_by_name);
REMOTE_HANDLER(proc_node_device_get_xml_desc);
REMOTE_HANDLER(proc_node_device_get_parent);
REMOTE_HANDLER(proc_node_device_num_of_caps);
REMOTE_HANDLER(proc_node_device_list_caps);
/* proc-iface.c */
REMOTE_HANDLER(proc_connect_num_of_interfaces);
REMOTE_HANDLER(proc_connect_num_of_defined_interfaces);
REMOTE_HANDLER(proc_connect_list_interfaces);
REMOTE_HANDLER(proc_connect_list_defined_interfaces);
REMOTE_HANDLER(proc_connect_list_all_interfaces);
REMOTE_HANDLER(proc_interface_lookup_by_name);
REMOTE_HANDLER(proc_interface_lookup_by_mac_string);
REMOTE_HANDLER(proc_interface_get_xml_desc);
REMOTE_HANDLER(proc_interface_is_active);
REMOTE_HANDLER(proc_auth_list);
REMOTE_HANDLER(proc_auth_unavailable);
/* A row virtbus does not serve yet (proc-table-unsupported.h): libvirt's "not supported" with its API's name. */
REMOTE_HANDLER(proc_not_supported);
REMOTE_HANDLER(proc_auth_polkit);

/* proc-auth-sasl.c */
REMOTE_HANDLER(proc_auth_sasl_init);
REMOTE_HANDLER(proc_auth_sasl_start);
REMOTE_HANDLER(proc_auth_sasl_step);

/* proc-list.c */
REMOTE_HANDLER(proc_connect_list_all_domains);
REMOTE_HANDLER(proc_connect_list_all_networks);
REMOTE_HANDLER(proc_connect_list_all_storage_pools);
REMOTE_HANDLER(proc_storage_pool_list_all_volumes);
REMOTE_HANDLER(proc_connect_num_of_domains);
REMOTE_HANDLER(proc_connect_list_domains);
REMOTE_HANDLER(proc_connect_num_of_defined_domains);
REMOTE_HANDLER(proc_connect_list_defined_domains);
REMOTE_HANDLER(proc_connect_num_of_networks);
REMOTE_HANDLER(proc_connect_list_networks);
REMOTE_HANDLER(proc_connect_num_of_defined_networks);
REMOTE_HANDLER(proc_connect_list_defined_networks);
REMOTE_HANDLER(proc_connect_num_of_storage_pools);
REMOTE_HANDLER(proc_connect_list_storage_pools);
REMOTE_HANDLER(proc_connect_num_of_defined_storage_pools);
REMOTE_HANDLER(proc_connect_list_defined_storage_pools);
REMOTE_HANDLER(proc_storage_pool_num_of_volumes);
REMOTE_HANDLER(proc_storage_pool_list_volumes);

/* proc-domain.c: lookups, definitions, queries */
REMOTE_HANDLER(proc_domain_lookup_by_id);
REMOTE_HANDLER(proc_domain_lookup_by_name);
REMOTE_HANDLER(proc_domain_lookup_by_uuid);
REMOTE_HANDLER(proc_domain_define_xml);
REMOTE_HANDLER(proc_domain_define_xml_flags);
REMOTE_HANDLER(proc_domain_undefine);
REMOTE_HANDLER(proc_domain_undefine_flags);
REMOTE_HANDLER(proc_domain_get_xml_desc);
REMOTE_HANDLER(proc_domain_get_info);
REMOTE_HANDLER(proc_domain_get_state);
REMOTE_HANDLER(proc_domain_get_os_type);
REMOTE_HANDLER(proc_domain_get_max_memory);
REMOTE_HANDLER(proc_domain_get_max_vcpus);
REMOTE_HANDLER(proc_domain_get_vcpus_flags);
REMOTE_HANDLER(proc_domain_is_active);
REMOTE_HANDLER(proc_domain_is_persistent);
REMOTE_HANDLER(proc_domain_is_updated);
REMOTE_HANDLER(proc_domain_get_autostart);
REMOTE_HANDLER(proc_domain_set_autostart);
REMOTE_HANDLER(proc_domain_has_managed_save_image);
REMOTE_HANDLER(proc_domain_snapshot_num);
REMOTE_HANDLER(proc_domain_snapshot_create_xml);
REMOTE_HANDLER(proc_domain_snapshot_get_xml_desc);
REMOTE_HANDLER(proc_domain_snapshot_lookup_by_name);
REMOTE_HANDLER(proc_domain_snapshot_current);
REMOTE_HANDLER(proc_domain_has_current_snapshot);
REMOTE_HANDLER(proc_domain_revert_to_snapshot);
REMOTE_HANDLER(proc_domain_snapshot_delete);
REMOTE_HANDLER(proc_domain_snapshot_get_parent);
REMOTE_HANDLER(proc_domain_snapshot_is_current);
REMOTE_HANDLER(proc_domain_snapshot_has_metadata);
REMOTE_HANDLER(proc_domain_snapshot_list_names);
REMOTE_HANDLER(proc_domain_list_all_snapshots);
REMOTE_HANDLER(proc_domain_snapshot_num_children);
REMOTE_HANDLER(proc_domain_snapshot_list_children_names);
REMOTE_HANDLER(proc_domain_snapshot_list_all_children);
REMOTE_HANDLER(proc_domain_checkpoint_create_xml);
REMOTE_HANDLER(proc_domain_checkpoint_get_xml_desc);
REMOTE_HANDLER(proc_domain_list_all_checkpoints);
REMOTE_HANDLER(proc_domain_checkpoint_list_all_children);
REMOTE_HANDLER(proc_domain_checkpoint_lookup_by_name);
REMOTE_HANDLER(proc_domain_checkpoint_get_parent);
REMOTE_HANDLER(proc_domain_checkpoint_delete);
REMOTE_HANDLER(proc_domain_backup_begin);
REMOTE_HANDLER(proc_domain_backup_get_xml_desc);
REMOTE_HANDLER(proc_domain_get_security_label);
REMOTE_HANDLER(proc_domain_get_messages);
REMOTE_HANDLER(proc_domain_get_metadata);
REMOTE_HANDLER(proc_domain_set_metadata);
REMOTE_HANDLER(proc_domain_screenshot);
REMOTE_HANDLER(proc_domain_send_key);
REMOTE_HANDLER(proc_domain_open_graphics_fd);
REMOTE_HANDLER(proc_domain_open_graphics);
REMOTE_HANDLER(proc_domain_create_with_files);
REMOTE_HANDLER(proc_domain_create_xml_with_files);
REMOTE_HANDLER(proc_domain_inject_nmi);
REMOTE_HANDLER(proc_domain_set_vcpus_flags);
/* proc-domain-peek.c */
REMOTE_HANDLER(proc_domain_block_peek);
REMOTE_HANDLER(proc_domain_memory_peek);
REMOTE_HANDLER(proc_domain_pm_wakeup);
REMOTE_HANDLER(proc_domain_pm_suspend_for_duration);
REMOTE_HANDLER(proc_domain_migrate_set_max_downtime);        /* proc-domain-migrate.c */
REMOTE_HANDLER(proc_domain_migrate_get_max_downtime);
REMOTE_HANDLER(proc_domain_migrate_set_max_speed);
REMOTE_HANDLER(proc_domain_migrate_get_max_speed);
REMOTE_HANDLER(proc_domain_migrate_set_compression_cache);
REMOTE_HANDLER(proc_domain_migrate_get_compression_cache);
REMOTE_HANDLER(proc_domain_migrate_start_post_copy);
REMOTE_HANDLER(proc_domain_migrate_begin3_params);           /* proc-domain-migrate-v3.c */
REMOTE_HANDLER(proc_domain_migrate_prepare3_params);
REMOTE_HANDLER(proc_domain_migrate_perform3_params);
REMOTE_HANDLER(proc_domain_migrate_finish3_params);
REMOTE_HANDLER(proc_domain_migrate_confirm3_params);
REMOTE_HANDLER(proc_domain_get_memory_parameters);
REMOTE_HANDLER(proc_domain_set_memory_parameters);
REMOTE_HANDLER(proc_domain_get_scheduler_type);
REMOTE_HANDLER(proc_domain_get_scheduler_parameters);
REMOTE_HANDLER(proc_domain_get_scheduler_parameters_flags);
REMOTE_HANDLER(proc_domain_set_scheduler_parameters);
REMOTE_HANDLER(proc_domain_set_scheduler_parameters_flags);

/* proc-domain-life.c: lifecycle verbs, which may complete later */
REMOTE_HANDLER(proc_domain_create);
REMOTE_HANDLER(proc_domain_create_with_flags);
REMOTE_HANDLER(proc_domain_create_xml);
REMOTE_HANDLER(proc_domain_destroy);
REMOTE_HANDLER(proc_domain_destroy_flags);
REMOTE_HANDLER(proc_domain_shutdown);
REMOTE_HANDLER(proc_domain_shutdown_flags);
REMOTE_HANDLER(proc_domain_reboot);
REMOTE_HANDLER(proc_domain_reset);
REMOTE_HANDLER(proc_domain_set_memory);
REMOTE_HANDLER(proc_connect_get_all_domain_stats);
REMOTE_HANDLER(proc_domain_set_memory_flags);
REMOTE_HANDLER(proc_domain_suspend);
REMOTE_HANDLER(proc_domain_resume);

/* proc-network.c */
REMOTE_HANDLER(proc_network_lookup_by_name);
REMOTE_HANDLER(proc_network_lookup_by_uuid);
REMOTE_HANDLER(proc_network_define_xml);
REMOTE_HANDLER(proc_network_define_xml_flags);
REMOTE_HANDLER(proc_network_create_xml);
REMOTE_HANDLER(proc_network_create_xml_flags);
REMOTE_HANDLER(proc_network_create);
REMOTE_HANDLER(proc_network_destroy);
REMOTE_HANDLER(proc_network_undefine);
REMOTE_HANDLER(proc_network_get_xml_desc);
REMOTE_HANDLER(proc_network_get_bridge_name);
REMOTE_HANDLER(proc_network_get_autostart);
REMOTE_HANDLER(proc_network_get_dhcp_leases);
REMOTE_HANDLER(proc_domain_interface_addresses);
REMOTE_HANDLER(proc_domain_update_device_flags);
REMOTE_HANDLER(proc_domain_attach_device);
REMOTE_HANDLER(proc_domain_attach_device_flags);
REMOTE_HANDLER(proc_domain_detach_device);
REMOTE_HANDLER(proc_domain_detach_device_flags);
REMOTE_HANDLER(proc_domain_detach_device_alias);
REMOTE_HANDLER(proc_network_set_autostart);
REMOTE_HANDLER(proc_network_is_active);
REMOTE_HANDLER(proc_network_is_persistent);
REMOTE_HANDLER(proc_network_update);
/* proc-network-port.c */
REMOTE_HANDLER(proc_network_list_all_ports);
REMOTE_HANDLER(proc_network_port_lookup_by_uuid);
REMOTE_HANDLER(proc_network_port_create_xml);
REMOTE_HANDLER(proc_network_port_get_parameters);
REMOTE_HANDLER(proc_network_port_set_parameters);
REMOTE_HANDLER(proc_network_port_get_xml_desc);
REMOTE_HANDLER(proc_network_port_delete);

/* proc-storage.c: pools */
REMOTE_HANDLER(proc_storage_pool_lookup_by_name);
REMOTE_HANDLER(proc_storage_pool_lookup_by_uuid);
REMOTE_HANDLER(proc_storage_pool_lookup_by_volume);
REMOTE_HANDLER(proc_storage_pool_define_xml);
REMOTE_HANDLER(proc_connect_find_storage_pool_sources);
REMOTE_HANDLER(proc_storage_pool_create_xml);
REMOTE_HANDLER(proc_storage_pool_create);
REMOTE_HANDLER(proc_storage_pool_build);
REMOTE_HANDLER(proc_storage_pool_destroy);
REMOTE_HANDLER(proc_storage_pool_delete);
REMOTE_HANDLER(proc_storage_pool_undefine);
REMOTE_HANDLER(proc_storage_pool_refresh);
REMOTE_HANDLER(proc_storage_pool_get_xml_desc);
REMOTE_HANDLER(proc_storage_pool_get_info);
REMOTE_HANDLER(proc_storage_pool_get_autostart);
REMOTE_HANDLER(proc_storage_pool_set_autostart);
REMOTE_HANDLER(proc_storage_pool_is_active);
REMOTE_HANDLER(proc_storage_pool_is_persistent);

/* proc-volume.c */
REMOTE_HANDLER(proc_storage_vol_lookup_by_name);
REMOTE_HANDLER(proc_storage_vol_lookup_by_key);
REMOTE_HANDLER(proc_storage_vol_lookup_by_path);
REMOTE_HANDLER(proc_storage_vol_create_xml);
REMOTE_HANDLER(proc_storage_vol_create_xml_from);
REMOTE_HANDLER(proc_storage_vol_delete);
REMOTE_HANDLER(proc_storage_vol_wipe);
REMOTE_HANDLER(proc_storage_vol_wipe_pattern);
REMOTE_HANDLER(proc_storage_vol_resize);
REMOTE_HANDLER(proc_storage_vol_upload);
REMOTE_HANDLER(proc_storage_vol_download);
REMOTE_HANDLER(proc_storage_vol_get_xml_desc);
REMOTE_HANDLER(proc_storage_vol_get_info);
REMOTE_HANDLER(proc_storage_vol_get_info_flags);
REMOTE_HANDLER(proc_storage_vol_get_path);

/* events.c */
REMOTE_HANDLER(proc_connect_domain_event_register);
REMOTE_HANDLER(proc_connect_domain_event_deregister);
REMOTE_HANDLER(proc_connect_domain_event_register_any);
REMOTE_HANDLER(proc_connect_domain_event_deregister_any);
REMOTE_HANDLER(proc_connect_domain_event_callback_register_any);
REMOTE_HANDLER(proc_connect_domain_event_callback_deregister_any);
REMOTE_HANDLER(proc_connect_network_event_register_any);
REMOTE_HANDLER(proc_connect_network_event_deregister_any);
REMOTE_HANDLER(proc_connect_storage_pool_event_register_any);
REMOTE_HANDLER(proc_connect_storage_pool_event_deregister_any);
REMOTE_HANDLER(proc_connect_secret_event_register_any);
REMOTE_HANDLER(proc_connect_secret_event_deregister_any);

/* proc-secret.c */
typedef struct Secret Secret;
int remote_put_secret(XdrWriter *w, const Secret *s);
REMOTE_HANDLER(proc_connect_num_of_secrets);
REMOTE_HANDLER(proc_connect_list_secrets);
REMOTE_HANDLER(proc_connect_list_all_secrets);
REMOTE_HANDLER(proc_secret_lookup_by_uuid);
REMOTE_HANDLER(proc_secret_lookup_by_usage);
REMOTE_HANDLER(proc_secret_define_xml);
REMOTE_HANDLER(proc_secret_get_xml_desc);
REMOTE_HANDLER(proc_secret_set_value);
REMOTE_HANDLER(proc_secret_get_value);
REMOTE_HANDLER(proc_secret_undefine);
/* proc-cpu.c */
REMOTE_HANDLER(proc_connect_get_cpu_model_names);
REMOTE_HANDLER(proc_node_get_memory_parameters);
REMOTE_HANDLER(proc_node_get_free_pages);
/* proc-nodedev.c: device state */
REMOTE_HANDLER(proc_node_device_is_active);
REMOTE_HANDLER(proc_node_device_is_persistent);
REMOTE_HANDLER(proc_node_device_get_autostart);
REMOTE_HANDLER(proc_node_device_set_autostart);
/* proc-storage.c: lookup by target path */
REMOTE_HANDLER(proc_storage_pool_lookup_by_target_path);
REMOTE_HANDLER(proc_connect_get_storage_pool_capabilities);
/* proc-cpu-compare.c */
REMOTE_HANDLER(proc_connect_compare_cpu);
REMOTE_HANDLER(proc_connect_baseline_cpu);
/* proc-nwfilter.c */
REMOTE_HANDLER(proc_connect_num_of_nwfilters);
REMOTE_HANDLER(proc_connect_list_nwfilters);
REMOTE_HANDLER(proc_connect_list_all_nwfilters);
REMOTE_HANDLER(proc_nwfilter_lookup_by_name);
REMOTE_HANDLER(proc_nwfilter_lookup_by_uuid);
REMOTE_HANDLER(proc_nwfilter_get_xml_desc);
REMOTE_HANDLER(proc_nwfilter_define_xml);
REMOTE_HANDLER(proc_nwfilter_define_xml_flags);
REMOTE_HANDLER(proc_nwfilter_undefine);
REMOTE_HANDLER(proc_nwfilter_binding_lookup_by_port_dev);
REMOTE_HANDLER(proc_nwfilter_binding_get_xml_desc);
REMOTE_HANDLER(proc_nwfilter_binding_create_xml);
REMOTE_HANDLER(proc_nwfilter_binding_delete);
REMOTE_HANDLER(proc_connect_list_all_nwfilter_bindings);
REMOTE_HANDLER(proc_domain_fd_associate);
/* proc-domain-perf.c */
REMOTE_HANDLER(proc_domain_get_perf_events);
REMOTE_HANDLER(proc_domain_set_perf_events);
/* connect_close: the client's subscriptions go with its connection. */
void remote_events_drop_all(RemoteClient *c);
REMOTE_HANDLER(proc_domain_get_launch_security_info);
