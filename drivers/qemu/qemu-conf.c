/* qemu-conf.c: qemu.conf through service/config.c's table parser: the keys, their checks and defaults. */
#include "qemu-conf.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"
#include "persist.h"

static int qemu_conf_check_not_empty(const char *v, char *why, size_t whylen) {
        if (!*v) {
                snprintf(why, whylen, "must not be empty");
                return -EINVAL;
        }
        return 0;
}

static int qemu_conf_check_absolute(const char *v, char *why, size_t whylen) {
        if (v[0] != '/') {
                snprintf(why, whylen, "expected an absolute file name, got \"%s\"", v);
                return -EINVAL;
        }
        return 0;
}

/* Values that end up inside a QEMU option string unescaped must be plain tokens. */
static int qemu_conf_check_token(const char *v, const char *accept, const char *what,
                                 char *why, size_t whylen) {
        if (!*v || v[strspn(v, accept)] != '\0') {
                snprintf(why, whylen, "expected %s, got \"%s\"", what, v);
                return -EINVAL;
        }
        return 0;
}

/* "+N" or the name of a user (group) this host knows: a name that does not resolve is
 * refused naming file:line rather than found out at the first guest's start. */
static int qemu_conf_check_id(const char *v, bool group, char *why, size_t whylen) {
        if (qemu_conf_check_not_empty(v, why, whylen) < 0)
                return -EINVAL;
        if (v[0] == '+') {
                char *end;
                errno = 0;
                unsigned long n = strtoul(v + 1, &end, 10);
                if (!v[1] || *end || errno || n >= 0xffffffffUL) {
                        snprintf(why, whylen, "expected a name or +NUMBER, got \"%s\"", v);
                        return -EINVAL;
                }
                return 0;
        }
        char buf[16384];
        struct passwd pw, *pwp = NULL;
        struct group gr, *grp = NULL;
        if (group ? (getgrnam_r(v, &gr, buf, sizeof buf, &grp), grp != NULL)
                  : (getpwnam_r(v, &pw, buf, sizeof buf, &pwp), pwp != NULL))
                return 0;
        snprintf(why, whylen, "no %s named \"%s\" on this host", group ? "group" : "user", v);
        return -EINVAL;
}

static int qemu_conf_check_user(const char *v, char *why, size_t whylen) {
        return qemu_conf_check_id(v, false, why, whylen);
}

static int qemu_conf_check_group(const char *v, char *why, size_t whylen) {
        return qemu_conf_check_id(v, true, why, whylen);
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int qemu_conf_check_machine(const char *v, char *why, size_t whylen) {
        return qemu_conf_check_token(v, ALNUM "._-", "a machine type such as \"pc\" or \"q35\"", why, whylen);
}

static int qemu_conf_check_listen(const char *v, char *why, size_t whylen) {
        return qemu_conf_check_token(v, ALNUM ".:-", "an IP address or a host name", why, whylen);
}

/* The controllers virtbus places guests with (blkio, devices … are not used yet). */
static int qemu_conf_check_controller(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "cpu") == 0 || strcmp(v, "cpuacct") == 0 || strcmp(v, "memory") == 0 || strcmp(v, "cpuset") == 0 ||
            strcmp(v, "blkio") == 0)
                return 0;
        snprintf(why, whylen, "\"%s\" is not a controller virtbus uses (cpu, cpuacct, memory, cpuset, blkio)", v);
        return -EINVAL;
}

static int qemu_conf_check_namespace(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "mount") == 0)
                return 0;
        snprintf(why, whylen, "\"%s\" is not a namespace virtbus gives QEMU (mount)", v);
        return -EINVAL;
}

/* libvirt's security driver names: the primary (selinux, apparmor, none) and dac, stacked below. */
static int qemu_conf_check_security_driver(const char *v, char *why, size_t whylen) {
        if (strcmp(v, "selinux") == 0 || strcmp(v, "apparmor") == 0 || strcmp(v, "dac") == 0 || strcmp(v, "none") == 0)
                return 0;
        snprintf(why, whylen, "\"%s\" is not a security driver (selinux, apparmor, dac, none)", v);
        return -EINVAL;
}

