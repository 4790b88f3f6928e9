/* domain-model.h: what a domain definition holds beyond the fields the core reads (os, cpu, devices …): conf/ fills it, drivers read it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>  /* xmlDocPtr of <metadata> */

#include "domain-conf.h"
#include "xml-util.h"   /* ConfInt */

/* Strings are NULL when the XML did not give them, unless a comment names a default. */

typedef struct DomainOs {
        char *firmware;                    /* <os firmware='efi'> */
        char *type;                        /* only while parsing: moved to DomainDef.os_type */
        char *arch, *machine;
        char *loader, *loader_readonly, *loader_secure, *loader_type;
        char *nvram, *nvram_template;       /* <nvram template='…'>path</nvram> */
        char *kernel, *initrd, *cmdline, *dtb;
        char **boot_devs;                  /* hd, cdrom, network, fd; in order */
        size_t n_boot_devs;
        char *bootmenu_enable;
        char *smbios_mode;
} DomainOs;

typedef struct DomainFeatures {
        bool acpi, apic, pae;
        char *vmport_state, *smm_state;
} DomainFeatures;

typedef struct DomainCpuFeature {
        char *policy, *name;
} DomainCpuFeature;

typedef struct DomainCpu {
        char *mode;                        /* custom, host-model, host-passthrough, maximum */
        char *match, *check, *migratable;
        char *model, *model_fallback;
        char *vendor;
        ConfInt sockets, dies, cores, threads;
        DomainCpuFeature *features;
        size_t n_features;
} DomainCpu;

typedef struct DomainTimer {
        char *name, *tickpolicy, *present, *track;
} DomainTimer;

typedef struct DomainClock {
        char *offset;                      /* NULL = utc */
        char *timezone, *adjustment, *basis;
        DomainTimer *timers;
        size_t n_timers;
} DomainClock;

typedef struct DomainVcpuPin {
        ConfInt vcpu;
        char *cpuset;
} DomainVcpuPin;

/* <cputune><iothreadpin iothread='N' cpuset='…'/> (domain-iothreads.c). */
typedef struct DomainIothreadPin {
        unsigned iothread;
        char *cpuset;
} DomainIothreadPin;

typedef struct DomainCputune {
        ConfInt shares, period, quota;
        DomainVcpuPin *vcpupins;
        size_t n_vcpupins;
        char *emulatorpin;                 /* cpuset */
        DomainIothreadPin *iothreadpins;
        size_t n_iothreadpins;
} DomainCputune;

/* <iothreads>N</iothreads> and <iothreadids> (domain-iothreads.c): one entry per IOThread;
 * autofill: numbered by the parser to make up <iothreads>' count (not written back unless
 * another id was given). */
typedef struct DomainIothreadId {
        unsigned id;
        bool autofill;
} DomainIothreadId;
#define DOMAIN_IOTHREADS_MAX 1024u

/* <perf>: libvirt's perf events, in its order (domain-perf.c); per event DEFAULT (not written),
 * YES or NO (<event name='…' enabled='yes|no'/>). */
#define DOMAIN_PERF_NEVENTS 22
enum { DOMAIN_PERF_DEFAULT, DOMAIN_PERF_YES, DOMAIN_PERF_NO };
/* The name of event i (< DOMAIN_PERF_NEVENTS), or NULL; the index of name, or -1. */
const char *domain_perf_event_name(unsigned i);
int domain_perf_event_index(const char *name);

/* <memtune>: limits in KiB; 0 = unset (libvirt's "unlimited" is not stored). */
typedef struct DomainMemtune {
        uint64_t hard_limit_kib, soft_limit_kib, swap_hard_limit_kib;
} DomainMemtune;

/* <blkiotune>: the guest's block I/O cgroup settings; 0 = unset. */
typedef struct DomainBlkioDevice {
        char *path;                        /* a block device: its major:minor is what the cgroup takes */
        unsigned weight;
        uint64_t read_bytes_sec, write_bytes_sec, read_iops_sec, write_iops_sec;
} DomainBlkioDevice;

typedef struct DomainBlkiotune {
        unsigned weight;                   /* 100-1000 */
        DomainBlkioDevice *devices;
        size_t n_devices;
} DomainBlkiotune;

/* <numatune><memory mode='…' nodeset='…'/>: the memory nodes the guest may use. */
typedef struct DomainNumatune {
        char *mode;                        /* strict, preferred, interleave, restrictive; NULL: strict */
        char *nodeset;                     /* NULL: no <memory> */
} DomainNumatune;

typedef struct DomainSysinfoEntry {
        char *name, *value;
} DomainSysinfoEntry;

