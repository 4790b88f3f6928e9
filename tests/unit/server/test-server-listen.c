/* test-server-listen.c: the remote door's sockets: paths, modes, group, stale and live sockets, TCP, sockets from systemd. */
#include <grp.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "server-test.h"

static mode_t st_mode_of(const char *path) {
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        return st.st_mode;
}

static void test_default_sockets_and_modes(void **state) {
        Fixture *f = fx_new();
        assert_int_equal(fx_start(f), 0);
        char *rw = fx_path(f, "libvirt-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        assert_true(S_ISSOCK(st_mode_of(rw)));
        assert_int_equal(st_mode_of(rw) & 07777, 0700);
        assert_int_equal(st_mode_of(ro) & 07777, 0777);
        assert_int_equal(st_mode_of(f->sock_dir) & 07777, 0700);   /* session mode */
        assert_int_equal(remote_server_n_listeners(f->s), 2);

        /* The read-only socket makes read-only clients; both carry the peer's credentials. */
        int a = st_connect_unix(rw), b = st_connect_unix(ro);
        assert_true(a >= 0 && b >= 0);
        assert_true(st_echo_ok(f, a, 1));
        assert_false(double_state.last_readonly);
        assert_false(double_state.last_who.readonly);
        assert_int_equal(double_state.last_who.pid, getpid());
        assert_int_equal(double_state.last_who.uid, getuid());
        assert_int_equal(double_state.last_who.gid, getgid());
        assert_true(st_echo_ok(f, b, 2));
        assert_true(double_state.last_readonly);
        assert_true(double_state.last_who.readonly);
        assert_int_equal(double_state.last_who.pid, getpid());
        close(a);
        close(b);

        /* Freeing the server removes the files it made. */
        f->s = remote_server_free(f->s);
        assert_int_equal(access(rw, F_OK), -1);
        assert_int_equal(access(ro, F_OK), -1);
        free(rw);
        free(ro);
        fx_free(f);
}

/* libvirt's default: with polkit deciding, the rw socket is open to everyone (0777). */
static void test_polkit_rw_socket_defaults_to_0777(void **state) {
        Fixture *f = fx_new();
        f->cfg.auth_unix_rw = strdup("polkit");
        assert_int_equal(fx_start(f), 0);
        char *rw = fx_path(f, "libvirt-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        assert_int_equal(st_mode_of(rw) & 07777, 0777);
        assert_int_equal(st_mode_of(ro) & 07777, 0777);
        free(rw);
        free(ro);
        fx_free(f);
        /* an explicit unix_sock_rw_perms still wins */
        f = fx_new();
        f->cfg.auth_unix_rw = strdup("polkit");
        f->cfg.unix_sock_rw_perms = strdup("0770");
        assert_int_equal(fx_start(f), 0);
        rw = fx_path(f, "libvirt-sock");
        assert_int_equal(st_mode_of(rw) & 07777, 0770);
        free(rw);
        fx_free(f);
}

static void test_configured_modes_group_and_nested_dir(void **state) {
        Fixture *f = fx_new();
        free(f->cfg.unix_sock_dir);
        assert_true(asprintf(&f->cfg.unix_sock_dir, "%s/a/b/c", f->dir) > 0);
        free(f->sock_dir);
        f->sock_dir = strdup(f->cfg.unix_sock_dir);
        f->cfg.unix_sock_rw_perms = strdup("0660");
        f->cfg.unix_sock_ro_perms = strdup("0604");
        struct group *gr = getgrgid(getgid());
        assert_non_null(gr);
        f->cfg.unix_sock_group = strdup(gr->gr_name);
        assert_int_equal(fx_start(f), 0);
        char *rw = fx_path(f, "libvirt-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        assert_int_equal(st_mode_of(rw) & 07777, 0660);
        assert_int_equal(st_mode_of(ro) & 07777, 0604);
        struct stat st;
        assert_int_equal(stat(rw, &st), 0);
        assert_int_equal(st.st_gid, getgid());
        fx_free(f);
        free(rw);
        free(ro);
}

static void test_system_mode_dir_from_run_root(void **state) {
        Fixture *f = fx_new();
        free(f->cfg.unix_sock_dir);
        f->cfg.unix_sock_dir = NULL;
        assert_int_equal(remote_server_new_with_fds(f->m, f->e, &f->cfg, true, f->dir, NULL, NULL, 0, &protocol_double, &f->s, f->err,
                                                    sizeof f->err), 0);
        char *dir, *rw;
        assert_true(asprintf(&dir, "%s/libvirt", f->dir) > 0);
        assert_true(asprintf(&rw, "%s/libvirt/libvirt-sock", f->dir) > 0);
        assert_true(S_ISSOCK(st_mode_of(rw)));
        mode_t um = umask(0);
        umask(um);
        assert_int_equal(st_mode_of(dir) & 07777, 0755 & ~um);
        fx_free(f);
        free(dir);
        free(rw);
}

static void test_session_mode_needs_runtime_dir(void **state) {
        Fixture *f = fx_new();
        free(f->cfg.unix_sock_dir);
        f->cfg.unix_sock_dir = NULL;
        char *saved = getenv("XDG_RUNTIME_DIR") ? strdup(getenv("XDG_RUNTIME_DIR")) : NULL;
        unsetenv("XDG_RUNTIME_DIR");
        assert_true(fx_start(f) < 0);
        assert_non_null(strstr(f->err, "XDG_RUNTIME_DIR"));
        assert_non_null(strstr(f->err, "unix_sock_dir"));
        setenv("XDG_RUNTIME_DIR", f->dir, 1);
        assert_int_equal(fx_start(f), 0);
        char *rw;
        assert_true(asprintf(&rw, "%s/libvirt/libvirt-sock-ro", f->dir) > 0);
        assert_true(S_ISSOCK(st_mode_of(rw)));
        free(rw);
        if (saved)
                setenv("XDG_RUNTIME_DIR", saved, 1);
        else
                unsetenv("XDG_RUNTIME_DIR");
        free(saved);
        fx_free(f);
}

/* A socket bound and closed without unlink: nobody listens, connect() is refused. */
static void make_stale_socket(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        close(fd);
}

static int make_live_socket(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(fd, 4), 0);
        return fd;
}

static void test_stale_socket_taken_over(void **state) {
        Fixture *f = fx_new();
        assert_int_equal(mkdir(f->sock_dir, 0700), 0);
        char *rw = fx_path(f, "libvirt-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        make_stale_socket(rw);
        make_stale_socket(ro);
        assert_int_equal(fx_start(f), 0);
        int a = st_connect_unix(rw);
        assert_true(a >= 0);
        assert_true(st_echo_ok(f, a, 7));
        close(a);
        fx_free(f);
        free(rw);
        free(ro);
}

static void test_live_socket_refused(void **state) {
        Fixture *f = fx_new();
        assert_int_equal(mkdir(f->sock_dir, 0700), 0);
        char *rw = fx_path(f, "libvirt-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        int live = make_live_socket(rw);
        assert_int_equal(fx_start(f), -EADDRINUSE);
        assert_null(f->s);
        assert_non_null(strstr(f->err, rw));
        assert_non_null(strstr(f->err, "is in use by another process"));
        assert_true(S_ISSOCK(st_mode_of(rw)));          /* the other process's socket is untouched */
        close(live);
        unlink(rw);

        /* The read-only one in use: the read-write socket made first is removed again. */
        live = make_live_socket(ro);
        assert_int_equal(fx_start(f), -EADDRINUSE);
        assert_non_null(strstr(f->err, "is in use by another process"));
        assert_int_equal(access(rw, F_OK), -1);
        close(live);
        unlink(ro);

        /* Not a socket at all. */
        FILE *x = fopen(rw, "w");
        fclose(x);
        assert_int_equal(fx_start(f), -EEXIST);
        assert_non_null(strstr(f->err, "is not a socket"));
        fx_free(f);
        free(rw);
        free(ro);
}

static void test_unknown_group_refused(void **state) {
        Fixture *f = fx_new();
        f->cfg.unix_sock_group = strdup("no-such-group-virtbus");
        assert_true(fx_start(f) < 0);
        assert_non_null(strstr(f->err, "unix_sock_group"));
        assert_non_null(strstr(f->err, "no-such-group-virtbus"));
        fx_free(f);
}

static void test_auth_refusals_name_the_key(void **state) {
        Fixture *f = fx_new();
        /* SASL is served on every listener (test_remote_sasl*.py); a value config.c would refuse,
         * in a Config built otherwise, is refused with its key. */
        f->cfg.auth_unix_rw = strdup("kerberos");
        assert_int_equal(fx_start(f), -EOPNOTSUPP);
        assert_non_null(strstr(f->err, "auth_unix_rw = \"kerberos\" is not supported"));
        free(f->cfg.auth_unix_rw);
        f->cfg.auth_unix_rw = strdup("polkit");
        f->cfg.access_drivers = calloc(2, sizeof(char *));
        f->cfg.access_drivers[0] = strdup("selinux");   /* config.c refuses it; the server too */
        assert_int_equal(fx_start(f), -EOPNOTSUPP);
        assert_non_null(strstr(f->err, "access_drivers"));
        assert_non_null(strstr(f->err, "not supported yet"));
        /* Nothing was left behind. */
        assert_int_equal(access(f->sock_dir, F_OK) == 0 ? st_count_entries(f->sock_dir) : 0, 0);
        fx_free(f);
}

static uint16_t free_tcp_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

static int connect_tcp(uint16_t port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                close(fd);
                return -1;
        }
        fcntl(fd, F_SETFL, O_NONBLOCK);
        return fd;
}

static void test_tcp_with_auth_none(void **state) {
        Fixture *f = fx_new();
        uint16_t port = free_tcp_port();
        f->cfg.listen_tcp = true;
        f->cfg.auth_tcp = strdup("none");
        f->cfg.listen_addr = strdup("127.0.0.1");
        assert_true(asprintf(&f->cfg.tcp_port, "%u", port) > 0);
        assert_int_equal(fx_start(f), 0);
        assert_int_equal(remote_server_n_listeners(f->s), 3);
        int fd = connect_tcp(port);
        assert_true(fd >= 0);
        assert_true(st_echo_ok(f, fd, 3));
        assert_int_equal(double_state.last_who.uid, (uid_t) -1);
        assert_false(double_state.last_readonly);
        close(fd);

        /* The port is taken now: a second server says so. */
        Fixture *g = fx_new();
        g->cfg.listen_tcp = true;
        g->cfg.auth_tcp = strdup("none");
        g->cfg.listen_addr = strdup("127.0.0.1");
        g->cfg.tcp_port = strdup(f->cfg.tcp_port);
        assert_int_equal(fx_start(g), -EADDRINUSE);
        assert_non_null(strstr(g->err, "127.0.0.1"));
        fx_free(g);
        fx_free(f);
}

/* ---- sockets from systemd ---- */

static int make_listener_at(const char *path) {
        return make_live_socket(path);
}

static void test_adopt_sockets_by_name_and_path(void **state) {
        Fixture *f = fx_new();
        assert_int_equal(mkdir(f->sock_dir, 0755), 0);
        char *rw = fx_path(f, "systemd-sock"), *ro = fx_path(f, "other-ro"), *odd = fx_path(f, "odd");
        int fds[3] = { make_listener_at(rw), make_listener_at(ro), make_listener_at(odd) };
        char *names[] = { "virtbusd.socket", "unknown", "foo.socket", NULL };
        assert_int_equal(remote_server_new_with_fds(f->m, f->e, &f->cfg, false, NULL, fds, names, 3, &protocol_double, &f->s, f->err,
                                                    sizeof f->err), 0);
        /* The two adopted; the third (a name not ours) closed; nothing created. */
        assert_int_equal(remote_server_n_listeners(f->s), 2);
        assert_int_equal(remote_server_listener(f->s, 0)->kind, LISTEN_UNIX_RW);
        assert_int_equal(remote_server_listener(f->s, 1)->kind, LISTEN_UNIX_RO);
        assert_int_equal(st_connect_unix(odd), -ECONNREFUSED);   /* closed, not served */
        char *own = fx_path(f, "libvirt-sock");
        assert_int_equal(access(own, F_OK), -1);
        int a = st_connect_unix(ro);
        assert_true(a >= 0);
        assert_true(st_echo_ok(f, a, 9));
        assert_true(double_state.last_readonly);
        close(a);
        /* systemd's files stay when the server goes. */
        f->s = remote_server_free(f->s);
        assert_true(S_ISSOCK(st_mode_of(rw)));
        assert_true(S_ISSOCK(st_mode_of(ro)));
        fx_free(f);
        free(rw);
        free(ro);
        free(odd);
        free(own);
}

static void test_adopt_only_some(void **state) {
        /* systemd passes the read-write socket alone: the read-only one is made as usual. */
        Fixture *f = fx_new();
        assert_int_equal(mkdir(f->sock_dir, 0755), 0);
        char *rw = fx_path(f, "sd-sock"), *ro = fx_path(f, "libvirt-sock-ro");
        int fd = make_listener_at(rw);
        char *names[] = { "virtbusd.socket", NULL };
        assert_int_equal(remote_server_new_with_fds(f->m, f->e, &f->cfg, false, NULL, &fd, names, 1, &protocol_double, &f->s, f->err,
                                                    sizeof f->err), 0);
        assert_int_equal(remote_server_n_listeners(f->s), 2);
        assert_true(S_ISSOCK(st_mode_of(ro)));
        fx_free(f);
        free(rw);
        free(ro);
}

/* A TCP socket from systemd takes auth_tcp, "sasl" by default as in libvirt: served, with SASL. */
static void test_adopted_tcp_defaults_to_sasl(void **state) {
        Fixture *f = fx_new();
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(fd, 4), 0);
        char *names[] = { "virtbusd-tcp.socket", NULL };
        socklen_t len = sizeof sa;
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
        assert_int_equal(remote_server_new_with_fds(f->m, f->e, &f->cfg, false, NULL, &fd, names, 1, &protocol_double, &f->s, f->err,
                                                    sizeof f->err), 0);
        assert_int_equal(remote_server_listener(f->s, 0)->kind, LISTEN_TCP);
        int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_int_equal(connect(c, (struct sockaddr *) &sa, sizeof sa), 0);
        close(c);
        fx_free(f);
}

static void test_parse_mode(void **state) {
        mode_t m;
        assert_int_equal(listen_parse_mode("0777", &m), 0);
        assert_int_equal(m, 0777);
        assert_int_equal(listen_parse_mode("600", &m), 0);
        assert_int_equal(m, 0600);
        assert_int_equal(listen_parse_mode("0800", &m), -EINVAL);
        assert_int_equal(listen_parse_mode("", &m), -EINVAL);
        assert_int_equal(listen_parse_mode("17777", &m), -EINVAL);
        assert_int_equal(listen_parse_mode("rw", &m), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_sockets_and_modes),
                cmocka_unit_test(test_polkit_rw_socket_defaults_to_0777),
                cmocka_unit_test(test_configured_modes_group_and_nested_dir),
                cmocka_unit_test(test_system_mode_dir_from_run_root),
                cmocka_unit_test(test_session_mode_needs_runtime_dir),
                cmocka_unit_test(test_stale_socket_taken_over),
                cmocka_unit_test(test_live_socket_refused),
                cmocka_unit_test(test_unknown_group_refused),
                cmocka_unit_test(test_auth_refusals_name_the_key),
                cmocka_unit_test(test_tcp_with_auth_none),
                cmocka_unit_test(test_adopt_sockets_by_name_and_path),
                cmocka_unit_test(test_adopt_only_some),
                cmocka_unit_test(test_adopted_tcp_defaults_to_sasl),
                cmocka_unit_test(test_parse_mode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
