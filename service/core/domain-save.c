/* domain-save.c: save images and the verbs around them: save, restore, managed save, and a start that resumes from a managed save image. */
#define LOG_MODULE "core"
#include "domain-save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-abi.h"
#include "domain-conf.h"
#include "domain-persist.h"
#include "domain.h"
#include "driver.h"
#include "log.h"
#include "manager.h"
#include "persist.h"

/* ---- the image header ---- */

static void put_u32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static uint32_t get_u32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static int write_all(int fd, const void *buf, size_t len) {
        const uint8_t *p = buf;
        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* 1 when all read, 0 at a short end, or a negative errno. */
static int read_all(int fd, void *buf, size_t len) {
        uint8_t *p = buf;
        while (len > 0) {
                ssize_t n = read(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                p += n;
                len -= (size_t) n;
        }
        return 1;
}

/* A pipe or FIFO target: the header must go in without blocking the event loop.  Such an image
 * can never be redefined in place, so it gets no slack; the pipe is grown to hold the header
 * whole and the write is made non-blocking, so a reader that never reads fails the save
 * instead of stalling the daemon. */
static int pipe_target_prepare(int fd, size_t len, int *old_flags) {
        if (len > (size_t) INT32_MAX)
                return -EFBIG;
        int cap = fcntl(fd, F_GETPIPE_SZ);
        if (cap >= 0 && (size_t) cap < len)
                (void) fcntl(fd, F_SETPIPE_SZ, (int) len);
        *old_flags = fcntl(fd, F_GETFL);
        if (*old_flags < 0 || fcntl(fd, F_SETFL, *old_flags | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

int save_image_write_header(int fd, const char *xml, bool running, VbError *err) {
        size_t xlen = strlen(xml) + 1;
        if (xlen > SAVE_IMAGE_XML_MAX)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "domain XML of %zu bytes is too large for a save image", xlen);
        struct stat st;
        bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        size_t room = xlen;
        int old_flags = -1;
        if (regular) {
                room = (xlen + 2 * SAVE_IMAGE_XML_ROOM - 1) / SAVE_IMAGE_XML_ROOM * SAVE_IMAGE_XML_ROOM;
                if (room > SAVE_IMAGE_XML_MAX)
                        room = SAVE_IMAGE_XML_MAX;
        } else {
                int r = pipe_target_prepare(fd, SAVE_IMAGE_HEADER_LEN + room, &old_flags);
                if (r < 0)
                        return vb_error_errno(err, r, "prepare the save image target");
        }
        uint8_t h[SAVE_IMAGE_HEADER_LEN] = { 0 };
        memcpy(h, SAVE_IMAGE_MAGIC, SAVE_IMAGE_MAGIC_LEN);
        put_u32(h + 16, SAVE_IMAGE_VERSION);
        put_u32(h + 20, (uint32_t) room);
        put_u32(h + 24, running ? 1 : 0);
        int r = write_all(fd, h, sizeof h);
        if (r >= 0)
                r = write_all(fd, xml, xlen);
        static const uint8_t zeros[SAVE_IMAGE_XML_ROOM];
        for (size_t left = room - xlen; r >= 0 && left > 0;) {
                size_t n = left < sizeof zeros ? left : sizeof zeros;
                r = write_all(fd, zeros, n);
                left -= n;
        }
        if (old_flags >= 0 && fcntl(fd, F_SETFL, old_flags) < 0 && r >= 0)
                r = -errno;
        if (r == -EAGAIN)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "the save target does not take the image header without blocking");
        return r < 0 ? vb_error_errno(err, r, "write save image header") : 0;
}

int save_image_read_header(int fd, const char *path, SaveImageHeader *h, VbError *err) {
        uint8_t b[SAVE_IMAGE_HEADER_LEN];
        *h = (SaveImageHeader) { 0 };
        int r = read_all(fd, b, sizeof b);
        if (r < 0)
                return vb_error_errno(err, r, "read save image");
        if (r == 0)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "failed to read qemu header of '%s'", path);
        if (memcmp(b, SAVE_IMAGE_MAGIC, SAVE_IMAGE_MAGIC_LEN) != 0)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "image magic is incorrect in '%s'", path);
        uint32_t version = get_u32(b + 16), xlen = get_u32(b + 20);
        if (version != SAVE_IMAGE_VERSION)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "image version is not supported (%u > %u)", version, SAVE_IMAGE_VERSION);
        /* The limit before the allocation. */
        if (xlen == 0 || xlen > SAVE_IMAGE_XML_MAX)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                    "invalid XML length %u in save image '%s'", xlen, path);
        char *xml = malloc(xlen);
        if (!xml)
                return vb_error_errno(err, -ENOMEM, "save image XML");
        r = read_all(fd, xml, xlen);
        if (r <= 0 || xml[xlen - 1] != '\0') {
                free(xml);
                return r < 0 ? vb_error_errno(err, r, "read save image")
                             : vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN,
                                            "failed to read domain XML from save image '%s'", path);
        }
        h->xml = xml;
        h->running = get_u32(b + 24) != 0;
        h->xml_len = xlen;
        return 0;
}

