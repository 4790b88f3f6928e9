/* domain-conf.h: the domain definition (libvirt's <domain> XML subset), parsed and formatted as pure functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Flags of domain_def_parse. */
enum {
        DOMAIN_PARSE_VALIDATE = 1u << 0,   /* refuse unknown elements/attributes (libvirt's VALIDATE flag) */
        DOMAIN_PARSE_STATUS = 1u << 1,     /* live XML (status files): keep <domain id='…'>; otherwise id = -1 */
};

/* Flags of domain_def_format: libvirt's VIR_DOMAIN_XML_* values. */
enum {
        DOMAIN_FORMAT_SECURE = 1u << 0,
        DOMAIN_FORMAT_INACTIVE = 1u << 1,
        DOMAIN_FORMAT_UPDATE_CPU = 1u << 2,
        DOMAIN_FORMAT_MIGRATABLE = 1u << 3,
};

/* libvirt's virDomainMetadataType */
enum {
        DOMAIN_METADATA_DESCRIPTION = 0,
        DOMAIN_METADATA_TITLE = 1,
        DOMAIN_METADATA_ELEMENT = 2,
};

typedef struct DomainDefPrivate DomainDefPrivate;

/* Fields the core reads are named here; the rest (os, features, devices …) lives in the
 * private part, owned by conf/. */
typedef struct DomainDef {
        char *virt_type;                    /* <domain type='…'>: test, qemu, kvm */
        char *name;
        uint8_t uuid[16];
        char *title;                        /* may be NULL */
        char *description;                  /* may be NULL */
        uint64_t memory_kib;                /* <memory> in KiB */
        uint64_t current_memory_kib;        /* <currentMemory> in KiB (= memory when absent) */
        unsigned vcpus;                     /* <vcpu> maximum */
        unsigned current_vcpus;             /* <vcpu current='…'> (= vcpus when absent) */
        char *os_type;                      /* <os><type>: hvm, linux, exe … */
        char *on_poweroff, *on_reboot, *on_crash;  /* NULL = libvirt's defaults */
        int id;                             /* formatted as <domain id='…'> when >= 0 (live XML) */
        DomainDefPrivate *priv;
} DomainDef;

/* Parse a definition. xml need not be NUL-terminated. Missing UUID and MACs are generated.
 * Errors name the element at fault, with libvirt's texts where libvirt has one. */
DomainDef *domain_def_parse(const char *xml, size_t len, unsigned flags, VbError *err);
/* The same from a <domain> element of a document already read with xml_read_untrusted (for
 * status files that wrap the definition, e.g. <domstatus><domain …/></domstatus>). */
struct _xmlNode;
DomainDef *domain_def_parse_node(struct _xmlNode *node, unsigned flags, VbError *err);
/* Format to a newly allocated string; libvirt's layout (two-space indent, attribute order).
 * INACTIVE leaves out what only a running guest has (id, chosen labels, automatic VNC port);
 * graphics passwords appear only with SECURE. NULL on allocation failure. */
char *domain_def_format(const DomainDef *def, unsigned flags);
DomainDef *domain_def_copy(const DomainDef *def);
DomainDef *domain_def_free(DomainDef *def);

/* <metadata>, <title>, <description>: libvirt's virDomain{Get,Set}Metadata semantics.
 * Get: *out newly allocated; VB_ERR_NO_DOMAIN_METADATA when absent.
 * Set: text NULL or "" removes; for ELEMENT, key is the namespace prefix and uri the namespace. */
int domain_def_get_metadata(const DomainDef *def, int type, const char *uri, char **out, VbError *err);
int domain_def_set_metadata(DomainDef *def, int type, const char *text, const char *key,
                            const char *uri, VbError *err);