typedef struct DomainSysinfoGroup {
        char *name;                        /* bios, system, baseBoard, chassis, oemStrings */
        DomainSysinfoEntry *entries;
        size_t n_entries;
} DomainSysinfoGroup;

typedef struct DomainSysinfo {
        char *type;                        /* smbios; NULL = no <sysinfo> */
        DomainSysinfoGroup *groups;        /* in libvirt's group order */
        size_t n_groups;
} DomainSysinfo;

typedef struct DomainPm {
        char *suspend_to_mem, *suspend_to_disk;   /* yes / no */
} DomainPm;

typedef struct DomainSeclabel {
        char *type, *model, *relabel;
        char *label, *imagelabel, *baselabel;
} DomainSeclabel;

/* <address>: where a device sits on its bus (pci, drive, …); kept as written, all optional. */
typedef struct DomainAddress {
        char *type, *domain, *bus, *slot, *function, *multifunction;
        char *controller, *target, *unit, *port;
} DomainAddress;

/* Where a running definition's <disk type='volume'> on a network volume (an iscsi-direct LUN)
 * leads: set by the core at start, never parsed nor formatted (the XML keeps type='volume',
 * as libvirt's does), freed with the disk. */
typedef struct DomainDiskNet {
        char *protocol;                    /* "iscsi" */
        char *host;
        unsigned port;
        char *target;                      /* the target's IQN */
        unsigned lun;
        char *initiator;                   /* the initiator IQN QEMU logs in as */
} DomainDiskNet;

/* A disk's <iotune>: libvirt's throttling values in its order (that of virDomainSetBlockIoTune's
 * typed parameters and of the XML), 0 = not set; group_name between size_iops_sec and the
 * _max_length ones (domain-disk-iotune.c). */
enum {
        DISK_IOTUNE_TOTAL_BYTES, DISK_IOTUNE_READ_BYTES, DISK_IOTUNE_WRITE_BYTES,
        DISK_IOTUNE_TOTAL_IOPS, DISK_IOTUNE_READ_IOPS, DISK_IOTUNE_WRITE_IOPS,
        DISK_IOTUNE_MAX_BASE,           /* + the above: the _max variants */
        DISK_IOTUNE_SIZE_IOPS = 12,
        DISK_IOTUNE_LENGTH_BASE = 13,   /* + the first six: the _max_length variants */
        DISK_IOTUNE_N = 19,
};
typedef struct DomainDiskIotune {
        uint64_t v[DISK_IOTUNE_N];
        char *group_name;
} DomainDiskIotune;
/* The element or typed parameter name of value i (group_name is not one of them). */
const char *domain_disk_iotune_name(unsigned i);
bool domain_disk_iotune_is_set(const DomainDiskIotune *t);

typedef struct DomainDisk {
        char *type, *device;
        DomainDiskNet *net;                /* runtime only: see DomainDiskNet */
        char *driver_name, *driver_type, *driver_cache, *driver_discard;
        char *source_file, *source_dev;
        /* <source file=… fdgroup='NAME'>: the hypervisor opens the image through the descriptors a
         * client associated with the domain under NAME (virDomainFDAssociate), not by its path. */
        char *source_fdgroup;
        char *source_pool, *source_volume;     /* type='volume': resolved at start (live: file or block) */
        char *source_startup_policy;       /* mandatory, requisite, optional: a missing source at start */
        char *target_dev, *target_bus;
        ConfInt boot_order;
        bool readonly, shareable;
        char *serial;
        DomainAddress address;
        char *alias;                       /* live: <alias name='virtio-disk0'/> (the QEMU id); a user's ua- alias */
        DomainSeclabel *seclabels;         /* <source>'s per-device <seclabel>s (model, relabel, label) */
        size_t n_seclabels;
        DomainDiskIotune iotune;
        ConfInt driver_iothread;           /* <driver iothread='N'>: the IOThread serving the disk */
} DomainDisk;

typedef struct DomainFilterParam {
        char *name, *value;
} DomainFilterParam;

/* One direction of a NIC's <bandwidth> (domain-bandwidth.c): average and peak in KiB/s, burst in
 * KiB, floor (inbound only, type network) in KiB/s; set false: no such element. */
typedef struct DomainBandwidthRate {
        bool set;
        uint64_t average, peak, burst, floor;
} DomainBandwidthRate;

