/* driver.h: what a hypervisor driver provides: small ops tables per object kind. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "call.h"
#include "error.h"

typedef struct Connection Connection;
typedef struct Driver Driver;
typedef struct Domain Domain;
typedef struct Network Network;
typedef struct StoragePool StoragePool;
typedef struct StorageVol StorageVol;
typedef struct VolDef VolDef;
typedef struct DomainDef DomainDef;
typedef struct DomainDevices DomainDevices;
typedef struct PoolDef PoolDef;
typedef struct DomainStats DomainStats;
typedef struct DomainMemtune DomainMemtune;
typedef struct DomainCputune DomainCputune;
typedef struct DomainBlkiotune DomainBlkiotune;
typedef struct DomainNumatune DomainNumatune;
typedef struct DomainSecLabel DomainSecLabel;
typedef struct Stream Stream;
typedef struct NetworkDef NetworkDef;
typedef struct NetworkOps NetworkOps;
typedef struct NetworkLease NetworkLease;
typedef struct PoolOps PoolOps;
typedef struct DomainDiskNet DomainDiskNet;
typedef struct SnapshotDef SnapshotDef;
typedef struct CheckpointDef CheckpointDef;
typedef struct BackupDef BackupDef;

typedef struct DomainRuntimeInfo {
        uint64_t cpu_time_ns;
        uint64_t memory_kib;        /* current balloon size */
} DomainRuntimeInfo;

/* Each op reports what happened through domain_transition() (now or later) and returns 0
 * when done, VERB_PENDING when it will complete call later, or -1 with err set. The core has
 * checked state and job before calling. */