void save_image_header_clear(SaveImageHeader *h) {
        free(h->xml);
        h->xml = NULL;
}

static int open_image(const char *path, VbError *err) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "Failed to open domain image file '%s': %s",
                                    path, strerror(errno));
        return fd;
}

static const DomainOps *ops_of(Connection *c) {
        static const DomainOps none;
        return c->driver->domain ? c->driver->domain : &none;
}

/* A replacement XML must describe the same guest as the image's (libvirt's ABI check). */
static int check_same_domain(const char *image_xml, const char *dxml, VbError *err) {
        DomainDef *a = domain_def_parse(image_xml, strlen(image_xml), 0, err);
        if (!a)
                return -1;
        DomainDef *b = domain_def_parse(dxml, strlen(dxml), 0, err);
        int r = b ? domain_def_check_abi(a, b, err) : -1;
        domain_def_free(a);
        domain_def_free(b);
        return r;
}

/* ---- save ---- */

int guest_memory_file_create(const char *path, bool *regular, VbError *err) {
        /* 0600: the file holds the guest's memory.  O_NONBLOCK only for the open: a FIFO nobody
         * reads fails (ENXIO) rather than stalling the event loop. */
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "Failed to create file '%s': %s", path,
                                    strerror(errno));
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
                (void) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        struct stat st;
        *regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        if (*regular)
                (void) fchmod(fd, 0600);        /* an existing file keeps its mode through O_TRUNC */
        return fd;
}

static int save_to(Domain *d, const char *path, const char *dxml, unsigned flags, Call *call, VbError *err) {
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->save)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSaveFlags");
        if ((flags & DOMAIN_SAVE_RUNNING) && (flags & DOMAIN_SAVE_PAUSED))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "running and paused flags are mutually exclusive");
        if (domain_job_begin(d, DOMAIN_JOB_SAVE, err) < 0)
                return -1;
        char *xml = dxml ? strdup(dxml) : domain_def_format(d->live, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
        if (!xml) {
                domain_job_end(d);
                return vb_error_errno(err, -ENOMEM, "format domain XML");
        }
        if (dxml) {
                char *own = domain_def_format(d->live, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
                int r = own ? check_same_domain(own, dxml, err) : vb_error_errno(err, -ENOMEM, "format domain XML");
                free(own);
                if (r < 0) {
                        free(xml);
                        domain_job_end(d);
                        return -1;
                }
        }
        bool running = flags & DOMAIN_SAVE_RUNNING ? true : flags & DOMAIN_SAVE_PAUSED ? false : d->state != DOMAIN_PAUSED;
        bool regular;
        int fd = guest_memory_file_create(path, &regular, err);
        if (fd < 0) {
                free(xml);
                domain_job_end(d);
                return -1;
        }
        int r = save_image_write_header(fd, xml, running, err);
        free(xml);
        if (r < 0) {
                close(fd);
                if (regular)
                        unlink(path);
                domain_job_end(d);
                return -1;
        }
        domain_ref(d);
        log_info("domain %s: saving to %s", d->obj.name, path);
        r = ops->save(d, fd, regular ? path : NULL, call, err);
        if (r != VERB_PENDING)
                domain_job_end(d);
        domain_unref(d);
        return r < 0 ? -1 : r;
}

int domain_save(Domain *d, const char *path, const char *dxml, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_SAVE_BYPASS_CACHE | DOMAIN_SAVE_RUNNING | DOMAIN_SAVE_PAUSED,
                           "virDomainSaveFlags", err) < 0)
                return -1;
        if (!ops_of(d->obj.conn)->save)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSaveFlags");
        if (!path || !*path)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a save file path is required");
        if (d->removed)
                return vb_error_set(err, VB_ERR_NO_DOMAIN, VB_FROM_DOMAIN, "domain '%s' is gone", d->obj.name);
        return save_to(d, path, dxml && *dxml ? dxml : NULL, flags, call, err);
}

