/* qemu-firmware.c: UEFI firmware chosen from QEMU's firmware descriptors, as libvirt chooses it for <os firmware='efi'>. */
#include "qemu-firmware.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DESCRIPTOR_MAX (64 * 1024)      /* a descriptor is a few hundred bytes */
#define NVRAM_MAX (64 * 1024 * 1024)     /* OVMF's stores are 128 KiB to 4 MiB */

static const char *const firmware_dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };

static json_object *jget(json_object *o, const char *key) {
        json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static bool jarray_has(json_object *a, const char *s) {
        size_t n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *v = json_object_get_string(json_object_array_get_idx(a, i));
                if (v && strcmp(v, s) == 0)
                        return true;
        }
        return false;
}

static json_object *read_descriptor(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *buf = malloc(DESCRIPTOR_MAX + 1);
        size_t n = buf ? fread(buf, 1, DESCRIPTOR_MAX + 1, f) : 0;
        fclose(f);
        json_object *o = NULL;
        if (buf && n <= DESCRIPTOR_MAX) {
                buf[n] = '\0';
                o = json_tokener_parse(buf);
        }
        free(buf);
        return o;
}

static bool targets_match(json_object *fw, const char *arch, const char *machine) {
        json_object *targets = jget(fw, "targets");
        size_t n = json_object_is_type(targets, json_type_array) ? json_object_array_length(targets) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *t = json_object_array_get_idx(targets, i);
                const char *a = json_object_get_string(jget(t, "architecture"));
                json_object *machines = jget(t, "machines");
                size_t k = a && strcmp(a, arch) == 0 && json_object_is_type(machines, json_type_array)
                           ? json_object_array_length(machines) : 0;
                for (size_t j = 0; j < k; j++) {
                        const char *pattern = json_object_get_string(json_object_array_get_idx(machines, j));
                        if (pattern && fnmatch(pattern, machine, 0) == 0)
                                return true;
                }
        }
        return false;
}

/* 1: fw fits and *out is filled; 0: it does not; -ENOMEM. */
static int descriptor_fits(json_object *fw, const char *arch, const char *machine, const char *executable,
                           QemuFirmware *out) {
        json_object *mapping = jget(fw, "mapping");
        const char *device = json_object_get_string(jget(mapping, "device"));
        const char *code = json_object_get_string(jget(jget(mapping, "executable"), "filename"));
        const char *vars = json_object_get_string(jget(jget(mapping, "nvram-template"), "filename"));
        if (!jarray_has(jget(fw, "interface-types"), "uefi") || !device || strcmp(device, "flash") != 0 ||
            !code || !vars || code[0] != '/' || vars[0] != '/' || (executable && strcmp(code, executable) != 0) ||
            !targets_match(fw, arch, machine))
                return 0;
        *out = (QemuFirmware) {
                .executable = strdup(code),
                .nvram_template = strdup(vars),
                .secure_boot = jarray_has(jget(fw, "features"), "secure-boot"),
                .requires_smm = jarray_has(jget(fw, "features"), "requires-smm"),
        };
        if (!out->executable || !out->nvram_template) {
                qemu_firmware_clear(out);
                return -ENOMEM;
        }
        return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

int qemu_firmware_find(const char *arch, const char *machine, const char *executable, QemuFirmware *out) {
        /* All descriptors of both directories in name order, a name in /etc hiding /usr's. */
        struct dirent **lists[2] = { NULL, NULL };
        int counts[2];
        for (size_t d = 0; d < 2; d++)
                counts[d] = scandir(firmware_dirs[d], &lists[d], NULL, by_name);
        int r = -ENOENT;
        size_t i[2] = { 0, 0 };
        while (r == -ENOENT) {
                const char *best = NULL;
                size_t bd = 0;
                for (size_t d = 0; d < 2; d++)
                        if (counts[d] > 0 && i[d] < (size_t) counts[d] &&
                            (!best || strcmp(lists[d][i[d]]->d_name, best) < 0)) {
                                best = lists[d][i[d]]->d_name;
                                bd = d;
                        }
                if (!best)
                        break;
                /* the same name in /usr is hidden by /etc's */
                if (bd == 0 && counts[1] > 0 && i[1] < (size_t) counts[1] && strcmp(lists[1][i[1]]->d_name, best) == 0)
                        i[1]++;
                size_t len = strlen(best);
                if (len > 5 && strcmp(best + len - 5, ".json") == 0) {
                        char path[512];
                        snprintf(path, sizeof path, "%s/%s", firmware_dirs[bd], best);
                        json_object *fw = read_descriptor(path);
                        int k = fw ? descriptor_fits(fw, arch, machine, executable, out) : 0;
                        json_object_put(fw);
                        if (k != 0)
                                r = k > 0 ? 0 : k;
                }
                i[bd]++;
        }
        for (size_t d = 0; d < 2; d++) {
                for (int k = 0; k < counts[d]; k++)
                        free(lists[d][k]);
                free(lists[d]);
        }
        return r;
}

void qemu_firmware_clear(QemuFirmware *fw) {
        free(fw->executable);
        free(fw->nvram_template);
        *fw = (QemuFirmware) { 0 };
}

/* The guest's own variable store, copied from its template the first time it is needed. */
int qemu_nvram_prepare(const char *nvram, const char *template, VbError *err) {
        if (!nvram || access(nvram, F_OK) == 0)
                return 0;
        if (!template)
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "NVRAM '%s' does not exist and no template names where it comes from", nvram);
        char *dir = strdup(nvram), *slash = dir ? strrchr(dir, '/') : NULL;
        if (!dir)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_QEMU, NULL);
        if (slash && slash != dir) {
                *slash = '\0';
                if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                        int e = errno;
                        free(dir);
                        return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU,
                                            "cannot create the NVRAM directory of '%s': %s", nvram, strerror(e));
                }
        }
        free(dir);
        int in = open(template, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > NVRAM_MAX) {
                int e = in < 0 ? errno : EINVAL;
                if (in >= 0)
                        close(in);
                return vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU,
                                    "cannot use NVRAM template '%s': %s", template,
                                    e == EINVAL ? "not a regular file of at most 64 MiB" : strerror(e));
        }
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.XXXXXX", nvram);
        int out = mkostemp(tmp, O_CLOEXEC);    /* mode 0600 */
        int r = out < 0 ? -errno : 0;
        char buf[65536];
        for (ssize_t n; r == 0 && (n = read(in, buf, sizeof buf)) != 0; ) {
                if (n < 0 || write(out, buf, (size_t) n) != n)
                        r = -EIO;
        }
        if (r == 0 && (fsync(out) < 0 || rename(tmp, nvram) < 0))
                r = -errno;
        close(in);
        if (out >= 0) {
                close(out);
                if (r < 0)
                        unlink(tmp);
        }
        if (r < 0)
                return vb_error_set(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot create NVRAM '%s' from '%s': %s",
                                    nvram, template, strerror(-r));
        return 0;
}
