/* qemu-tpm.c: a guest's emulated TPM: its state directory (made once, kept across starts), swtpm_setup the first time in a watched child, swtpm beside QEMU as a child watched by pidfd on a socket the daemon binds, and the state's removal at undefine. */
#define LOG_MODULE "qemu"
#include "qemu-tpm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "persist.h"
#include "process-run.h"
#include "qemu-priv.h"
#include "uuid.h"

#define SWTPM_BINARY "/usr/bin/swtpm"
#define SWTPM_SETUP_BINARY "/usr/bin/swtpm_setup"
#define TPM_PERMALL "tpm2-00.permall"

static const ProcessProgram swtpm_program = { "swtpm", VB_FROM_QEMU };
static const ProcessProgram setup_program = { "swtpm_setup", VB_FROM_QEMU };

/* A running swtpm. Owned by its exit: qemu_tpm_stop() only detaches it from the domain. */
typedef struct QemuSwtpm {
        Process *proc;
        QemuDomain *qd;         /* NULL once detached */
        char *sock;
        char *drop_state;       /* a transient guest's state directory, removed once swtpm has ended */
        char name[256];         /* the domain's, for the log */
} QemuSwtpm;

int qemu_tpm_state_dir(Connection *c, const uint8_t uuid[16], char *buf, size_t len) {
        char u[UUID_STRING_LEN];
        uuid_format(uuid, u);
        int n = snprintf(buf, len, "%s/swtpm/%s/tpm2", c->manager->state_root, u);
        return n < 0 || (size_t) n >= len ? -ENAMETOOLONG : 0;
}

static int socket_path(Connection *c, const char *name, char **out) {
        struct sockaddr_un sa;
        if (!name[0] || strchr(name, '/') || name[0] == '.')
                return -EINVAL;
        if (asprintf(out, "%s/%s.swtpm.sock", c->state_dir, name) < 0) {
                *out = NULL;
                return -ENOMEM;
        }
        if (strlen(*out) >= sizeof sa.sun_path) {
                *out = (free(*out), NULL);
                return -ENAMETOOLONG;
        }
        return 0;
}

/* Who swtpm and its files belong to: the user QEMU runs as. */
static void tpm_owner(QemuConn *qc, uid_t *uid, gid_t *gid) {
        bool confined = qemu_security_confined(qc);
        *uid = confined ? qc->dac.uid : getuid();
        *gid = confined ? qc->dac.gid : getgid();
}

/* One level of the state: made when missing (never through a symlink), then given its owner
 * and mode. */
static int make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, VbError *err) {
        if (mkdir(path, mode) < 0 && errno != EEXIST)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot create directory '%s': %s", path,
                                        strerror(errno));
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU,
                                        "cannot give directory '%s' to %u:%u mode %04o: %s", path, (unsigned) uid,
                                        (unsigned) gid, (unsigned) mode, strerror(e));
        }
        close(fd);
        return 0;
}

/* A directory of the daemon's (0700 when it made it) that QEMU's user must pass through:
 * search permission only (x, never r), as libvirt's /var/lib/libvirt and /run/libvirt allow. */
static int allow_search(const char *path, VbError *err) {
        struct stat st;
        if (stat(path, &st) < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot access '%s': %s", path,
                                        strerror(errno));
        if ((st.st_mode & 0011) == 0011)
                return 0;
        if (chmod(path, (st.st_mode & 07777) | 0011) < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot let QEMU's user pass '%s': %s",
                                        path, strerror(errno));
        log_info("%s: search permission for QEMU's user (its swtpm state and socket are below)", path);
        return 0;
}

/* <state root>/swtpm (0711: the owner of a guest's directory may pass), <uuid> (0711) and
 * tpm2 (0700), the last two QEMU's user's. */
static int make_state_dir(QemuConn *qc, const char *dir, VbError *err) {
        char top[PATH_MAX];
        uid_t uid;
        gid_t gid;
        tpm_owner(qc, &uid, &gid);
        int n = snprintf(top, sizeof top, "%s/swtpm", qc->conn->manager->state_root);
        if (n < 0 || (size_t) n >= sizeof top)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "TPM state path too long");
        char *uuid_dir = strdup(dir);
        if (!uuid_dir)
                return vb_error_errno(err, -ENOMEM, "TPM state path");
        *strrchr(uuid_dir, '/') = '\0';
        int r = persist_ensure_dir(top, err) < 0 ? -1 : 0;
        if (r == 0 && uid != getuid())
                r = allow_search(qc->conn->manager->state_root, err);
        if (r == 0 && chmod(top, 0711) < 0)
                r = vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot set the mode of '%s': %s", top,
                                     strerror(errno));
        if (r == 0)
                r = make_dir(uuid_dir, 0711, uid, gid, err);
        if (r == 0)
                r = make_dir(dir, 0700, uid, gid, err);
        free(uuid_dir);
        return r;
}

