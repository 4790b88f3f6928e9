/* domain-priv.h: conf/'s own helpers for the domain XML sections; nothing outside conf/ includes it. */
#pragma once

#include "domain-model.h"
#include "xml-util.h"


/* Sections of <domain> outside <devices> (domain-sections.c). */
int domain_sections_parse(DomainDef *def, xmlNodePtr root, unsigned flags, VbError *err);
/* cputune, sysinfo, os, features, cpu, clock: what libvirt writes between <vcpu> and <on_*>. */
void domain_sections_format_head(XmlBuf *b, const DomainDef *def, unsigned flags);
/* pm: what libvirt writes between <on_crash> and <devices>. */
void domain_sections_format_tail(XmlBuf *b, const DomainDef *def, unsigned flags);
void domain_sections_format_seclabels(XmlBuf *b, const DomainDef *def, unsigned flags);
void domain_sections_free(DomainDefPrivate *p);

/* <perf> (domain-perf.c): written between the <pm> tail and <devices>. */
int domain_perf_parse(uint8_t perf[DOMAIN_PERF_NEVENTS], xmlNodePtr node, unsigned flags, VbError *err);
void domain_perf_format(XmlBuf *b, const uint8_t perf[DOMAIN_PERF_NEVENTS]);
/* <memtune> (domain-memtune.c): written between <currentMemory> and <vcpu>. */
int domain_memtune_parse(DomainMemtune *m, xmlNodePtr node, unsigned flags, VbError *err);
void domain_memtune_format(XmlBuf *b, const DomainMemtune *m);
/* <blkiotune> (before <memtune>) and <numatune> (after <cputune>), domain-blkio.c. */
int domain_blkiotune_parse(DomainBlkiotune *t, xmlNodePtr node, unsigned flags, VbError *err);
void domain_blkiotune_format(XmlBuf *b, const DomainBlkiotune *t);
int domain_numatune_parse(DomainNumatune *t, xmlNodePtr node, unsigned flags, VbError *err);
void domain_numatune_format(XmlBuf *b, const DomainNumatune *t);
void domain_blkio_numa_free(DomainDefPrivate *p);

/* One device kind: its element, its table and where its array lives in DomainDevices. */
typedef struct DeviceKind {
        const char *name;
        const XmlField *fields;
        size_t n_fields;
        size_t array, count, size;     /* offsets of the array and its count; element size */
        int (*post_parse)(xmlNodePtr node, void *dev, VbError *err);
} DeviceKind;

/* <devices> (domain-devices.c); the kind of element name, or NULL (memballoon: size 0). */
const DeviceKind *domain_device_kind(const char *name);
const DeviceKind *domain_device_kinds(size_t *n);      /* every kind, in <devices> order */
/* domain-alias.c: a user's "ua-" alias names one device of the n_ds device sets ds taken
 * together (their kinds described by the n_kinds of kinds), else libvirt's "non unique alias". */
int domain_devices_aliases_check(const DomainDevices *const *ds, size_t n_ds, const DeviceKind *kinds,
                                 size_t n_kinds, VbError *err);
int domain_devices_parse(DomainDevices *d, xmlNodePtr devices, unsigned flags, VbError *err);
void domain_devices_format(XmlBuf *b, const DomainDevices *d, unsigned flags);
void domain_devices_free(DomainDevices *d);
void domain_disk_clear(DomainDisk *disk);     /* free one disk's fields */
void domain_interface_clear(DomainInterface *nic);

/* <alias name> (domain-alias.c): the offset of the alias a kind keeps, or -1; after parsing
 * dev from node, a driver's alias is dropped unless node is in a running guest's XML (id=);
 * dev (size bytes) without its driver's alias for the inactive XML: dev itself, or *copy
 * (shallow, not to be freed). */
typedef union DomainDeviceCopy {
        DomainDisk disk;
        DomainController controller;
        DomainInterface nic;
        DomainChr chr;
        DomainInputDev input;
        DomainVideo video;
        DomainSound sound;
        DomainRedirdev redirdev;
        DomainHub hub;
        DomainTpm tpm;
        DomainWatchdog watchdog;
        DomainMemballoon memballoon;
        DomainRng rng;
        DomainPanic panic;
        DomainMemoryDev memory;
} DomainDeviceCopy;
long domain_device_alias_offset(const DeviceKind *k);
void domain_device_alias_parsed(xmlNodePtr node, const DeviceKind *k, void *dev);
const void *domain_device_without_driver_alias(const DeviceKind *k, const void *dev, size_t size,
                                               DomainDeviceCopy *copy);

/* Device elements libvirt knows that the model keeps as written (domain-devices-other.c). */
bool domain_other_device_known(const char *name);
int domain_other_device_add(DomainDevices *d, xmlNodePtr node);   /* -1: out of memory */
void domain_other_devices_format(XmlBuf *b, const DomainDevices *d);
void domain_other_devices_free(DomainDevices *d);

/* A disk's <source> with its <seclabel>s (domain-disk-seclabel.c). */
int domain_disk_seclabels_parse(xmlNodePtr disk_node, DomainDisk *disk, VbError *err);
void domain_disk_source_format(XmlBuf *b, const DomainDisk *disk);
void domain_disk_seclabels_free(DomainDisk *disk);
/* A disk's <iotune> (domain-disk-iotune.c). */
int domain_disk_iotune_parse(xmlNodePtr disk_node, DomainDisk *disk, VbError *err);
void domain_disk_iotune_format(XmlBuf *b, const DomainDisk *disk);

/* A NIC's <filterref> (domain-filterref.c). */
int domain_filterref_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err);
void domain_filterref_format(XmlBuf *b, const DomainInterface *nic);
void domain_filterref_free(DomainInterface *nic);
/* A NIC's <bandwidth> (domain-bandwidth.c). */
int domain_bandwidth_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err);
void domain_bandwidth_format(XmlBuf *b, const DomainInterface *nic);
/* A NIC's <mtu size> (domain-bandwidth.c). */
int domain_interface_mtu_parse(xmlNodePtr nic_node, DomainInterface *nic, VbError *err);
void domain_interface_mtu_format(XmlBuf *b, const DomainInterface *nic);

/* <metadata> (domain-metadata.c). */
int domain_metadata_parse(DomainDefPrivate *p, xmlNodePtr node, VbError *err);
void domain_metadata_format(XmlBuf *b, const DomainDefPrivate *p);

/* IOThreads (domain-iothreads.c): <iothreads>, <iothreadids> and <cputune><iothreadpin>, after
 * the devices and <cputune> are read (a pin names an IOThread). */
int domain_iothreads_parse(DomainDef *def, xmlNodePtr root, VbError *err);
void domain_iothreads_format(XmlBuf *b, const DomainDefPrivate *p);
void domain_iothreadpins_format(XmlBuf *children, const DomainCputune *t);
void domain_iothreads_free(DomainDefPrivate *p);
/* <memory> / <currentMemory>-style sizes (value and unit) in KiB (domain-memory.c). */
int domain_parse_memory(xmlNodePtr node, uint64_t *kib, VbError *err);
/* Memory hotplug (domain-memory.c): <maxMemory slots='N'> (written before <memory>), and a
 * <memory model='dimm'> device's <target> (size, node). */
int domain_max_memory_parse(DomainDefPrivate *p, xmlNodePtr root, VbError *err);
void domain_max_memory_format(XmlBuf *b, const DomainDefPrivate *p);
int domain_memory_dev_post_parse(xmlNodePtr node, DomainMemoryDev *m, VbError *err);
void domain_memory_dev_target_format(XmlBuf *b, const DomainMemoryDev *m);
