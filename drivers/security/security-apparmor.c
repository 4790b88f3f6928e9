/* security-apparmor.c: a guest's AppArmor profile as text (pure: the files of its definition, read-only where the XML says so) (the host probe and the model: security-apparmor-model.c). */
#include "security-apparmor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "security.h"

int apparmor_profile_name(const DomainDef *def, char *out, size_t len) {
        const unsigned char *u = def->uuid;
        int n = snprintf(out, len, "libvirt-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
                         u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
        return n < 0 || (size_t) n >= len ? -1 : 0;
}

static bool path_is_safe(const char *p) {
        if (!p || p[0] != '/')
                return false;
        for (const unsigned char *c = (const unsigned char *) p; *c; c++)
                if (*c < 0x20 || *c == 0x7f || *c == '"' || *c == '\\')
                        return false;
        return true;
}

typedef struct Buf {
        char *s;
        size_t len, cap;
        bool oom;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(Buf *b, const char *fmt, ...) {
        if (b->oom)
                return;
        va_list ap;
        va_start(ap, fmt);
        char *piece = NULL;
        int n = vasprintf(&piece, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->oom = true;
                return;
        }
        if (b->len + (size_t) n + 1 > b->cap) {
                size_t cap = (b->len + (size_t) n + 1) * 2;
                char *s = realloc(b->s, cap);
                if (!s) {
                        free(piece);
                        b->oom = true;
                        return;
                }
                b->s = s;
                b->cap = cap;
        }
        memcpy(b->s + b->len, piece, (size_t) n + 1);
        b->len += (size_t) n;
        free(piece);
}

static const char *mode_of(const SecurityPath *p, const DomainDef *def) {
        const char *nvram = def->priv ? def->priv->os.nvram : NULL;
        if (nvram && strcmp(p->path, nvram) == 0)
                return "rwk";
        switch (p->kind) {
        case SECURITY_PATH_DISK: return p->readonly ? "rk" : "rwk";
        case SECURITY_PATH_BOOT: return "r";
        case SECURITY_PATH_CHARDEV: return "rw";
        }
        return "r";
}

char *apparmor_profile_generate(const DomainDef *def, const char *log_path, VbError *err) {
        char name[64];
        SecurityPaths paths = { 0 };
        if (apparmor_profile_name(def, name, sizeof name) < 0 || security_paths_of(def, &paths) < 0) {
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_SECURITY, NULL);
                return NULL;
        }
        for (size_t i = 0; i < paths.n; i++)
                if (!path_is_safe(paths.v[i].path)) {
                        vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY,
                                     "cannot write path '%s' into an AppArmor profile", paths.v[i].path);
                        security_paths_free(&paths);
                        return NULL;
                }
        if (log_path && !path_is_safe(log_path)) {
                vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY,
                             "cannot write path '%s' into an AppArmor profile", log_path);
                security_paths_free(&paths);
                return NULL;
        }
        Buf b = { 0 };
        put(&b, "# AppArmor profile of guest '%s', written by virtbusd: do not edit.\n", def->name);
        put(&b, "#include <tunables/global>\n\n");
        put(&b, "profile %s flags=(attach_disconnected) {\n", name);
        put(&b, "  #include <abstractions/libvirt-qemu>\n\n");
        for (size_t i = 0; i < paths.n; i++)
                put(&b, "  \"%s\" %s,\n", paths.v[i].path, mode_of(&paths.v[i], def));
        if (log_path)
                put(&b, "  \"%s\" w,\n", log_path);
        put(&b, "}\n");
        security_paths_free(&paths);
        if (b.oom) {
                free(b.s);
                vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_SECURITY, NULL);
                return NULL;
        }
        return b.s;
}