int domain_managed_save(Domain *d, unsigned flags, Call *call, VbError *err) {
        return domain_managed_save_dxml(d, NULL, flags, call, err);
}

int domain_managed_save_dxml(Domain *d, const char *dxml, unsigned flags, Call *call, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_SAVE_BYPASS_CACHE | DOMAIN_SAVE_RUNNING | DOMAIN_SAVE_PAUSED,
                           "virDomainManagedSave", err) < 0)
                return -1;
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->managed_save_path || !ops->save)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainManagedSave");
        if (!d->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot do managed save for transient domain");
        char *path = ops->managed_save_path(d);
        if (!path)
                return vb_error_errno(err, -ENOMEM, "managed save path");
        /* Its directory: created on first use, private to the daemon. */
        char *slash = strrchr(path, '/');
        if (slash) {
                *slash = '\0';
                int r = persist_ensure_dir(path, err);
                *slash = '/';
                if (r < 0) {
                        free(path);
                        return -1;
                }
        }
        int r = save_to(d, path, dxml && *dxml ? dxml : NULL, flags, call, err);
        free(path);
        return r;
}

bool domain_has_managed_save(Domain *d) {
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->managed_save_path)
                return false;
        char *path = ops->managed_save_path(d);
        bool has = path && access(path, F_OK) == 0;
        free(path);
        return has;
}

int domain_managed_save_remove(Domain *d, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, 0, "virDomainManagedSaveRemove", err) < 0)
                return -1;
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->managed_save_path)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainManagedSaveRemove");
        if (d->job != DOMAIN_JOB_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by another job)");
        char *path = ops->managed_save_path(d);
        if (!path)
                return vb_error_errno(err, -ENOMEM, "managed save path");
        int r = 0;
        if (unlink(path) < 0 && errno != ENOENT)
                r = vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "Failed to remove managed save file '%s': %s",
                                 path, strerror(errno));
        else
                log_info("domain %s: managed save image removed", d->obj.name);
        free(path);
        return r;
}

char *domain_managed_save_xml(Domain *d, unsigned flags, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_FORMAT_SECURE, "virDomainManagedSaveGetXMLDesc", err) < 0)
                return NULL;
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->managed_save_path) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainManagedSaveGetXMLDesc");
                return NULL;
        }
        char *path = ops->managed_save_path(d);
        if (!path) {
                vb_error_errno(err, -ENOMEM, "managed save path");
                return NULL;
        }
        char *xml = NULL;
        if (access(path, F_OK) < 0)
                vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain does not have managed save image");
        else
                xml = domain_save_image_xml(d->obj.conn, path, flags, err);
        free(path);
        return xml;
}

/* ---- restore ---- */

/* Inside d's start job: the op with a running definition parsed from xml. */
static int restore_into(Domain *d, const char *xml, int fd, bool paused, const char *remove_path, Call *call,
                        VbError *err) {
        const DomainOps *ops = ops_of(d->obj.conn);
        DomainDef *live = domain_def_parse(xml, strlen(xml), 0, err);
        if (!live) {
                close(fd);
                return -1;
        }
        domain_ref(d);
        int r = ops->restore(d, live, fd, paused, remove_path, call, err);
        domain_unref(d);
        return r;
}

