/* dir-describe.c: a dir pool's directory as its volumes and sizes: a regular file described as a
 * volume (format and virtual size from its first bytes, allocation, backing file), never through a
 * symlink, and the pool's sizes from the file system. */
#define LOG_MODULE "storage"
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage-backend.h"

void dir_pool_update_sizes(StoragePool *p) {
        struct statvfs sv;
        if (fstatvfs(dir_pool_fd(p), &sv) < 0)
                return;
        uint64_t unit = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
        p->def->capacity = (uint64_t) sv.f_blocks * unit;
        p->def->available = (uint64_t) sv.f_bavail * unit;
        p->def->allocation = p->def->capacity - (uint64_t) sv.f_bfree * unit;
}

/* The format and virtual size from the first bytes: a qcow2 header, else raw. */
static const char *probe_format(int fd, uint64_t *virtual_size, char **backing) {
        unsigned char h[32];
        if (pread(fd, h, sizeof h, 0) != (ssize_t) sizeof h || memcmp(h, "QFI\xfb", 4) != 0)
                return "raw";
        uint64_t be_size, be_boff;
        uint32_t be_blen;
        memcpy(&be_boff, h + 8, 8);
        memcpy(&be_blen, h + 16, 4);
        memcpy(&be_size, h + 24, 8);
        *virtual_size = be64toh(be_size);
        uint64_t off = be64toh(be_boff);
        uint32_t len = be32toh(be_blen);
        if (off && len > 0 && len < 1024) {
                char *b = calloc(1, len + 1);
                if (b && pread(fd, b, len, (off_t) off) == (ssize_t) len)
                        *backing = b;
                else
                        free(b);
        }
        return "qcow2";
}

VolDef *dir_vol_describe(StoragePool *p, const char *name) {
        int fd = openat(dir_pool_fd(p), name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return NULL;    /* a symlink (ELOOP), or gone */
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return NULL;
        }
        uint64_t vsize = (uint64_t) st.st_size;
        char *backing = NULL;
        const char *format = probe_format(fd, &vsize, &backing);
        close(fd);
        /* A definition with its private parts comes from conf: parse a minimal one. */
        static const char xml[] = "<volume><name>x</name><capacity>0</capacity></volume>";
        VolDef *def = vol_def_parse(xml, sizeof xml - 1, 0, NULL);
        if (!def) {
                free(backing);
                return NULL;
        }
        free(def->name);
        def->name = strdup(name);
        if (asprintf(&def->path, "%s/%s", p->def->target_path, name) < 0)
                def->path = NULL;
        def->key = def->path ? strdup(def->path) : NULL;
        def->format = strdup(format);
        def->capacity = vsize;
        def->allocation = (uint64_t) st.st_blocks * 512;
        def->backing_path = backing;
        if (!def->name || !def->path || !def->key || !def->format)
                return vol_def_free(def);
        return def;
}

void dir_vol_update_sizes(StorageVol *v) {
        VolDef *fresh = dir_vol_describe(v->pool, v->obj.name);
        if (fresh) {
                v->def->capacity = fresh->capacity;
                v->def->allocation = fresh->allocation;
                vol_def_free(fresh);
        }
}