typedef struct Setup {
        Domain *d;              /* a reference: the domain may be undefined meanwhile */
        QemuDomain *qd;
        QemuNamesNext next;     /* the start's next step */
        void *arg;
} Setup;

static void on_setup_done(int status, const char *out, size_t len, void *userdata) {
        Setup *s = userdata;
        Domain *d = s->d;
        QemuDomain *qd = d->driver_data;
        (void) len;
        if (qd != s->qd || !qd->tpm_setup) {    /* forgotten meanwhile: its call went with it */
                domain_unref(d);
                free(s);
                return;
        }
        qd->tpm_setup = false;
        VbError e = { 0 };
        Call *call = call_ref(qd->call);
        if (!qd->qc) {
                vb_error_set(&e, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "the QEMU connection is closing");
                qemu_domain_finish(qd, -1, &e);
        } else if (status != 0) {
                vb_error_set(&e, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU,
                             "cannot create the TPM state of domain '%s': swtpm_setup exited %d: %s", d->obj.name, status,
                             out && *out ? out : "(no output)");
                qemu_domain_finish(qd, -1, &e);
        } else {
                log_info("domain %s: TPM state created", d->obj.name);
                qemu_verb_continue(qd, s->next, NULL, s->arg);
        }
        call_unref(call);
        domain_unref(d);
        free(s);
}

int qemu_tpm_prepare(QemuDomain *qd, const DomainDef *def, QemuNamesNext next, void *arg, Call *call, VbError *err) {
        if (!qemu_tpm_emulator(def))
                return 0;
        QemuConn *qc = qd->qc;
        Domain *d = qd->domain;
        if (access(SWTPM_BINARY, X_OK) < 0 || access(SWTPM_SETUP_BINARY, X_OK) < 0)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_QEMU,
                                    "<tpm> emulator: swtpm is not installed (%s, %s)", SWTPM_BINARY, SWTPM_SETUP_BINARY);
        char dir[PATH_MAX], permall[PATH_MAX + 32];
        if (qemu_tpm_state_dir(d->obj.conn, d->obj.uuid, dir, sizeof dir) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "TPM state path too long");
        if (make_state_dir(qc, dir, err) < 0)
                return -1;
        snprintf(permall, sizeof permall, "%s/" TPM_PERMALL, dir);
        if (access(permall, F_OK) == 0)
                return 0;       /* made by an earlier start: the guest's TPM keeps its keys */
        /* A restore or an incoming migration: QEMU hands swtpm the TPM's state from the stream
         * (as libvirt, no manufacture then; the start also cannot wait: its stream is open now). */
        if (qd->incoming)
                return 0;
        char runas[32];
        uid_t uid;
        gid_t gid;
        tpm_owner(qc, &uid, &gid);
        snprintf(runas, sizeof runas, "%u", (unsigned) uid);
        char *argv[] = { SWTPM_SETUP_BINARY, "--tpm2", "--tpmstate", dir, "--createek", "--lock-nvram",
                         "--not-overwrite", uid != getuid() ? "--runas" : NULL, runas, NULL };
        Setup *s = calloc(1, sizeof *s);
        if (!s)
                return vb_error_errno(err, -ENOMEM, "TPM setup");
        *s = (Setup) { domain_ref(d), qd, next, arg };
        if (process_run_exec(qc->event, &setup_program, argv, NULL, 0, on_setup_done, s, err) < 0) {
                domain_unref(d);
                free(s);
                return -1;
        }
        log_info("domain %s: creating its TPM state in %s", d->obj.name, dir);
        qd->tpm_setup = true;
        qemu_domain_pending(qd, call);
        return VERB_PENDING;
}

/* The files swtpm keeps (no subdirectories), then the directory. */
static int remove_dir(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        DIR *dir = fdopendir(fd);
        if (!dir) {
                close(fd);
                return -errno;
        }
        int r = 0;
        for (struct dirent *e; (e = readdir(dir));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                    unlinkat(dirfd(dir), e->d_name, 0) < 0)
                        r = -errno;
        closedir(dir);
        return r < 0 ? r : rmdir(path) < 0 ? -errno : 0;
}

/* DIR (…/<uuid>/tpm2) and its <uuid> parent; logged, never fatal. */
static void remove_state(const char *name, const char *dir) {
        char parent[PATH_MAX];
        snprintf(parent, sizeof parent, "%s", dir);
        char *slash = strrchr(parent, '/');
        int r = remove_dir(dir);
        if (r == 0 && slash) {
                *slash = '\0';
                if (rmdir(parent) < 0 && errno != ENOENT)
                        r = -errno;
        }
        if (r < 0)
                log_warning("domain %s: cannot remove its TPM state %s: %s", name, dir, strerror(-r));
        else
                log_info("domain %s: TPM state removed", name);
}