int domain_restore(Connection *c, const char *path, const char *dxml, unsigned flags, Call *call, Domain **out,
                   VbError *err) {
        if (vb_check_flags(flags, DOMAIN_SAVE_BYPASS_CACHE | DOMAIN_SAVE_RUNNING | DOMAIN_SAVE_PAUSED,
                           "virDomainRestoreFlags", err) < 0)
                return -1;
        if ((flags & DOMAIN_SAVE_RUNNING) && (flags & DOMAIN_SAVE_PAUSED))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "running and paused flags are mutually exclusive");
        const DomainOps *ops = ops_of(c);
        if (!ops->restore)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainRestoreFlags");
        if (!path || !*path)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a save file path is required");
        int fd = open_image(path, err);
        if (fd < 0)
                return -1;
        SaveImageHeader h;
        if (save_image_read_header(fd, path, &h, err) < 0) {
                close(fd);
                return -1;
        }
        if (dxml && *dxml && check_same_domain(h.xml, dxml, err) < 0) {
                save_image_header_clear(&h);
                close(fd);
                return -1;
        }
        const char *xml = dxml && *dxml ? dxml : h.xml;
        Domain *d = NULL;
        c->keep_layout = true;          /* the saved guest's hardware */
        DomainDef *def = domain_parse_for(c, xml, strlen(xml), false, &d, err);
        c->keep_layout = false;
        if (!def) {
                save_image_header_clear(&h);
                close(fd);
                return -1;
        }
        if (d && domain_is_active(d)) {
                domain_def_free(def);
                save_image_header_clear(&h);
                close(fd);
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain '%s' is already active",
                                    d->obj.name);
        }
        bool added = false;
        if (!d) {
                /* An image of a domain this host does not define comes back transient. */
                if (domain_add(c, def, false, &d, err) < 0) {
                        domain_def_free(def);
                        save_image_header_clear(&h);
                        close(fd);
                        return -1;
                }
                def = NULL;
                added = true;
                notify_simple(&d->obj, NOTICE_ADDED);
        }
        domain_def_free(def);
        bool paused = flags & DOMAIN_SAVE_PAUSED ? true : flags & DOMAIN_SAVE_RUNNING ? false : !h.running;
        domain_ref(d);
        int r = domain_job_begin(d, DOMAIN_JOB_START, err);
        if (r == 0) {
                log_info("domain %s: restoring from %s", d->obj.name, path);
                r = restore_into(d, xml, fd, paused, NULL, call, err);
                if (r != VERB_PENDING)
                        domain_job_end(d);
        } else {
                close(fd);
        }
        save_image_header_clear(&h);
        if (r < 0 && added && !d->removed && !domain_is_active(d))
                domain_remove(d);
        if (r >= 0 && out)
                *out = d->removed ? NULL : d;
        domain_unref(d);
        return r < 0 ? -1 : r;
}

char *domain_save_image_xml(Connection *c, const char *path, unsigned flags, VbError *err) {
        /* SECURE (1): the XML is kept as saved (with no secrets in it). */
        if (vb_check_flags(flags, DOMAIN_FORMAT_SECURE, "virDomainSaveImageGetXMLDesc", err) < 0)
                return NULL;
        if (!ops_of(c)->restore) {
                vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSaveImageGetXMLDesc");
                return NULL;
        }
        if (!path || !*path) {
                vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a save file path is required");
                return NULL;
        }
        int fd = open_image(path, err);
        if (fd < 0)
                return NULL;
        SaveImageHeader h;
        int r = save_image_read_header(fd, path, &h, err);
        close(fd);
        return r < 0 ? NULL : h.xml;
}

int domain_start_from_managed_save(Domain *d, unsigned flags, Call *call, int *result, VbError *err) {
        const DomainOps *ops = ops_of(d->obj.conn);
        if (!ops->managed_save_path || !ops->restore)
                return 0;
        char *path = ops->managed_save_path(d);
        if (!path)
                return vb_error_errno(err, -ENOMEM, "managed save path");
        if (access(path, F_OK) < 0) {
                free(path);
                return 0;
        }
        if (flags & DOMAIN_START_FORCE_BOOT) {
                log_info("domain %s: managed save image discarded (force boot)", d->obj.name);
                unlink(path);
                free(path);
                return 0;
        }
        int fd = open_image(path, err);
        SaveImageHeader h = { 0 };
        if (fd < 0 || save_image_read_header(fd, path, &h, err) < 0) {
                if (fd >= 0)
                        close(fd);
                free(path);
                return -1;
        }
        log_info("domain %s: starting from its managed save image", d->obj.name);
        *result = restore_into(d, h.xml, fd, (flags & 1u) || !h.running, path, call, err);
        save_image_header_clear(&h);
        free(path);
        return 1;
}
