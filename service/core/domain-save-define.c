/* domain-save-define.c: save-image-define and managedsave-define: the XML kept in a save image replaced in place, checked against the image's own like libvirt's ABI check. */
#define LOG_MODULE "core"
#include "domain-save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain-abi.h"
#include "domain-conf.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

static int pwrite_all(int fd, const void *buf, size_t len, off_t off) {
        const uint8_t *p = buf;
        while (len > 0) {
                ssize_t n = pwrite(fd, p, len, off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                p += n;
                off += n;
                len -= (size_t) n;
        }
        return 0;
}

int save_image_rewrite(int fd, const char *path, const char *xml, int running, VbError *err) {
        if (lseek(fd, 0, SEEK_SET) < 0)
                return vb_error_errno(err, -errno, "seek save image");
        SaveImageHeader h;
        if (save_image_read_header(fd, path, &h, err) < 0)
                return -1;
        save_image_header_clear(&h);
        size_t xlen = strlen(xml) + 1;
        /* The stream begins right after the room: the XML cannot grow past it. */
        if (xlen > h.xml_len)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_DOMAIN, "new xml too large to fit in file");
        char *room = calloc(1, h.xml_len);
        if (!room)
                return vb_error_errno(err, -ENOMEM, "save image XML");
        memcpy(room, xml, xlen);
        int r = pwrite_all(fd, room, h.xml_len, SAVE_IMAGE_HEADER_LEN);
        free(room);
        if (r >= 0 && running >= 0) {
                uint8_t state[4] = { 0, 0, 0, running ? 1 : 0 };
                r = pwrite_all(fd, state, sizeof state, 24);
        }
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        return r < 0 ? vb_error_errno(err, r, "write save image") : 0;
}

/* The image at path gets dxml (parsed, checked, formatted as a save keeps it). */
static int define_in(const char *path, const char *dxml, unsigned flags, VbError *err) {
        if (!dxml || !*dxml)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "dxml must not be empty");
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "Failed to open domain image file '%s': %s",
                                    path, strerror(errno));
        SaveImageHeader h;
        DomainDef *old = NULL, *def = NULL;
        char *xml = NULL;
        int r = save_image_read_header(fd, path, &h, err);
        if (r < 0) {
                close(fd);
                return -1;
        }
        old = domain_def_parse(h.xml, strlen(h.xml), 0, err);
        def = old ? domain_def_parse(dxml, strlen(dxml), 0, err) : NULL;
        r = def ? domain_def_check_abi(old, def, err) : -1;
        if (r == 0) {
                xml = domain_def_format(def, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
                r = xml ? 0 : vb_error_errno(err, -ENOMEM, "format domain XML");
        }
        int running = flags & DOMAIN_SAVE_RUNNING ? 1 : flags & DOMAIN_SAVE_PAUSED ? 0 : -1;
        if (r == 0)
                r = save_image_rewrite(fd, path, xml, running, err);
        if (r == 0)
                log_info("domain %s: the XML of save image %s replaced", def->name, path);
        close(fd);
        free(xml);
        domain_def_free(old);
        domain_def_free(def);
        save_image_header_clear(&h);
        return r;
}

static int check_define_flags(unsigned flags, const char *api, VbError *err) {
        if (vb_check_flags(flags, DOMAIN_SAVE_RUNNING | DOMAIN_SAVE_PAUSED, api, err) < 0)
                return -1;
        if ((flags & DOMAIN_SAVE_RUNNING) && (flags & DOMAIN_SAVE_PAUSED))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "running and paused flags are mutually exclusive");
        return 0;
}

int domain_save_image_define(Connection *c, const char *path, const char *dxml, unsigned flags, VbError *err) {
        if (check_define_flags(flags, "virDomainSaveImageDefineXML", err) < 0)
                return -1;
        if (!c->driver->domain || !c->driver->domain->restore)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainSaveImageDefineXML");
        if (!path || !*path)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "a save file path is required");
        return define_in(path, dxml, flags, err);
}

int domain_managed_save_define(Domain *d, const char *dxml, unsigned flags, VbError *err) {
        if (check_define_flags(flags, "virDomainManagedSaveDefineXML", err) < 0)
                return -1;
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->managed_save_path || !ops->restore)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainManagedSaveDefineXML");
        /* A save writing the image or a start reading it holds the job. */
        if (d->job != DOMAIN_JOB_NONE)
                return vb_error_set(err, VB_ERR_OPERATION_TIMEOUT, VB_FROM_DOMAIN,
                                    "cannot acquire state change lock (held by another job)");
        char *path = ops->managed_save_path(d);
        if (!path)
                return vb_error_errno(err, -ENOMEM, "managed save path");
        int r;
        if (access(path, F_OK) < 0)
                r = vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain does not have managed save image");
        else
                r = define_in(path, dxml, flags, err);
        free(path);
        return r;
}

int save_image_rename(const char *path, const char *new_name, VbError *err) {
        int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_DOMAIN, "Failed to open domain image file '%s': %s",
                                    path, strerror(errno));
        SaveImageHeader h;
        int r = save_image_read_header(fd, path, &h, err);
        DomainDef *def = r < 0 ? NULL : domain_def_parse(h.xml, strlen(h.xml), 0, err);
        char *name = strdup(new_name), *xml = NULL;
        r = -1;
        if (def && name) {
                free(def->name);
                def->name = name;
                name = NULL;
                xml = domain_def_format(def, DOMAIN_FORMAT_SECURE | DOMAIN_FORMAT_MIGRATABLE);
                r = xml ? save_image_rewrite(fd, path, xml, -1, err) : vb_error_errno(err, -ENOMEM, "format domain XML");
        } else if (def) {
                vb_error_errno(err, -ENOMEM, "rename");
        }
        free(name);
        free(xml);
        domain_def_free(def);
        save_image_header_clear(&h);
        close(fd);
        return r;
}
