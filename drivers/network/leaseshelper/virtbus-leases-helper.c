/* virtbus-leases-helper.c: dnsmasq's --dhcp-script for virtbus networks. dnsmasq runs it (as
 * root, one call at a time) for every lease it adds, renews ("old", also for each lease it
 * finds at its start) or deletes; it keeps the network's status file, a JSON array of leases
 * that virtbusd reads for net-dhcp-leases and domifaddr. The file is replaced atomically
 * (temporary file, fsync, rename) and is mode 0600.
 *
 * The status file: $VIRTBUS_LEASES_STATUS when set (tests), else the path of the dnsmasq
 * configuration that started the parent dnsmasq (--conf-file=DIR/NAME.conf) with .status for
 * .conf: dnsmasq's environment is cleared by virtbusd, and its command line is the one fact
 * the daemon controls that the helper can read.
 *
 * Usage (as dnsmasq calls it): virtbus-leases-helper add|old|del MAC-OR-IAID IP [HOSTNAME];
 * "init" prints nothing (dnsmasq keeps its own lease database); other actions are ignored. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATUS_MAX (4 * 1024 * 1024)    /* a status file larger than this is refused */
#define FIELD_MAX 256

static void die(const char *what, const char *detail) {
        fprintf(stderr, "virtbus-leases-helper: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
        exit(EXIT_FAILURE);
}

/* DIR/NAME.conf from the parent's --conf-file=, as DIR/NAME.status. */
static char *status_from_parent(void) {
        char path[64], buf[8192];
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int) getppid());
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return NULL;
        buf[n] = '\0';
        for (char *a = buf; a < buf + n; a += strlen(a) + 1) {
                const char *opt = "--conf-file=";
                size_t len = strlen(a);
                if (strncmp(a, opt, strlen(opt)) != 0 || len < strlen(opt) + 6 || strcmp(a + len - 5, ".conf") != 0)
                        continue;
                char *out = NULL;
                if (asprintf(&out, "%.*s.status", (int) (len - strlen(opt) - 5), a + strlen(opt)) < 0)
                        return NULL;
                return out;
        }
        return NULL;
}

static json_object *load(const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                if (errno == ENOENT)
                        return json_object_new_array();
                die("cannot open the status file", strerror(errno));
        }
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_size > STATUS_MAX)
                die("status file too large or unreadable", path);
        char *text = calloc(1, (size_t) st.st_size + 1);
        if (!text)
                die("out of memory", NULL);
        size_t got = 0;
        while (got < (size_t) st.st_size) {
                ssize_t n = read(fd, text + got, (size_t) st.st_size - got);
                if (n <= 0)
                        break;
                got += (size_t) n;
        }
        close(fd);
        json_object *arr = json_tokener_parse(text);
        free(text);
        /* A damaged file is started afresh: dnsmasq tells every live lease again ("old") at its start. */
        if (!arr || !json_object_is_type(arr, json_type_array)) {
                json_object_put(arr);
                return json_object_new_array();
        }
        return arr;
}

static void save(const char *path, json_object *arr) {
        char *tmp = NULL;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                die("out of memory", NULL);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                die("cannot create a temporary status file", strerror(errno));
        const char *text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
        size_t len = strlen(text), done = 0;
        bool ok = fchmod(fd, 0600) == 0;
        while (ok && done < len) {
                ssize_t n = write(fd, text + done, len - done);
                ok = n > 0;
                done += ok ? (size_t) n : 0;
        }
        ok = ok && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
        if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
                int e = errno;
                unlink(tmp);
                die("cannot write the status file", strerror(e));
        }
        free(tmp);
}

static const char *env_or_null(const char *name) {
        const char *v = getenv(name);
        return v && v[0] && strlen(v) < FIELD_MAX ? v : NULL;
}

static void add_str(json_object *o, const char *key, const char *v) {
        if (v)
                json_object_object_add(o, key, json_object_new_string(v));
}

int main(int argc, char **argv) {
        if (argc < 2)
                die("usage: virtbus-leases-helper add|old|del MAC IP [HOSTNAME]", NULL);
        const char *action = argv[1];
        bool add = strcmp(action, "add") == 0 || strcmp(action, "old") == 0;
        if (!add && strcmp(action, "del") != 0)
                return 0;       /* init (no output: dnsmasq keeps its lease file), tftp, arp-* */
        if (argc < 4)
                die("usage: virtbus-leases-helper add|old|del MAC IP [HOSTNAME]", NULL);
        for (int i = 2; i < argc; i++)
                if (strlen(argv[i]) >= FIELD_MAX)
                        die("argument too long", NULL);
        const char *env = getenv("VIRTBUS_LEASES_STATUS");
        char *path = env && env[0] ? strdup(env) : status_from_parent();
        if (!path)
                die("no status file: neither VIRTBUS_LEASES_STATUS nor a parent dnsmasq with --conf-file=NAME.conf",
                    NULL);
        const char *iaid = env_or_null("DNSMASQ_IAID");
        const char *ip = argv[3];
        const char *hostname = argc > 4 && argv[4][0] ? argv[4] : env_or_null("DNSMASQ_SUPPLIED_HOSTNAME");

        umask(077);
        json_object *old = load(path), *arr = json_object_new_array();
        time_t now = time(NULL);
        /* Keep the other leases that have not expired. */
        for (size_t i = 0; i < json_object_array_length(old); i++) {
                json_object *l = json_object_array_get_idx(old, i), *v;
                if (!json_object_is_type(l, json_type_object))
                        continue;
                if (json_object_object_get_ex(l, "ip-address", &v) && strcmp(json_object_get_string(v), ip) == 0)
                        continue;
                if (json_object_object_get_ex(l, "expiry-time", &v) && json_object_get_int64(v) != 0 &&
                    json_object_get_int64(v) < now)
                        continue;
                json_object_array_add(arr, json_object_get(l));
        }
        if (add) {
                const char *exp = getenv("DNSMASQ_LEASE_EXPIRES"), *length = getenv("DNSMASQ_LEASE_LENGTH");
                long long expiry = exp ? strtoll(exp, NULL, 10) : length ? (long long) now + strtoll(length, NULL, 10) : 0;
                json_object *l = json_object_new_object();
                add_str(l, "ip-address", ip);
                add_str(l, iaid ? "iaid" : "mac-address", argv[2]);
                if (iaid)       /* an IPv6 lease: the client's MAC when dnsmasq knows it */
                        add_str(l, "mac-address", env_or_null("DNSMASQ_MAC"));
                add_str(l, "hostname", hostname && strcmp(hostname, "*") != 0 ? hostname : NULL);
                add_str(l, "client-id", env_or_null("DNSMASQ_CLIENT_ID"));
                add_str(l, "server-duid", env_or_null("DNSMASQ_SERVER_DUID"));
                json_object_object_add(l, "expiry-time", json_object_new_int64(expiry));
                json_object_array_add(arr, l);
        }
        save(path, arr);
        json_object_put(old);
        json_object_put(arr);
        free(path);
        return 0;
}
