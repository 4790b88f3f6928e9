/* qemu-events.c: QEMU's events about the guest itself (RTC_CHANGE, WATCHDOG, BLOCK_IO_ERROR,
 * DEVICE_TRAY_MOVED, MIGRATION_PASS, VNC_* and SPICE_*) as the core's domain events
 * (domain-events.h), with libvirt's codes. SUSPEND, SUSPEND_DISK and WAKEUP are qemu-pm.c's. */
#define LOG_MODULE "qemu"
#include <stdio.h>
#include <string.h>

#include "domain-events.h"
#include "domain-model.h"
#include "domain-state.h"
#include "log.h"
#include "qemu-command.h"
#include "qemu-priv.h"

static const char *str_of(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t int_of(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static bool bool_of(json_object *o, const char *key) {
        json_object *v;
        return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static int code_of(const char *word, const char *const *words, size_t n, int otherwise) {
        for (size_t i = 0; word && i < n; i++)
                if (strcmp(word, words[i]) == 0)
                        return (int) i;
        return otherwise;
}

/* {"action": "reset"|…} in virDomainEventWatchdogAction's order */
static void watchdog(Domain *d, json_object *data) {
        static const char *const actions[] = { "none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi" };
        int action = code_of(str_of(data, "action"), actions, sizeof actions / sizeof actions[0], DOMAIN_WATCHDOG_NONE);
        domain_notify_watchdog(d, action);
        /* QEMU's STOP follows: the pause is the watchdog's (libvirt's order: this event first) */
        if (action == DOMAIN_WATCHDOG_PAUSE)
                domain_transition(d, DOMAIN_INPUT_PAUSED_WATCHDOG);
}

/* The disk a node belongs to: drive-ALIAS (format) or drive-ALIAS-storage (file). */
static const DomainDisk *disk_of_node(const Domain *d, const char *node, char *alias, size_t len) {
        if (!d->live || !node || strncmp(node, "drive-", 6) != 0)
                return NULL;
        for (size_t i = 0; i < d->live->priv->devices.n_disks; i++) {
                if (qemu_disk_alias(d->live, i, alias, len, NULL) < 0)
                        continue;
                size_t n = strlen(alias);
                if (strncmp(node + 6, alias, n) == 0 && (node[6 + n] == '\0' || strcmp(node + 6 + n, "-storage") == 0))
                        return &d->live->priv->devices.disks[i];
        }
        return NULL;
}

/* {"device", "node-name", "operation", "action": "ignore"|"report"|"stop", "nospace", "reason"} */
static void io_error(Domain *d, json_object *data) {
        static const char *const actions[] = { "ignore", "stop", "report" };
        char alias[64] = "";
        const char *node = str_of(data, "node-name"), *device = str_of(data, "device");
        const DomainDisk *k = disk_of_node(d, node, alias, sizeof alias);
        if (!k && device && *device)
                snprintf(alias, sizeof alias, "%s", device);
        const char *src = k ? (k->source_file ? k->source_file : k->source_dev) : NULL;
        int action = code_of(str_of(data, "action"), actions, sizeof actions / sizeof actions[0], DOMAIN_IO_ERROR_NONE);
        domain_notify_io_error(d, src, alias, action, bool_of(data, "nospace") ? "enospc" : str_of(data, "reason"));
        if (action == DOMAIN_IO_ERROR_PAUSE)
                domain_transition(d, DOMAIN_INPUT_PAUSED_IOERROR);
}

/* {"device", "id": the qdev id, "tray-open"} */
static void tray_moved(Domain *d, json_object *data) {
        const char *id = str_of(data, "id");
        domain_notify_tray_change(d, id && *id ? id : str_of(data, "device"),
                                  bool_of(data, "tray-open") ? DOMAIN_TRAY_OPEN : DOMAIN_TRAY_CLOSE);
}

static int family_of(const char *f) {
        return f && strcmp(f, "ipv6") == 0 ? 1 : f && strcmp(f, "unix") == 0 ? 2 : 0;
}

/* VNC_* {server: {host, service, family, auth}, client: {host, service, family, x509_dname,
 * sasl_username}}; SPICE_* the same with "port" for "service". */
static void graphics(Domain *d, const char *event, json_object *data) {
        bool vnc = strncmp(event, "VNC_", 4) == 0;
        const char *phase = event + (vnc ? 4 : 6);
        json_object *server = NULL, *client = NULL;
        json_object_object_get_ex(data, "server", &server);
        json_object_object_get_ex(data, "client", &client);
        const char *service = vnc ? "service" : "port";
        const char *ids[2][2];
        size_t n = 0;
        const char *dname = str_of(client, "x509_dname"), *sasl = str_of(client, "sasl_username");
        if (dname) {
                ids[n][0] = "x509dname";
                ids[n++][1] = dname;
        }
        if (sasl) {
                ids[n][0] = "saslUsername";
                ids[n++][1] = sasl;
        }
        NoticeGraphics g = {
                .phase = strcmp(phase, "CONNECTED") == 0 ? 0 : strcmp(phase, "INITIALIZED") == 0 ? 1 : 2,
                .local = { family_of(str_of(server, "family")), str_of(server, "host"), str_of(server, service) },
                .remote = { family_of(str_of(client, "family")), str_of(client, "host"), str_of(client, service) },
                .auth_scheme = str_of(server, "auth") ? str_of(server, "auth") : "none",
                .n_identities = n,
                .identities = (const char *const (*)[2]) ids,
        };
        domain_notify_graphics(d, &g);
}

bool qemu_guest_event(QemuDomain *qd, const char *event, json_object *data) {
        Domain *d = qd->domain;
        if (strcmp(event, "RTC_CHANGE") == 0)
                domain_notify_rtc_change(d, int_of(data, "offset"));
        else if (strcmp(event, "WATCHDOG") == 0)
                watchdog(d, data);
        else if (strcmp(event, "BLOCK_IO_ERROR") == 0)
                io_error(d, data);
        else if (strcmp(event, "DEVICE_TRAY_MOVED") == 0)
                tray_moved(d, data);
        else if (strcmp(event, "MIGRATION_PASS") == 0)
                domain_notify_migration_iteration(d, (int) int_of(data, "pass"));
        else if (strncmp(event, "VNC_", 4) == 0 || strncmp(event, "SPICE_", 6) == 0)
                graphics(d, event, data);
        else
                return false;
        return true;
}