typedef struct DomainInterface {
        char *type;                        /* network, bridge, user, direct … */
        uint8_t mac[6];                    /* generated when the XML has none */
        char *source_network, *source_bridge, *source_dev, *source_mode;
        char *source_portid;               /* live, type network: the network port's UUID (<source portid>) */
        char *target_dev;
        char *target_managed;              /* type ethernet: <target managed='no'>: the tap exists already */
        char *model_type;
        char *driver_name;                 /* <driver name='vhost'|'qemu'> */
        ConfInt driver_queues;             /* <driver queues='N'>: a multiqueue tap */
        ConfInt boot_order;
        char *link_state;
        DomainAddress address;
        char *filterref;                   /* <filterref filter=…>: the network filter on its tap */
        DomainFilterParam *filterref_params;       /* its <parameter>s, in document order */
        size_t n_filterref_params;
        char *alias;                       /* live: <alias name='net1'/> of a hotplugged NIC; a user's ua- alias */
        DomainBandwidthRate bw_in, bw_out; /* <bandwidth><inbound>: host to guest; <outbound>: guest to host */
        char *source_portgroup;            /* type network: <source portgroup>, its network's <portgroup> */
        unsigned mtu;                      /* <mtu size>: the tap's MTU and virtio-net's host_mtu; 0: unset */
} DomainInterface;

typedef struct DomainChr {
        char *type;                        /* pty, file, unix, … */
        char *tty;                         /* live: <serial tty='/dev/pts/N'> */
        char *source_mode, *source_path;
        char *target_type, *target_name;
        ConfInt target_port;
        char *alias;                       /* live: <alias name='serial0'/>; a user's ua- alias */
} DomainChr;

typedef struct DomainGraphics {
        char *type;                        /* vnc, spice, … */
        ConfInt port, tls_port;
        ConfInt websocket;                 /* VNC's websocket port; -1: automatic */
        char *autoport, *listen, *passwd, *keymap;
        char *listen_type;                 /* <listen type='…'>; address when only listen= given */
        char *listen_network, *listen_socket;   /* <listen type='network' network='…'>, type='socket' */
        char *image_compression;           /* SPICE <image compression='off'/> */
        char *passwd_valid_to;             /* passwdValidTo='YYYY-MM-DDTHH:MM:SS' (UTC), as written */
} DomainGraphics;

typedef struct DomainVideo {
        char *model_type;
        ConfInt ram, vram, vgamem, heads;
        char *primary;
        DomainAddress address;
        char *alias;                       /* live: <alias name='video0'/> (the QEMU id); a user's ua- alias */
} DomainVideo;

typedef struct DomainInputDev {
        char *type, *bus;
        char *alias;                       /* live: <alias name='input1'/> of a hotplugged one; a user's ua- alias */
        DomainAddress address;             /* USB inputs: <address type='usb' bus='0' port='N'/> */
} DomainInputDev;

typedef struct DomainController {
        char *type, *model;
        ConfInt index, ports;
        char *model_name;                  /* <model name='pcie-root-port'/> */
        char *target_chassis, *target_port; /* <target chassis='1' port='0x10'/>, as written */
        char *master_startport;            /* <master startport='0'/> of USB companions */
        DomainAddress address;
        char *alias;                       /* live: <alias name='pci.1'/> (the QEMU id); a user's ua- alias */
        bool index_auto;                   /* the XML gave no index: conf chose it (hotplug may choose again) */
} DomainController;

typedef struct DomainSound {
        char *model;                       /* ich9, ich6, ac97, es1370, sb16, usb, ich7 … */
        char *codec_type;                  /* the first <codec type='…'/> */
        DomainAddress address;
        char *alias;                       /* live: <alias name='sound0'/> (the QEMU id); a user's ua- alias */
} DomainSound;

typedef struct DomainRedirdev {
        char *bus, *type;                  /* usb, spicevmc */
        DomainAddress address;
        char *alias;                       /* live: <alias name='redir0'/> (the QEMU id); a user's ua- alias */
} DomainRedirdev;

typedef struct DomainHub {
        char *type;                        /* usb */
        DomainAddress address;
        char *alias;                       /* live: <alias name='hub1'/> of a hotplugged one; a user's ua- alias */
} DomainHub;

typedef struct DomainTpm {
        char *model;                       /* tpm-tis, tpm-crb, tpm-spapr */
        char *backend_type, *backend_version;
        char *persistent_state;            /* yes: a transient guest's state outlives it */
        char *alias;                       /* live: <alias name='tpm0'/>; a user's ua- alias */
} DomainTpm;

typedef struct DomainPanic {
        char *model;                       /* isa, pseries, hyperv, s390, pvpanic */
        DomainAddress address;
        char *alias;                       /* a user's ua- alias (libvirt names no panic device) */
} DomainPanic;