typedef struct DomainOps {
        int (*start)(Domain *d, unsigned flags, Call *call, VbError *err);
        int (*shutdown)(Domain *d, unsigned flags, Call *call, VbError *err);
        int (*reboot)(Domain *d, unsigned flags, Call *call, VbError *err);
        int (*reset)(Domain *d, unsigned flags, Call *call, VbError *err);
        int (*suspend)(Domain *d, Call *call, VbError *err);
        int (*resume)(Domain *d, Call *call, VbError *err);
        int (*destroy)(Domain *d, unsigned flags, Call *call, VbError *err);
        /* Called for inactive domains too (info is prefilled from the definition). */
        int (*get_runtime_info)(Domain *d, DomainRuntimeInfo *info, VbError *err);
        /* The balloon of a running domain to kib (the core has checked the bounds and holds a
         * modify job); the op sets d->live's current memory when done. */
        int (*set_memory)(Domain *d, uint64_t kib, Call *call, VbError *err);
        /* The link of NIC index (in d->live's <devices> order) of a running domain up or down
         * (the core holds a modify job); the op sets that NIC's <link state> in d->live when
         * done. NULL: virDomainUpdateDeviceFlags answers "not supported" for live changes. */
        int (*set_interface_link)(Domain *d, size_t index, bool up, Call *call, VbError *err);
        /* Runtime parts of the stats of a running domain (st is prefilled from the definition:
         * vcpus without times, blocks with the sizes of their files). 0 when done, or
         * VERB_PENDING: the op completes call with st as result, then frees st. */
        int (*get_stats)(Domain *d, DomainStats *st, Call *call, VbError *err);
        /* A picture of screen `screen` of a running domain: the op becomes st's producer (the
         * door is its consumer) and sets *mime ("image/png", malloc'ed). NULL: the connection
         * answers libvirt's "not supported". */
        int (*screenshot)(Domain *d, unsigned screen, Stream *st, char **mime, VbError *err);
        /* The guest's console dev_name (NULL: the first console or serial) of a running domain:
         * the op becomes out's producer and in's consumer. One client at a time: FORCE (1)
         * takes over from the one there, else libvirt's "Active console session exists for
         * this domain". NULL: "not supported". */
        int (*open_console)(Domain *d, const char *dev_name, unsigned flags, Stream *out, Stream *in,
                            VbError *err);
        /* The guest's <channel> name (its alias or virtio target name; NULL: the first) of a
         * running domain, as open_console: one client per channel, FORCE takes over. NULL:
         * "not supported". */
        int (*open_channel)(Domain *d, const char *name, unsigned flags, Stream *out, Stream *in,
                            VbError *err);
        /* Undefine: the driver's refusals before anything changes (libvirt's "cannot undefine
         * domain with nvram"), and its own files of the definition once it is gone (the NVRAM
         * with VIR_DOMAIN_UNDEFINE_NVRAM). Either may be NULL. */
        int (*undefine_check)(Domain *d, unsigned flags, VbError *err);
        void (*undefined)(Domain *d, const DomainDef *def, unsigned flags);
        /* <memtune> of a running domain to m (its guest's cgroup); the core then keeps m in
         * d->live. NULL: the live definition alone changes (Test, as libvirt's test driver). */
        int (*set_memtune)(Domain *d, const DomainMemtune *m, VbError *err);
        /* <cputune> shares/period/quota of a running domain to t (its cgroup); the core then
         * keeps them in d->live. NULL: virDomainSetSchedulerParameters is not supported live. */
        int (*set_cputune)(Domain *d, const DomainCputune *t, VbError *err);
        /* A running vCPU's / the emulator threads' host CPUs to map (also given as the cpuset
         * list "0-1,3"); the core then keeps the pin in d->live. NULL: not supported. */
        int (*pin_vcpu)(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
        int (*pin_emulator)(Domain *d, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
        /* <blkiotune> / <numatune> of a running domain to t (its cgroup); the core then keeps t
         * in d->live. NULL: virDomainSet/GetBlkioParameters, Set/GetNumaParameters not supported. */
        int (*set_blkiotune)(Domain *d, const DomainBlkiotune *t, VbError *err);
        int (*set_numatune)(Domain *d, const DomainNumatune *t, VbError *err);
        /* virDomainGetSecurityLabelList of a running domain: one label per driver of the
         * stack into out (at most max, zeroed); the count. NULL: not supported. */
        int (*security_labels)(Domain *d, DomainSecLabel *out, int max, VbError *err);
        /* virDomainSave: the state of a running or paused domain into fd (taken), which already
         * holds the image header (domain-save.h) and is positioned after it. The op reports
         * DOMAIN_INPUT_SAVED once the state is on disk and the hypervisor has ended; on failure
         * the guest goes on as before and the op unlinks path (NULL: the image is no regular
         * file, a device, and is never unlinked). NULL op: "not supported". */
        int (*save)(Domain *d, int fd, const char *path, Call *call, VbError *err);
        /* Start inactive d from the state in fd (taken, positioned after the header) with live
         * (taken) as its running definition; the op reports DOMAIN_INPUT_RESTORED (then PAUSED
         * when paused) and, once it has, unlinks remove_path when not NULL (a managed save
         * image). NULL: "not supported". */
        int (*restore)(Domain *d, DomainDef *live, int fd, bool paused, const char *remove_path, Call *call,
                       VbError *err);
        /* Where d's managed save image lives (malloc'ed); NULL op: no managed save. */
        char *(*managed_save_path)(Domain *d);
        /* virDomainCoreDumpWithFormat --memory-only: the guest's memory into fd (taken) in
         * format (DOMAIN_CORE_DUMP_FORMAT_*), inside the core's dump job; flags: DUMP_LIVE
         * (the guest is not paused meanwhile), DUMP_RESET (reset after). On failure the op
         * unlinks path (NULL: not a regular file). NULL: "not supported". */
        int (*core_dump)(Domain *d, int fd, const char *path, unsigned format, unsigned flags, Call *call,
                         VbError *err);
        /* virDomainCoreDump without MEMORY_ONLY: the whole state into fd (taken; after a save
         * image header, as save's), the guest going on afterwards as it was (DUMP_LIVE: not
         * paused meanwhile; DUMP_RESET: reset). On failure the op unlinks path. NULL: "not
         * supported". */
        int (*dump_state)(Domain *d, int fd, const char *path, unsigned flags, Call *call, VbError *err);
        /* virDomainRename of shut-off d: the driver's own files named after the domain move from
         * from to to, and def (the new definition; NULL when undoing) is updated to them. NULL:
         * "not supported". */
        int (*rename)(Domain *d, const char *from, const char *to, DomainDef *def, VbError *err);
        /* virDomainSendKey to a running domain: n (1..16) keycodes of codeset (libvirt's
         * virKeycodeSet numbers) pressed together for holdtime ms (0: the hypervisor's
         * default). The op translates them (an untranslatable one: VB_ERR_INVALID_ARG) and
         * may answer VERB_PENDING, ending the core's modify job when it completes. NULL:
         * "not supported". */
        int (*send_key)(Domain *d, unsigned codeset, unsigned holdtime, const uint32_t *keys, size_t n,
                        Call *call, VbError *err);
        /* virDomainOpenGraphicsFD: a socket connected to display idx (the idx-th <graphics>)
         * of a running domain; flags: DOMAIN_OPEN_GRAPHICS_SKIPAUTH. Completes call with result
         * an int * to the socket, which the op closes after call_complete (a door duplicates
         * it). NULL: "not supported". */
        int (*open_graphics_fd)(Domain *d, unsigned idx, unsigned flags, Call *call, VbError *err);
        /* virDomainOpenGraphics: the caller's socket fd (taken in every case) becomes a client
         * of display idx; completes call (result NULL) once the hypervisor took it. NULL: "not
         * supported". */
        int (*open_graphics)(Domain *d, unsigned idx, int fd, unsigned flags, Call *call, VbError *err);
        /* virDomainCreateWithFiles / CreateXMLWithFiles: start() accepts descriptors for the
         * guest. libvirt's test driver takes them and runs nothing that could use them, and so
         * does this one's; libvirt's QEMU driver has no such call (LXC alone hands them to the
         * guest's init): false answers "not supported". */
        bool start_takes_files;
        /* virDomainFDAssociate: the core keeps the caller's fd groups (domain-fdgroup.h) and
         * the driver's start opens <source fdgroup='NAME'> disks through them. false: "not
         * supported". */
        bool fd_groups;
        void (*forget)(Domain *d);  /* free d->driver_data */
        /* Hotplug (domain-hotplug.c; the core holds a modify job and has checked the device
         * against d->live): attach disk 0 of dev to a running domain (the op takes dev in
         * every case) and append it to d->live when QEMU has it; detach disk index of
         * d->live (removed from d->live when the guest let it go). NULL: not supported. */
        int (*attach_disk)(Domain *d, DomainDevices *dev, Call *call, VbError *err);
        int (*detach_disk)(Domain *d, size_t index, Call *call, VbError *err);
        /* The index of the disk of def whose device alias is alias (virtio-disk1, …), or -1. */
        long (*disk_by_alias)(const DomainDef *def, const char *alias);
        /* The media of cdrom index of d->live: path (format raw/qcow2) inserted, or ejected
         * when path is NULL; the op sets the disk's source in d->live when QEMU did it. */
        int (*change_media)(Domain *d, size_t index, const char *path, const char *format, Call *call, VbError *err);
        /* Snapshots (snapshot-verbs.c; the core holds a modify job and keeps the tree): take
         * def (its state, memory and disks filled: what to snapshot where; flags libvirt's
         * SNAPSHOT_CREATE_*), bring d back to def (SNAPSHOT_REVERT_*), or remove def's data
         * from the disks. 0 done, VERB_PENDING (the op completes call later), -1 with err and
         * nothing changed. NULL: "not supported". */
        int (*snapshot_create)(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err);
        int (*snapshot_revert)(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err);
        int (*snapshot_delete)(Domain *d, const SnapshotDef *def, Call *call, VbError *err);
        /* Checkpoints (checkpoint-verbs.c; the core holds a modify job and keeps the tree): make
         * the bitmaps of def's disks (checkpoint 'bitmap', each with its bitmap name), or remove
         * them. 0 done, VERB_PENDING (the op completes call later), -1 with err and nothing
         * changed. NULL: "not supported". */
        int (*checkpoint_create)(Domain *d, const CheckpointDef *def, Call *call, VbError *err);
        int (*checkpoint_delete)(Domain *d, const CheckpointDef *def, Call *call, VbError *err);
        /* A push backup of the running d (backup.c; def's disks filled, chk: a checkpoint to
         * make at the same instant, or NULL): completes call once the copy runs (0, or
         * VERB_PENDING), and reports its end with backup_ended(). NULL: "not supported". */
        int (*backup_begin)(Domain *d, BackupDef *def, const CheckpointDef *chk, Call *call, VbError *err);
        /* A running display's password (graphics index in d->live) and its expiry (NULL: never;
         * else passwdValidTo's text, already checked); the op sets both in d->live when QEMU did. */
        int (*set_graphics_password)(Domain *d, size_t index, const char *passwd, const char *valid_to,
                                     Call *call, VbError *err);
        /* NIC hotplug (domain-hotplug-nic.c), as attach_disk/detach_disk: interface 0 of dev
         * (taken) joins d->live when QEMU has it; interface index of d->live leaves when the
         * guest let it go. interface_by_alias: the index of def's interface with that device
         * alias, or -1. NULL: not supported. */
        int (*attach_interface)(Domain *d, DomainDevices *dev, Call *call, VbError *err);
        int (*detach_interface)(Domain *d, size_t index, Call *call, VbError *err);
        long (*interface_by_alias)(const DomainDef *def, const char *alias);
        /* virDomainInjectNMI to a running domain (domain-live-calls.c); may answer VERB_PENDING. */
        int (*inject_nmi)(Domain *d, Call *call, VbError *err);
        /* virDomainSetVcpusFlags LIVE: n (1..<vcpu> maximum) vCPUs in the running domain, whose
         * live current_vcpus follows each one plugged or unplugged; 0 when already so. */
        int (*set_vcpus)(Domain *d, unsigned n, Call *call, VbError *err);
        /* Other device kinds (domain-hotplug-dev.c: USB inputs and hubs, controllers).
         * prepare_device: the place the device of dev (one element) takes in def (a USB port,
         * a controller's index), or -1 with err (no
         * free place; the place dev names is taken). attach_device: as attach_disk, for dev's
         * one element; detach_device: element index of kind ("input", "hub") of d->live, as
         * detach_disk. NULL: not supported. */
        int (*prepare_device)(const DomainDef *def, DomainDevices *dev, VbError *err);
        int (*attach_device)(Domain *d, DomainDevices *dev, Call *call, VbError *err);
        int (*detach_device)(Domain *d, const char *kind, size_t index, Call *call, VbError *err);
        /* Element index of kind in def may leave it (0), or -1 with err (libvirt's "device
         * cannot be detached: device is busy" for a controller devices sit on). */
        int (*check_detach)(const DomainDef *def, const char *kind, size_t index, VbError *err);
        /* The index of def's element of one of those kinds whose device alias is alias (its
         * kind, a static string, in *kind), or -1: detach-device-alias. */
        long (*device_by_alias)(const DomainDef *def, const char *alias, const char **kind);
        /* virDomainBlockPeek (domain-peek.c; no job, the domain may be inactive): size bytes
         * (0 … 4 MiB) at offset of the source of disk index of def (named so by the caller: for
         * messages). VERB_PENDING, then call completes with a DomainPeekResult; or -1. NULL:
         * "not supported". */
        int (*block_peek)(Domain *d, const DomainDef *def, size_t index, const char *name, uint64_t offset,
                          size_t size, Call *call, VbError *err);
        /* virDomainMemoryPeek of a running domain: size (1 … 4 MiB) bytes of its guest-physical
         * memory (physical) or of CPU 0's virtual address space from start: 0 with out filled,
         * or VERB_PENDING and call completes with a DomainPeekResult. NULL: "not supported". */
        int (*memory_peek)(Domain *d, uint64_t start, size_t size, bool physical, uint8_t *out, Call *call,
                           VbError *err);
        /* virDomainPMWakeup of a running domain (the core holds a modify job, may answer
         * VERB_PENDING); virDomainPMSuspendForDuration: the guest suspends to target
         * (domain-peek.h), the state following the hypervisor's event. NULL: "not supported". */
        int (*pm_wakeup)(Domain *d, Call *call, VbError *err);
        int (*pm_suspend)(Domain *d, unsigned target, Call *call, VbError *err);
} DomainOps;

/* Network and pool ops belong to a subsystem (host.h), not to a connection. Each op returns 0
 * when done, -1 with err set, or VERB_PENDING: it then reports its outcome later with
 * network_job_done / pool_job_done / vol_job_done, and the core applies it and answers call.
 * The core has checked state and taken the object's job before calling. A NULL op: the
 * subsystem cannot do that, and the verb answers libvirt's "not supported". */
struct NetworkOps {
        /* Complete a parsed definition before anything else sees it (the host's: a free virbrN
         * and a MAC when none is given, as libvirt); existing is the network it redefines, if
         * any. NULL: nothing to add. */
        int (*post_parse)(Connection *c, Network *existing, NetworkDef *def, VbError *err);
        /* Keep a (new) definition, before the core installs it; and forget it (undefine). */
        int (*define)(Network *n, const NetworkDef *def, VbError *err);
        int (*undefine)(Network *n, VbError *err);
        int (*start)(Network *n, Call *call, VbError *err);
        int (*stop)(Network *n, Call *call, VbError *err);
        /* The DHCP leases of a network (only those of mac when not NULL), newest state. */
        int (*get_dhcp_leases)(Network *n, const char *mac, NetworkLease **out, size_t *n_out, VbError *err);
        /* Persist the autostart mark (NULL: kept in memory only). */
        int (*set_autostart)(Network *n, bool autostart, VbError *err);
        /* virNetworkUpdate: config (NULL: unchanged) is the new persistent definition, live (NULL:
         * unchanged) the new running one, both with section edited; check both, keep config and
         * apply live (dnsmasq's hosts, or a restart of dnsmasq: VERB_PENDING, then
         * network_job_done) or change nothing. The core installs them on success. */
        int (*update)(Network *n, const NetworkDef *config, const NetworkDef *live, unsigned section, VbError *err);
        /* A guest NIC's inbound floor (libvirt's QoS, network-floor.h) on running network n: reserve
         * it, or refuse when the floors would overcommit the network's inbound average, and
         * guarantee it on the bridge. A reservation is the NIC's, known by its tap (two NICs may
         * share a MAC, each with a port of its own, as libvirt's): the tap's is replaced, another
         * NIC's of that MAC stays. NULL: not supported. */
        int (*floor_plug)(Network *n, const uint8_t mac[6], const char *tap, uint64_t floor, VbError *err);
        /* Release the floor of the NIC with mac and tap, if it has one. */
        void (*floor_unplug)(Network *n, const uint8_t mac[6], const char *tap);
};

struct PoolOps {
        /* Defaults applied to every parsed definition (the Test driver's 100 GiB pools). */
        int (*post_parse)(PoolDef *def, VbError *err);
        int (*define)(StoragePool *p, const PoolDef *def, VbError *err);
        int (*undefine)(StoragePool *p, VbError *err);
        int (*start)(StoragePool *p, Call *call, VbError *err);   /* and scan its volumes */
        int (*stop)(StoragePool *p, Call *call, VbError *err);
        int (*build)(StoragePool *p, unsigned flags, Call *call, VbError *err);
        int (*remove)(StoragePool *p, unsigned flags, Call *call, VbError *err);  /* virStoragePoolDelete */
        int (*refresh)(StoragePool *p, Call *call, VbError *err);
        /* Fill def->key, def->path (and allocation) and create the volume's storage. The job is
         * the pool's ("vol-create"); the volume is published when the op has succeeded. */
        int (*vol_create)(StoragePool *p, VolDef *def, StorageVol *from, Call *call, VbError *err);
        int (*vol_delete)(StorageVol *v, unsigned flags, Call *call, VbError *err);
        int (*vol_wipe)(StorageVol *v, unsigned flags, Call *call, VbError *err);
        /* virStorageVolWipePattern with an algorithm other than zero (0 goes to vol_wipe). */
        int (*vol_wipe_pattern)(StorageVol *v, unsigned algorithm, unsigned flags, Call *call, VbError *err);
        int (*vol_resize)(StorageVol *v, uint64_t capacity, unsigned flags, Call *call, VbError *err);
        /* Move the volume's bytes [offset, offset + length) (length 0: to the end) through st:
         * the op is st's producer (download) or consumer (upload) and ends the volume's job with
         * vol_job_done when the transfer is over. */
        int (*vol_download)(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
        int (*vol_upload)(StorageVol *v, uint64_t offset, uint64_t length, Stream *st, VbError *err);
        /* Where a network volume is (protocol, host, port, target, LUN, initiator), for a guest
         * disk on it; net is zeroed, its strings malloc'ed by the op. NULL: network volumes
         * cannot be disks. */
        int (*network_source)(StorageVol *v, DomainDiskNet *net, VbError *err);
        /* virConnectFindStoragePoolSources for pools of type (spec: the <source> to look
         * around, may be NULL): VERB_PENDING, then call completed with the <sources> XML as
         * result (a string the op frees after call_complete); or -1 with err set. May be NULL. */
        int (*find_sources)(Connection *c, const char *type, const char *spec, Call *call, VbError *err);
        /* Persistent definitions (and autostart) of a host-wide subsystem, loaded into its
         * first connection at open (kinds.c); returns how many files were refused. May be NULL. */
        int (*load_all)(Connection *c);
        /* Keep the autostart mark; NULL: the core keeps it in memory only. */
        int (*set_autostart)(StoragePool *p, bool autostart, VbError *err);
        /* Whether pools of type (libvirt's name: "dir", "logical" …) have a backend here, for
         * virConnectGetStoragePoolCapabilities; NULL: none has. */
        bool (*has_type)(const char *type);
};

/* The hypervisor a CPU is compared with (virConnectCompareHypervisorCPU): each NULL for the
 * connection's default. */
typedef struct HypervisorCpu {
        const char *emulator, *arch, *machine, *virttype;
} HypervisorCpu;

typedef struct NodeInfo {
        char model[32];
        uint64_t memory_kib;
        unsigned cpus, mhz, nodes, sockets, cores, threads;
} NodeInfo;

typedef struct HostOps {
        char *(*capabilities)(Connection *c, VbError *err);
        char *(*sysinfo)(Connection *c, VbError *err);
        int (*node_info)(Connection *c, NodeInfo *info, VbError *err);
        int (*free_memory)(Connection *c, uint64_t *bytes, VbError *err);
        /* virConnectGetDomainCapabilities: NULL arguments mean the driver's defaults. */
        char *(*domain_capabilities)(Connection *c, const char *emulator, const char *arch, const char *machine,
                                     const char *virttype, VbError *err);
        /* virNodeGetMemoryStats in KiB (cell -1: the whole host); out: total, free, buffers, cached. */
        int (*memory_stats)(Connection *c, int cell, uint64_t out[4], VbError *err);
        /* virNodeGetCPUStats in ns (cpu -1: all); out: kernel, user, idle, iowait. */
        int (*cpu_stats)(Connection *c, int cpu, uint64_t out[4], VbError *err);
        /* virNodeGetCellsFreeMemory: up to max cells from start, in bytes; the count. */
        int (*cells_free_memory)(Connection *c, int start, int max, uint64_t *bytes, VbError *err);
        /* virNodeGetCPUMap: the CPUs online into map (maplen bytes), their count; returns the CPUs present. */
        int (*cpu_map)(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err);
        /* virNodeGetMemoryParameters: KSM's eight values in libvirt's order (node-memory.c); the
         * count (7 without merge_across_nodes), or -1. */
        int (*memory_parameters)(Connection *c, uint64_t out[8], VbError *err);
        /* virNodeSetMemoryParameters: KSM's pages_to_scan, sleep_millisecs, merge_across_nodes
         * (set[i] false: left alone), written off the loop: 0, VERB_PENDING (call completes), or
         * -1. NULL: "not supported". */
        int (*set_memory_parameters)(Connection *c, const bool set[3], const unsigned v[3], Call *call, VbError *err);
        /* virNodeGetFreePages: counts[cell * npages + i] of free pages of pages[i] KiB in cells
         * start … start + cells - 1 (node-memory.c checks the arguments first). 0, or -1. */
        int (*free_pages)(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells,
                          uint64_t *counts, VbError *err);
        /* Host facts the driver is still learning (QEMU's capabilities probe): 0 when the ops
         * above can answer now, VERB_PENDING when call completes once they can (r < 0 with the
         * reason they never will). NULL: always ready. Never blocks. */
        int (*when_ready)(Connection *c, Call *call, VbError *err);
        /* virConnectCompareCPU: libvirt's virCPUCompareResult (0 incompatible, 1 identical,
         * 2 superset), or -1 with err set. */
        int (*compare_cpu)(Connection *c, const char *xml, unsigned flags, VbError *err);
        /* virConnectBaselineCPU of n <cpu> descriptions (flags checked by the core). */
        char *(*baseline_cpu)(Connection *c, const char *const *xmls, size_t n, unsigned flags, VbError *err);
        /* virConnectCompareHypervisorCPU / BaselineHypervisorCPU: the same against the CPU the
         * hypervisor named by hv can give a guest (flags checked by the core). */
        int (*compare_hypervisor_cpu)(Connection *c, const struct HypervisorCpu *hv, const char *xml, unsigned flags,
                                      VbError *err);
        char *(*baseline_hypervisor_cpu)(Connection *c, const struct HypervisorCpu *hv, const char *const *xmls,
                                         size_t n, unsigned flags, VbError *err);
        /* virNodeGetSecurityModel from the connection's own security stack (its primary driver:
         * "selinux" where SELinux runs, else "none"); static strings. NULL: the Driver's
         * security_model and security_doi below. */
        void (*security_model)(const Connection *c, const char **model, const char **doi);
} HostOps;

struct Driver {
        const char *name;          /* "Test": the D-Bus path element /org/libvirt/Test */
        const char *uri;           /* "test:///default" */
        const char *type;          /* virConnectGetType: "TEST", "QEMU" */
        unsigned long version;     /* hypervisor version, libvirt's encoding */
        int error_from;            /* VbErrorFrom of the driver's own errors (lookups): VB_FROM_TEST, VB_FROM_QEMU */
        /* Fill the connection (for Test: the built-in content). */
        int (*open)(Connection *c, VbError *err);
        void (*close)(Connection *c);
        const DomainOps *domain;
        /* Networks and pools of its own, inside each connection (Test, as libvirt's test
         * driver); NULL: the connection uses the Manager's host-wide subsystems (QEMU). */
        const NetworkOps *own_networks;
        const PoolOps *own_pools;
        const HostOps *host;
        /* Host network interfaces, read-only (iface.h); NULL: "not supported". */
        const struct HostIfaceOps *interfaces;
        /* Per-request domain information (domain-info.h); NULL: "not supported". */
        const struct DomainInfoOps *info;
        /* Statistics and small live settings of running guests (domain-tune-stats.h); NULL: "not supported". */
        const struct DomainTuneOps *tune;
        /* Block jobs of running guests (domain-blockjob.h); NULL: "not supported". */
        const struct DomainBlockJobOps *blockjob;
        /* Host node devices (nodedev.h); NULL: "not supported". */
        const struct NodeDevOps *nodedevs;
        /* The guest agent and monitor passthrough (domain-agent.h); NULL: "not supported". */
        const struct DomainAgentOps *agent;
        /* Live migration and its settings (domain-migrate.h); NULL: "not supported". */
        const struct DomainMigrateOps *migrate;
        /* The connection sees the host's secret store (secret.h); false: "not supported" (Test). */
        bool host_secrets;
        /* The same for network filters and their bindings (nwfilter.h). */
        bool host_nwfilters;
        /* What a driver answers its own way, as data: the doors never compare driver names.
         * virDomainGetOSType whatever the XML says (Test: "linux"); NULL: the <os><type>. */
        const char *os_type;
        /* virDomainGetSchedulerType: Test "fair" with 1 parameter; NULL: "posix" with 5 (the
         * cgroup scheduler of hypervisor drivers). */
        const char *scheduler;
        int scheduler_nparams;
        /* virConnectGetMaxVcpus whatever the type asked (Test: 32); 0: not supported. */
        int max_vcpus;
        /* The virConnectGetAllDomainStats groups (DOMAIN_STATS_*) the driver reports; 0: all
         * that virtbus knows (Test: the state alone, as libvirt's test driver). */
        unsigned domain_stats_groups;
        /* The security driver: virNodeGetSecurityModel's model and DOI, and the label of a
         * running domain (enforcing). NULL model: none (libvirt's "none", DOI "0", no label). */
        const char *security_model, *security_doi, *security_label;
        /* Driver defaults applied to every parsed definition before it is used (libvirt's
         * post-parse callbacks): the Test driver's i686 arch. May be NULL. */
        int (*domain_post_parse)(Connection *c, DomainDef *def, VbError *err);
};

/* Built-in drivers. */
extern const Driver test_driver;
