/* test-qemu-launch.c: every golden command line really starts the installed QEMU (under TCG), up to its QMP monitor;
 * with the argument "firmware", the UEFI cases (OVMF) instead. */
#include "qemu-test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "../core/test-util.h"

#define QEMU_BINARY "/usr/bin/qemu-system-x86_64"
#define QEMU_IMG "/usr/bin/qemu-img"

extern char **environ;

static char *scratch;          /* the test's directory */

static int run_wait(char *const argv[]) {
        pid_t pid;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -1;
        }
        posix_spawn_file_actions_destroy(&fa);
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static void replace(char **field, const char *value) {
        free(*field);
        *field = strdup(value);
        assert_non_null(*field);
}

static char *scratch_file(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *scratch_file(const char *fmt, ...) {
        char *name, *path;
        va_list ap;
        va_start(ap, fmt);
        assert_true(vasprintf(&name, fmt, ap) >= 0);
        va_end(ap);
        assert_true(asprintf(&path, "%s/%s", scratch, name) >= 0);
        free(name);
        return path;
}

static void write_bytes(const char *path, const void *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t) len);
        close(fd);
}

/* The smallest file QEMU's x86 loader takes for a Linux bzImage: a setup header with the
 * "HdrS" magic and protocol 2.06, four setup sectors, a protected-mode part after them. */
static void write_fake_kernel(const char *path) {
        static unsigned char k[64 * 1024];
        memset(k, 0, sizeof k);
        k[0x1f1] = 4;                                  /* setup_sects */
        k[0x1fe] = 0x55, k[0x1ff] = 0xaa;              /* boot flag */
        memcpy(k + 0x202, "HdrS", 4);
        k[0x206] = 0x06, k[0x207] = 0x02;              /* protocol 2.06 */
        k[0x211] = 0x01;                               /* LOADED_HIGH */
        k[0x22c] = 0xff, k[0x22d] = 0xff, k[0x22e] = 0xff, k[0x22f] = 0x37;   /* initrd_addr_max */
        k[0x238] = 0xff, k[0x239] = 0x07;              /* cmdline_size */
        write_bytes(path, k, sizeof k);
}

/* The two runs (golden and firmware) go on in parallel with each other and with suites whose
 * QEMUs take ports from 5900 up: each run takes its ports from a range of its own, moving on
 * after every port it hands out, and a case whose QEMU still lost a port to another process is
 * started again on fresh ones (see launch_case). */
static int next_port;

static int free_tcp_port(void) {
        for (int port = next_port; port < next_port + 2000; port++) {
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                assert_true(fd >= 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                         .sin_addr.s_addr = htonl(INADDR_ANY) };
                int one = 1;
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
                int r = bind(fd, (struct sockaddr *) &a, sizeof a);
                close(fd);
                if (r == 0) {
                        next_port = port + 1;
                        return port;
                }
        }
        fail_msg("no free TCP port");
        return -1;
}

/* The firmware cases (a loader or an NVRAM store: UEFI from the Debian package ovmf) are a meson
 * test of their own, test-qemu-launch-firmware (argument "firmware"), that skips as a whole
 * when the firmware is not installed; the other cases never need it. */
#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"

static bool firmware_run;       /* this run takes the firmware cases, and only them */
static size_t n_launched;

static bool needs_firmware(const DomainDef *def) {
        const DomainDefPrivate *p = def->priv;
        return p->os.loader || p->os.nvram;
}

/* Turns a golden definition into one that runs here: TCG, files in the scratch directory for
 * every disk, firmware variable store, kernel and chardev, user networking instead of taps,
 * graphics on free loopback ports. The command-line shape stays the golden one. */