/* A device element libvirt knows that this model does not describe yet (<filesystem>,
 * <hostdev>, <smartcard> …): kept as written, so it is never dropped silently; a driver
 * that cannot make it refuses the definition at start, naming the element. */
typedef struct DomainOtherDevice {
        char *name;                        /* the element's name */
        char *xml;                         /* the element as written */
} DomainOtherDevice;

typedef struct DomainMemballoon {
        char *model;                       /* NULL = no <memballoon> */
        char *autodeflate;
        ConfInt stats_period;
        DomainAddress address;
        char *alias;                       /* live: <alias name='balloon0'/> (the QEMU id); a user's ua- alias */
} DomainMemballoon;

typedef struct DomainRng {
        char *model, *backend_model, *backend;
        DomainAddress address;
        char *alias;                       /* live: <alias name='rng0'/> (the QEMU id); a user's ua- alias */
} DomainRng;

typedef struct DomainWatchdog {
        char *model, *action;
        DomainAddress address;
        char *alias;                       /* live: <alias name='watchdog0'/> (the QEMU id); a user's ua- alias */
} DomainWatchdog;

/* <memory model='dimm'>: memory plugged as a DIMM (other models are kept as written, as
 * DomainOtherDevice). */
typedef struct DomainMemoryDev {
        char *model;                       /* dimm */
        uint64_t target_size_kib;          /* <target><size> */
        ConfInt target_node;               /* <target><node> */
        char *alias;                       /* live: <alias name='dimm0'/>; a user's ua- alias */
        DomainAddress address;             /* <address type='dimm' slot='N'/> */
} DomainMemoryDev;

typedef struct DomainDevices {
        char *emulator;
        DomainDisk *disks;              size_t n_disks;
        DomainController *controllers;  size_t n_controllers;
        DomainInterface *interfaces;    size_t n_interfaces;
        DomainChr *serials;             size_t n_serials;
        DomainChr *consoles;            size_t n_consoles;
        DomainChr *channels;            size_t n_channels;
        DomainInputDev *inputs;            size_t n_inputs;
        DomainGraphics *graphics;       size_t n_graphics;
        DomainVideo *videos;            size_t n_videos;
        DomainWatchdog *watchdogs;      size_t n_watchdogs;
        DomainMemballoon memballoon;
        DomainRng *rngs;                size_t n_rngs;
        DomainSound *sounds;            size_t n_sounds;
        DomainRedirdev *redirdevs;      size_t n_redirdevs;
        DomainHub *hubs;                size_t n_hubs;
        DomainTpm *tpms;                size_t n_tpms;
        DomainPanic *panics;            size_t n_panics;
        DomainOtherDevice *others;      size_t n_others;
        DomainMemoryDev *memories;      size_t n_memories;
} DomainDevices;

struct DomainDefPrivate {
        xmlDocPtr metadata;                /* root <metadata>, namespaced children only; may be NULL */
        char *vcpu_placement;              /* NULL = static */
        char *vcpu_cpuset;
        DomainCputune cputune;
        DomainIothreadId *iothreadids;
        size_t n_iothreadids;
        DomainMemtune memtune;
        uint8_t perf[DOMAIN_PERF_NEVENTS];  /* DOMAIN_PERF_DEFAULT/YES/NO per event */
        DomainBlkiotune blkiotune;
        DomainNumatune numatune;
        DomainSysinfo sysinfo;
        DomainOs os;
        DomainFeatures features;
        DomainCpu cpu;
        DomainClock clock;
        DomainPm pm;
        DomainDevices devices;
        uint64_t max_memory_kib;           /* <maxMemory slots='N'>: 0 = none (no memory hotplug) */
        unsigned max_memory_slots;
        DomainSeclabel *seclabels;
        size_t n_seclabels;
};

/* IOThreads (domain-iothreads.c): the entry of id, or NULL; the disk using id, or NULL; the pin
 * of id, or NULL. */
const DomainIothreadId *domain_iothread_find(const DomainDef *def, unsigned id);
const DomainDisk *domain_iothread_user(const DomainDef *def, unsigned id);
const char *domain_iothread_pin_of(const DomainDef *def, unsigned id);
/* Add IOThread id (refused with libvirt's text if 0 or there already), remove it (and its
 * pin), or set its pin (cpuset NULL: none): 0, or -1 with err (out of memory). */
int domain_iothread_add(DomainDef *def, unsigned id, VbError *err);
void domain_iothread_del(DomainDef *def, unsigned id);
int domain_iothread_set_pin(DomainDef *def, unsigned id, const char *cpuset, VbError *err);

/* Free a disk's runtime network source (NULL is fine). */
void domain_disk_net_free(DomainDiskNet *n);
