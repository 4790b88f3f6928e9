/* domain-save.h: save images (a header with the domain XML, then the hypervisor's state) and the save, restore and managed-save verbs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "error.h"

typedef struct Connection Connection;
typedef struct Domain Domain;

/* The image's first bytes: magic, version, the XML's length (with its NUL), whether the guest
 * ran when saved; then the XML; then the hypervisor's stream, to the end. */
#define SAVE_IMAGE_MAGIC "VirtbusQemuSave1"
#define SAVE_IMAGE_MAGIC_LEN 16
#define SAVE_IMAGE_VERSION 1u
#define SAVE_IMAGE_HEADER_LEN 64u
#define SAVE_IMAGE_XML_MAX ((uint32_t) 16 * 1024 * 1024)
/* The XML is followed by zeros up to a multiple of this, with at least this much room, so that
 * save-image-define can put a longer XML in place (libvirt's images keep such room too). */
#define SAVE_IMAGE_XML_ROOM 65536u

/* virDomainSaveFlags / virDomainRestoreFlags flags (libvirt's values). */
enum {
        DOMAIN_SAVE_BYPASS_CACHE = 1u << 0,
        DOMAIN_SAVE_RUNNING = 1u << 1,
        DOMAIN_SAVE_PAUSED = 1u << 2,
};
#define DOMAIN_START_FORCE_BOOT (1u << 3)       /* VIR_DOMAIN_START_FORCE_BOOT */
#define DOMAIN_UNDEFINE_MANAGED_SAVE (1u << 0)  /* VIR_DOMAIN_UNDEFINE_MANAGED_SAVE */

typedef struct SaveImageHeader {
        char *xml;              /* malloc'ed, NUL-terminated */
        bool running;           /* the guest ran when saved (else paused) */
        uint32_t xml_len;       /* the room the image keeps for the XML, its NUL and padding */
} SaveImageHeader;

/* Pure helpers on an open descriptor: the header written at the current offset, or read and
 * checked (the offset then is where the hypervisor's stream begins). */
int save_image_write_header(int fd, const char *xml, bool running, VbError *err);
int save_image_read_header(int fd, const char *path, SaveImageHeader *h, VbError *err);
void save_image_header_clear(SaveImageHeader *h);
/* Put xml in place of the image's XML (it must fit in the room the image keeps: "new xml too
 * large to fit in file"); running 1 or 0 changes the state the restore resumes, -1 keeps it. */
int save_image_rewrite(int fd, const char *path, const char *xml, int running, VbError *err);

/* A file for a guest's memory (a save image, a dump): created or truncated, 0600. *regular:
 * it is a regular file, ours to remove when the writing fails (a device or a pipe never is). */
int guest_memory_file_create(const char *path, bool *regular, VbError *err);

/* virDomainSave(Flags): dxml (may be NULL) replaces the XML kept in the image; it must name
 * the same domain. */
int domain_save(Domain *d, const char *path, const char *dxml, unsigned flags, Call *call, VbError *err);
/* virDomainRestore(Flags): out (not referenced) is the restored domain. */
int domain_restore(Connection *c, const char *path, const char *dxml, unsigned flags, Call *call, Domain **out,
                   VbError *err);
/* virDomainSaveImageGetXMLDesc: the XML kept in the image (malloc'ed). */
char *domain_save_image_xml(Connection *c, const char *path, unsigned flags, VbError *err);
int domain_managed_save(Domain *d, unsigned flags, Call *call, VbError *err);
/* The same with dxml (may be NULL) kept in the image (virDomainSaveParams without a file). */
int domain_managed_save_dxml(Domain *d, const char *dxml, unsigned flags, Call *call, VbError *err);
int domain_managed_save_remove(Domain *d, unsigned flags, VbError *err);
/* virDomainManagedSaveGetXMLDesc: the XML kept in d's managed save image (malloc'ed). */
char *domain_managed_save_xml(Domain *d, unsigned flags, VbError *err);
/* virDomainSaveImageDefineXML / virDomainManagedSaveDefineXML (domain-save-define.c): the
 * image's XML replaced by dxml, which must describe the same guest hardware; flags RUNNING or
 * PAUSED change the state the restore resumes. */
int domain_save_image_define(Connection *c, const char *path, const char *dxml, unsigned flags, VbError *err);
int domain_managed_save_define(Domain *d, const char *dxml, unsigned flags, VbError *err);
/* The image at path keeps the XML of a domain now called new_name (virDomainRename). */
int save_image_rename(const char *path, const char *new_name, VbError *err);
/* Has d a managed save image? false when the driver keeps none. */
bool domain_has_managed_save(Domain *d);
/* The start of an inactive domain with a managed save image resumes from it (called by the
 * start verb inside its job): 1 when it did (r is the op's result in *result), 0 when there
 * is no image (or FORCE_BOOT removed it): boot as usual. */
int domain_start_from_managed_save(Domain *d, unsigned flags, Call *call, int *result, VbError *err);