static void make_runnable(DomainDef *def, const char *name) {
        DomainDefPrivate *p = def->priv;
        DomainDevices *d = &p->devices;
        /* main() checked OVMF_CODE and OVMF_VARS; a golden case naming another file fails. */
        if (p->os.loader && access(p->os.loader, R_OK) != 0)
                fail_msg("%s: the loader %s is missing", name, p->os.loader);
        replace(&def->virt_type, "qemu");
        if (str_eq(p->cpu.mode, "host-passthrough"))
                replace(&p->cpu.mode, "host-model");
        for (size_t i = 0; i < d->n_disks; i++) {
                DomainDisk *disk = &d->disks[i];
                if (!disk->source_file && !disk->source_dev)
                        continue;
                const char *fmt = disk->driver_type ? disk->driver_type : "raw";
                char *path = scratch_file("%s-disk%zu.%s", name, i, fmt);
                char *argv[] = { QEMU_IMG, "create", "-q", "-f", (char *) fmt, path, "16M", NULL };
                assert_int_equal(run_wait(argv), 0);
                replace(&disk->type, "file");
                free(disk->source_dev);
                disk->source_dev = NULL;
                free(disk->source_file);
                disk->source_file = path;
        }
        if (p->os.nvram) {
                char *path = scratch_file("%s-VARS.fd", name);
                char *argv[] = { "/bin/cp", OVMF_VARS, path, NULL };
                assert_int_equal(run_wait(argv), 0);
                free(p->os.nvram);
                p->os.nvram = path;
        }
        if (p->os.kernel) {
                char *path = scratch_file("%s-vmlinuz", name);
                write_fake_kernel(path);
                free(p->os.kernel);
                p->os.kernel = path;
        }
        if (p->os.initrd) {
                char *path = scratch_file("%s-initrd", name);
                write_bytes(path, "initrd", 6);
                free(p->os.initrd);
                p->os.initrd = path;
        }
        DomainChr *lists[] = { d->serials, d->consoles, d->channels };
        size_t counts[] = { d->n_serials, d->n_consoles, d->n_channels };
        for (size_t l = 0; l < 3; l++)
                for (size_t i = 0; i < counts[l]; i++)
                        if (lists[l][i].source_path) {
                                free(lists[l][i].source_path);
                                lists[l][i].source_path = scratch_file("%s-chr%zu-%zu", name, l, i);
                        }
        /* No taps here: NICs with a host device become user networking, with one queue and no
         * <mtu> (refused on user networking; the nic-mtu suite boots a guest with host_mtu). */
        for (size_t i = 0; i < d->n_interfaces; i++) {
                DomainInterface *nic = &d->interfaces[i];
                if (str_eq(nic->type, "bridge") || str_eq(nic->type, "network") || str_eq(nic->type, "direct") ||
                    str_eq(nic->type, "ethernet")) {
                        replace(&nic->type, "user");
                        nic->driver_queues.set = false;
                        nic->mtu = 0;
                }
        }
        for (size_t i = 0; i < d->n_graphics; i++)
                replace(&d->graphics[i].listen, "127.0.0.1");
}

static bool wait_for_socket(const char *path, pid_t pid, int *fd_out) {
        for (int tries = 0; tries < 1500; tries++) {
                if (waitpid(pid, NULL, WNOHANG) == pid)
                        return false;
                int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                struct sockaddr_un a = { .sun_family = AF_UNIX };
                snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
                if (connect(fd, (struct sockaddr *) &a, sizeof a) == 0) {
                        *fd_out = fd;
                        return true;
                }
                close(fd);
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        return false;
}

/* One line from QMP, with a timeout; QEMU writes each message on its own line. */
static bool qmp_read_line(int fd, char *buf, size_t size) {
        size_t n = 0;
        while (n + 1 < size) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                if (poll(&pfd, 1, 20000) <= 0)
                        return false;
                ssize_t r = read(fd, buf + n, 1);
                if (r <= 0)
                        return false;
                if (buf[n] == '\n')
                        break;
                n++;
        }
        buf[n] = '\0';
        return true;
}

/* Reads until the answer to the last command (skipping events). */
static bool qmp_command(int fd, const char *cmd, char *reply, size_t size) {
        if (write(fd, cmd, strlen(cmd)) != (ssize_t) strlen(cmd))
                return false;
        while (qmp_read_line(fd, reply, size))
                if (!strstr(reply, "\"event\""))
                        return true;
        return false;
}

/* QEMU's output, less the lines that only report a pty's name. */
static char *read_log(const char *path) {
        FILE *f = fopen(path, "r");
        char *out = calloc(1, 1), line[4096];
        size_t len = 0;
        assert_non_null(out);
        while (f && fgets(line, sizeof line, f)) {
                if (strncmp(line, "char device redirected to /dev/pts/", 35) == 0)
                        continue;
                out = realloc(out, len + strlen(line) + 1);
                assert_non_null(out);
                memcpy(out + len, line, strlen(line) + 1);
                len += strlen(line);
        }
        if (f)
                fclose(f);
        return out;
}

/* A <tpm> emulator: a real swtpm listening where the command line points QEMU (its control
 * socket), with a fresh state directory; its pid, or -1 when the case has no TPM. */
static pid_t swtpm_start(const DomainDef *def, const char *name, QemuTestInput *t) {
        if (!qemu_tpm_emulator(def))
                return -1;
        char *dir = scratch_file("%s-tpm", name), *sock = scratch_file("%s.swtpm.sock", name);
        nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);       /* a fresh state on a second try */
        unlink(sock);
        assert_int_equal(mkdir(dir, 0700), 0);
        snprintf(t->tpm, sizeof t->tpm, "%s", sock);
        char state[4200], ctrl[4200];
        snprintf(state, sizeof state, "dir=%s", dir);
        snprintf(ctrl, sizeof ctrl, "type=unixio,path=%s", sock);
        char *argv[] = { "/usr/bin/swtpm", "socket", "--tpm2", "--tpmstate", state, "--ctrl", ctrl, NULL };
        pid_t pid;
        assert_int_equal(posix_spawn(&pid, argv[0], NULL, NULL, argv, environ), 0);
        struct stat st;
        for (int tries = 0; tries < 1500 && (stat(sock, &st) != 0 || !S_ISSOCK(st.st_mode)); tries++) {
                assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);       /* swtpm did not end */
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        assert_true(S_ISSOCK(st.st_mode));
        free(dir);
        free(sock);
        return pid;
}

