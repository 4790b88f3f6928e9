/* storage-util.c: what every file of drivers/storage shares below the backends: the helper
 * children's names, libvirt's texts of a failed system call or helper child, a volume name's check. */
#include <stdio.h>
#include <string.h>

#include "storage-backend.h"

const ProcessProgram storage_qemu_img = { "qemu-img", VB_FROM_STORAGE };
const ProcessProgram storage_helper = { "storage helper", VB_FROM_STORAGE };

int storage_sys_error(VbError *err, int errnum, const char *fmt, const char *what) {
        char text[512];
        snprintf(text, sizeof text, fmt, what);
        return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_STORAGE, "%s: %s", text, strerror(errnum));
}

int storage_child_error(VbError *err, int status, const char *out, const char *fmt, const char *what) {
        char text[512];
        snprintf(text, sizeof text, fmt, what);
        size_t n = out ? strlen(out) : 0;
        while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
                n--;
        const char *o = out;
        while (n && (*o == ' ' || *o == '\n')) {
                o++;
                n--;
        }
        if (!n)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "%s failed with status %d", text,
                                    status);
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_STORAGE, "%s failed: %.*s", text, (int) n, o);
}

int storage_check_vol_name(const char *name, VbError *err) {
        if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > 255)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_STORAGE,
                                    "volume name '%s' must be one file name: not empty, no '/', not starting with '.'",
                                    name);
        return 0;
}