static void on_swtpm_exit(Process *p, const siginfo_t *si, void *userdata) {
        QemuSwtpm *s = userdata;
        if (s->qd) {
                /* Before QEMU's own exit is seen (--terminate), or on its own: its socket goes
                 * now (a detached one's path may be a newer swtpm's already). */
                if (si->si_code == CLD_EXITED && si->si_status == 0)
                        log_info("domain %s: swtpm (pid %d) ended", s->name, (int) process_pid(p));
                else
                        log_warning("domain %s: swtpm (pid %d) ended abnormally (code %d, status %d)", s->name,
                                    (int) process_pid(p), si->si_code, si->si_status);
                unlink(s->sock);
                s->qd->swtpm = NULL;
        } else {
                log_debug("domain %s: swtpm (pid %d) ended", s->name, (int) process_pid(p));
        }
        if (s->drop_state)
                remove_state(s->name, s->drop_state);
        process_free(s->proc);
        free(s->drop_state);
        free(s->sock);
        free(s);
}

static QemuSwtpm *swtpm_new(QemuDomain *qd) {
        QemuSwtpm *s = calloc(1, sizeof *s);
        if (!s)
                return NULL;
        s->qd = qd;
        snprintf(s->name, sizeof s->name, "%s", qd->domain->obj.name);
        if (socket_path(qd->domain->obj.conn, qd->domain->obj.name, &s->sock) < 0) {
                free(s);
                return NULL;
        }
        return s;
}

/* Bound and listening before swtpm runs: QEMU's connect waits in the backlog, never races
 * swtpm's start. QEMU's user may connect. */
static int listen_socket(QemuConn *qc, const char *path, VbError *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        strcpy(sa.sun_path, path);
        uid_t uid;
        gid_t gid;
        tpm_owner(qc, &uid, &gid);
        unlink(path);
        if (uid != getuid() && (allow_search(qc->conn->manager->run_root, err) < 0 ||
                                allow_search(qc->conn->state_dir, err) < 0))
                return -1;
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 || chmod(path, 0600) < 0 ||
            chown(path, uid, gid) < 0 || listen(fd, 1) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                unlink(path);
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_QEMU, "cannot listen on the swtpm socket %s: %s",
                                        path, strerror(e));
        }
        if (fd < 3) {   /* kept by number in swtpm */
                int f = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                close(fd);
                fd = f;
        }
        return fd;
}

static QemuSwtpm *swtpm_detach(QemuDomain *qd);

int qemu_tpm_spawn(QemuDomain *qd, DomainDef *live, char **sock, VbError *err) {
        *sock = NULL;
        DomainTpm *t = (DomainTpm *) qemu_tpm_emulator(live);
        if (!t)
                return 0;
        QemuConn *qc = qd->qc;
        Domain *d = qd->domain;
        swtpm_detach(qd);       /* one of an earlier QEMU still ending: let it go */
        char dir[PATH_MAX], state[PATH_MAX + 32], ctrl[64], *logp = NULL;
        if (qemu_tpm_state_dir(d->obj.conn, d->obj.uuid, dir, sizeof dir) < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "TPM state path too long");
        QemuSwtpm *s = swtpm_new(qd);
        if (!s || asprintf(&logp, "%s/%s-swtpm.log", qc->log_dir, d->obj.name) < 0 ||
            (!t->alias && !(t->alias = strdup("tpm0")))) {
                if (s)
                        free(s->sock);
                free(s);
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_QEMU, "swtpm socket path of '%s' unusable",
                                    d->obj.name);
        }
        int fd = listen_socket(qc, s->sock, err);
        if (fd < 0) {
                free(logp);
                free(s->sock);
                free(s);
                return -1;
        }
        snprintf(state, sizeof state, "dir=%s,mode=0600", dir);     /* its files: 0600 (swtpm_setup makes 0640) */
        snprintf(ctrl, sizeof ctrl, "type=unixio,fd=%d", fd);
        /* --terminate: it ends when QEMU's connection closes, however QEMU ends. No --log: its
         * errors go to stderr, which is the log (--log fd=2 makes swtpm 0.7 exit at once). */
        char *argv[] = { SWTPM_BINARY, "socket", "--tpm2", "--tpmstate", state, "--ctrl", ctrl, "--terminate", NULL };
        ProcessCreds creds = { .uid = qc->dac.uid, .gid = qc->dac.gid, .groups = qc->dac.groups,
                               .n_groups = qc->dac.n_groups };
        int r = process_spawn_as(qc->event, &swtpm_program, argv, logp, &fd, 1,
                                 qemu_security_confined(qc) ? &creds : NULL, on_swtpm_exit, s, &s->proc, err);
        close(fd);
        free(logp);
        if (r < 0) {
                unlink(s->sock);
                free(s->sock);
                free(s);
                return -1;
        }
        *sock = strdup(s->sock);
        qd->swtpm = s;
        log_debug("domain %s: swtpm pid %d on %s", d->obj.name, (int) process_pid(s->proc), s->sock);
        if (!*sock) {
                qemu_tpm_stop(qd);
                return vb_error_errno(err, -ENOMEM, "swtpm socket path");
        }
        return 0;
}