static const ConfigKey qemu_conf_keys[] = {
        CONFIG_KEY_STRING_CHECKED(QemuConfig, user, qemu_conf_check_user),
        CONFIG_KEY_STRING_CHECKED(QemuConfig, group, qemu_conf_check_group),
        CONFIG_KEY_STRING_CHECKED(QemuConfig, vnc_listen, qemu_conf_check_listen),
        CONFIG_KEY_STRING_CHECKED(QemuConfig, spice_listen, qemu_conf_check_listen),
        CONFIG_KEY_INT(QemuConfig, remote_display_port_min, 5900, 65535),
        CONFIG_KEY_INT(QemuConfig, remote_display_port_max, 5900, 65535),
        CONFIG_KEY_INT(QemuConfig, remote_websocket_port_min, 5700, 65535),
        CONFIG_KEY_INT(QemuConfig, max_size, 0, INT_MAX),
        CONFIG_KEY_INT(QemuConfig, max_backups, 0, 1000),
        CONFIG_KEY_INT(QemuConfig, remote_websocket_port_max, 5700, 65535),
        CONFIG_KEY_STRING_CHECKED(QemuConfig, emulator, qemu_conf_check_absolute),
        CONFIG_KEY_STRING_CHECKED(QemuConfig, machine_type, qemu_conf_check_machine),
        CONFIG_KEY_BOOL(QemuConfig, dynamic_ownership),
        CONFIG_KEY_BOOL(QemuConfig, remember_owner),
        CONFIG_KEY_BOOL(QemuConfig, seccomp_sandbox),
        CONFIG_KEY_STRING_LIST_CHECKED(QemuConfig, cgroup_controllers, qemu_conf_check_controller),
        CONFIG_KEY_STRING_LIST_CHECKED(QemuConfig, namespaces, qemu_conf_check_namespace),
        CONFIG_KEY_STRING_OR_LIST_CHECKED(QemuConfig, security_driver, qemu_conf_check_security_driver),
};

#define QEMU_CONF_N_KEYS (sizeof qemu_conf_keys / sizeof qemu_conf_keys[0])

void qemu_conf_done(QemuConfig *c) {
        config_free_table(qemu_conf_keys, QEMU_CONF_N_KEYS, c);
}

int qemu_conf_init(QemuConfig *c) {
        *c = (QemuConfig) {
                .dynamic_ownership = true,
                .remember_owner = true,
                .seccomp_sandbox = true,
                .vnc_listen = strdup("127.0.0.1"),
                .spice_listen = strdup("127.0.0.1"),
                .remote_display_port_min = 5900,
                .remote_display_port_max = 65535,
                .remote_websocket_port_min = 5700,
                .max_size = 2097152,
                .max_backups = 3,
                .remote_websocket_port_max = 65535,
                .emulator = strdup("/usr/bin/qemu-system-x86_64"),
                .machine_type = strdup("pc"),
        };
        if (!c->vnc_listen || !c->spice_listen || !c->emulator ||
            !c->machine_type) {
                qemu_conf_done(c);
                return -ENOMEM;
        }
        return 0;
}

int qemu_conf_parse(QemuConfig *c, const char *name, const char *text, size_t len,
                    char *errbuf, size_t errlen) {
        QemuConfig tmp;
        int r = qemu_conf_init(&tmp);
        if (r < 0) {
                if (errbuf && errlen > 0)
                        snprintf(errbuf, errlen, "%s: out of memory", name);
                return r;
        }
        r = config_parse_table(qemu_conf_keys, QEMU_CONF_N_KEYS, &tmp, name, text, len, errbuf, errlen);
        if (r == 0 && tmp.remote_display_port_min > tmp.remote_display_port_max) {
                if (errbuf && errlen > 0)
                        snprintf(errbuf, errlen,
                                 "%s: remote_display_port_min (%d) is greater than remote_display_port_max (%d)",
                                 name, tmp.remote_display_port_min, tmp.remote_display_port_max);
                r = -EINVAL;
        }
        if (r == 0 && tmp.remote_websocket_port_min > tmp.remote_websocket_port_max) {
                if (errbuf && errlen > 0)
                        snprintf(errbuf, errlen,
                                 "%s: remote_websocket_port_min (%d) is greater than remote_websocket_port_max (%d)",
                                 name, tmp.remote_websocket_port_min, tmp.remote_websocket_port_max);
                r = -EINVAL;
        }
        if (r < 0) {
                qemu_conf_done(&tmp);
                return r;
        }
        qemu_conf_done(c);
        *c = tmp;
        return 0;
}

int qemu_conf_load(QemuConfig *c, const char *path, bool optional, char *errbuf, size_t errlen) {
        VbError err = { 0 };
        char *text = NULL;
        size_t len = 0;
        int r = persist_read_file(path, CONFIG_FILE_MAX, &text, &len, &err);
        if (r == -ENOENT && optional)
                return qemu_conf_parse(c, path, "", 0, errbuf, errlen);
        if (r < 0) {
                if (errbuf && errlen > 0)
                        snprintf(errbuf, errlen, "%s", err.message);
                return r;
        }
        r = qemu_conf_parse(c, path, text, len, errbuf, errlen);
        free(text);
        return r;
}