/* QEMU lost a port it was given to another process between our check and its bind. */
static bool lost_a_port(const char *out) {
        return strstr(out, "Address already in use") || strstr(out, "binding socket to") ||
               strstr(out, "Failed to find an available port");
}

enum launch { LAUNCH_UP, LAUNCH_PORT_TAKEN, LAUNCH_FAILED };

static enum launch launch_once(DomainDef *def, const char *name, bool last_try) {
        DomainDevices *d = &((DomainDefPrivate *) def->priv)->devices;
        for (size_t i = 0; i < d->n_graphics; i++) {
                DomainGraphics *g = &d->graphics[i];
                if (g->port.set && g->port.v != -1)
                        g->port.v = free_tcp_port();
        }
        QemuTestInput t;
        qt_input(&t, def, false);
        char *qmp = scratch_file("%s.qmp", name), *log = scratch_file("%s.log", name);
        unlink(qmp);
        snprintf(t.qmp, sizeof t.qmp, "%s", qmp);
        t.in.channel_dir = scratch;
        t.in.vnc_port = free_tcp_port();
        t.in.spice_port = free_tcp_port();
        pid_t swtpm = swtpm_start(def, name, &t);
        VbError err = { 0 };
        char **argv = qemu_command_build(&t.in, &err);
        if (!argv)
                print_error("%s: %s\n", name, err.message);
        assert_non_null(argv);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        pid_t pid;
        assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);

        int fd = -1;
        char reply[4096] = "";
        bool up = wait_for_socket(qmp, pid, &fd) && qmp_read_line(fd, reply, sizeof reply) &&
                  strstr(reply, "\"QMP\"") &&
                  qmp_command(fd, "{\"execute\":\"qmp_capabilities\"}\n", reply, sizeof reply) &&
                  strstr(reply, "\"return\"") &&
                  qmp_command(fd, "{\"execute\":\"query-status\"}\n", reply, sizeof reply) &&
                  strstr(reply, "\"prelaunch\"");
        /* Still there a moment later: nothing failed after the monitor answered. */
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        up = up && waitpid(pid, NULL, WNOHANG) == 0;
        if (fd >= 0)
                close(fd);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        if (swtpm > 0) {
                kill(swtpm, SIGTERM);
                waitpid(swtpm, NULL, 0);
        }
        char *out = read_log(log);
        enum launch result = up && !*out ? LAUNCH_UP : !up && lost_a_port(out) ? LAUNCH_PORT_TAKEN : LAUNCH_FAILED;
        /* Whatever QEMU says before it is killed is a warning about the command line. */
        if (result == LAUNCH_FAILED || (result == LAUNCH_PORT_TAKEN && last_try)) {
                char *line = qemu_command_to_string(argv);
                fprintf(stderr, "%s: %s\ncommand: %s\nlast reply: %s\noutput:\n%s\n", name,
                        up ? "QEMU complained" : "QEMU did not come up", line, reply, out);
                free(line);
        } else if (result == LAUNCH_PORT_TAKEN) {
                print_message("%s: another process took a graphics port first; again on fresh ports\n", name);
        }
        free(out);
        free(qmp);
        free(log);
        qemu_argv_free(argv);
        qt_input_done(&t);
        return result;
}

static void launch_case(const char *name) {
        DomainDef *def = qt_parse(name);
        if (needs_firmware(def) != firmware_run) {
                domain_def_free(def);
                return;
        }
        make_runnable(def, name);
        n_launched++;
        enum launch result = LAUNCH_PORT_TAKEN;
        for (int attempt = 0; attempt < 5 && result == LAUNCH_PORT_TAKEN; attempt++)
                result = launch_once(def, name, attempt == 4);
        assert_int_equal(result, LAUNCH_UP);
        print_message("%s: QEMU came up\n", name);
        domain_def_free(def);
}

static void test_launch_golden(void **state) {
        for (size_t i = 0; i < QEMU_N_GOLDEN; i++)
                if (!qemu_golden_cases[i].error_code)
                        launch_case(qemu_golden_cases[i].name);
        assert_true(n_launched > 0);
}

static int setup(void **state) {
        scratch = tu_mkdtemp();
        return scratch ? 0 : -1;
}

static int teardown(void **state) {
        tu_rm_rf(scratch);
        scratch = NULL;
        return 0;
}

int main(int argc, char **argv) {
        firmware_run = argc > 1 && strcmp(argv[1], "firmware") == 0;
        next_port = firmware_run ? 7000 : 6000;
        if (access(QEMU_BINARY, X_OK) != 0 || access(QEMU_IMG, X_OK) != 0)
                return tu_skip_program(QEMU_BINARY " or " QEMU_IMG " is not installed "
                                       "(Debian packages qemu-system-x86, qemu-utils)");
        if (firmware_run && (access(OVMF_CODE, R_OK) != 0 || access(OVMF_VARS, R_OK) != 0))
                return tu_skip_program(OVMF_CODE " or " OVMF_VARS " is missing (Debian package ovmf)");
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_launch_golden, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