static QemuSwtpm *swtpm_detach(QemuDomain *qd) {
        QemuSwtpm *s = qd->swtpm;
        if (!s)
                return NULL;
        qd->swtpm = NULL;
        s->qd = NULL;
        if (unlink(s->sock) < 0 && errno != ENOENT)
                log_warning("domain %s: cannot remove %s: %s", s->name, s->sock, strerror(errno));
        int r = process_kill(s->proc, SIGTERM);
        if (r < 0 && r != -ESRCH)
                log_warning("domain %s: cannot signal swtpm (pid %d): %s", s->name, (int) process_pid(s->proc),
                            strerror(-r));
        return s;
}

/* libvirt's rule: a transient guest's TPM lives as long as the guest (persistent_state='no'),
 * unless it was undefined running with KEEP_TPM. */
void qemu_tpm_stop(QemuDomain *qd) {
        Domain *d = qd->domain;
        QemuSwtpm *s = swtpm_detach(qd);
        char dir[PATH_MAX];
        const DomainTpm *t = qemu_tpm_emulator(domain_current_def(d));
        bool keep = t && t->persistent_state && strcmp(t->persistent_state, "yes") == 0;
        if (d->persistent || qd->tpm_keep || keep || qemu_tpm_state_dir(d->obj.conn, d->obj.uuid, dir, sizeof dir) < 0 ||
            access(dir, F_OK) < 0)
                return;
        if (!s)
                remove_state(d->obj.name, dir);
        else if (!(s->drop_state = strdup(dir)))
                log_warning("domain %s: out of memory: its TPM state %s is kept", d->obj.name, dir);
}

void qemu_tpm_release(QemuDomain *qd) {
        QemuSwtpm *s = qd->swtpm;
        if (!s)
                return;
        qd->swtpm = NULL;
        process_free(s->proc);
        free(s->sock);
        free(s);
}

void qemu_tpm_adopt(QemuDomain *qd, pid_t pid, uint64_t start_time) {
        if (pid <= 0 || qd->swtpm || !qd->qc)
                return;
        QemuSwtpm *s = swtpm_new(qd);
        VbError err = { 0 };
        if (!s) {
                log_error("domain %s: cannot watch its swtpm (pid %d): out of memory", qd->domain->obj.name, (int) pid);
                return;
        }
        if (process_adopt(qd->qc->event, &swtpm_program, pid, start_time, NULL, on_swtpm_exit, s, &s->proc, &err) < 0) {
                log_warning("domain %s: its swtpm (pid %d) cannot be watched: %s", s->name, (int) pid, err.message);
                free(s->sock);
                free(s);
                return;
        }
        qd->swtpm = s;
        log_info("domain %s: swtpm pid %d found again", s->name, (int) pid);
}

pid_t qemu_tpm_pid(const QemuDomain *qd, uint64_t *start_time) {
        const QemuSwtpm *s = qd->swtpm;
        *start_time = s ? process_start_time(s->proc) : 0;
        return s ? process_pid(s->proc) : 0;
}

int qemu_tpm_undefine_check(unsigned flags, VbError *err) {
        if ((flags & QEMU_UNDEFINE_TPM) && (flags & QEMU_UNDEFINE_KEEP_TPM))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_QEMU, "cannot both keep and delete TPM");
        return 0;
}

void qemu_tpm_undefined(Domain *d, const DomainDef *def, unsigned flags) {
        char dir[PATH_MAX];
        QemuDomain *qd = d->driver_data;
        const DomainTpm *t = qemu_tpm_emulator(def);
        bool persistent_state = t && t->persistent_state && strcmp(t->persistent_state, "yes") == 0;
        bool keep = (flags & QEMU_UNDEFINE_KEEP_TPM) || (persistent_state && !(flags & QEMU_UNDEFINE_TPM));
        if (qd)
                qd->tpm_keep = keep;
        if (keep || qemu_tpm_state_dir(d->obj.conn, d->obj.uuid, dir, sizeof dir) < 0 || access(dir, F_OK) < 0)
                return;
        if (domain_is_active(d))        /* its swtpm still writes there: removed when it stops (transient now) */
                return;
        remove_state(d->obj.name, dir);
}
