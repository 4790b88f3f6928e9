/* security-dac.c: the DAC security driver: QEMU runs as qemu.conf's user and group without capabilities; with dynamic_ownership the files it opens are that user's while it runs. */
#define LOG_MODULE "security"
#include "security-dac.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain-model.h"
#include "log.h"

/* "+N" or a name; getpw*_r / getgr*_r read /etc (nss files) at a start, no network lookups
 * on this host's configuration. */
/* Decimal digits only (strtoul alone would take "-1", " 5"), below (uid_t) -1. */
static int parse_number(const char *num, unsigned long *out) {
        if (!(num[0] >= '0' && num[0] <= '9'))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(num, &end, 10);
        if (*end || errno || v >= (unsigned long) (uid_t) -1)
                return -EINVAL;
        *out = v;
        return 0;
}

static int parse_id(const char *s, unsigned long *out) {
        return s[0] == '+' ? parse_number(s + 1, out) : -EINVAL;
}

int security_dac_resolve(const char *user, const char *group, SecurityDacConfig *out, VbError *err) {
        char buf[16384];
        struct passwd pw, *pwp = NULL;
        struct group gr, *grp = NULL;
        unsigned long id;
        uid_t uid;
        gid_t gid;
        const char *name = NULL;
        if (!user) {
                uid = getuid();
                getpwuid_r(uid, &pw, buf, sizeof buf, &pwp);
                gid = pwp ? pwp->pw_gid : getgid();
                name = pwp ? pwp->pw_name : NULL;
        } else if (parse_id(user, &id) == 0) {
                uid = (uid_t) id;
                getpwuid_r(uid, &pw, buf, sizeof buf, &pwp);
                gid = pwp ? pwp->pw_gid : (gid_t) id;
                name = pwp ? pwp->pw_name : NULL;
        } else {
                int r = getpwnam_r(user, &pw, buf, sizeof buf, &pwp);
                if (!pwp)
                        return vb_error_set_raw(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY,
                                                "qemu.conf user '%s' does not exist%s%s: create it (scripts/setup.sh "
                                                "creates virtbus-qemu) or set user in qemu.conf",
                                                user, r ? ": " : "", r ? strerror(r) : "");
                uid = pwp->pw_uid;
                gid = pwp->pw_gid;
                name = pwp->pw_name;
        }
        char *uname = name ? strdup(name) : NULL;
        if (group && parse_id(group, &id) == 0) {
                gid = (gid_t) id;
        } else if (group) {
                char gbuf[16384];
                int r = getgrnam_r(group, &gr, gbuf, sizeof gbuf, &grp);
                if (!grp) {
                        free(uname);
                        return vb_error_set_raw(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_SECURITY,
                                                "qemu.conf group '%s' does not exist%s%s", group, r ? ": " : "",
                                                r ? strerror(r) : "");
                }
                gid = grp->gr_gid;
        }
        /* The user's supplementary groups (kvm for /dev/kvm), as a login would give them. */
        gid_t *groups = NULL;
        int n = 0;
        if (uname) {
                int want = 32;
                for (int tries = 0; tries < 8; tries++) {
                        gid_t *g = realloc(groups, (size_t) want * sizeof *g);
                        if (!g)
                                break;
                        groups = g;
                        n = want;
                        if (getgrouplist(uname, gid, groups, &n) >= 0)
                                break;
                        if (n > PROCESS_MAX_GROUPS) {
                                n = -1;
                                break;
                        }
                        want = n > want ? n : want * 2;
                        n = -1;
                }
        } else {
                groups = malloc(sizeof *groups);
                if (groups) {
                        groups[0] = gid;
                        n = 1;
                }
        }
        free(uname);
        if (!groups || n < 0) {
                free(groups);
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_SECURITY, NULL);
        }
        out->uid = uid;
        out->gid = gid;
        out->groups = groups;
        out->n_groups = (size_t) n;
        return 0;
}

void security_dac_config_done(SecurityDacConfig *c) {
        free(c->groups);
        c->groups = NULL;
        c->n_groups = 0;
}

static bool may(const struct stat *st, const SecurityDacConfig *c, unsigned want) {
        if (c->uid == 0)
                return true;
        if (st->st_uid == c->uid)
                return ((st->st_mode >> 6) & want) == want;
        bool in_group = st->st_gid == c->gid;
        for (size_t i = 0; !in_group && i < c->n_groups; i++)
                in_group = c->groups[i] == st->st_gid;
        if (in_group)
                return ((st->st_mode >> 3) & want) == want;
        return (st->st_mode & want) == want;
}

int dac_check_access(const char *path, const SecurityDacConfig *c, bool write, char *where, size_t wherelen) {
        char *p = realpath(path, NULL);
        if (!p) {
                snprintf(where, wherelen, "%s", path);
                return -errno;
        }
        struct stat st;
        int r = 0;
        /* Every directory from / down needs search (x) permission. */
        for (char *slash = strchr(p + 1, '/'); r == 0; slash = strchr(slash + 1, '/')) {
                char keep = 0;
                if (slash) {
                        keep = *slash;
                        *slash = '\0';
                }
                if (stat(p, &st) < 0)
                        r = -errno;
                else if (slash ? !may(&st, c, 1) : !may(&st, c, write ? 6 : 4))
                        r = -EACCES;
                if (r < 0)
                        snprintf(where, wherelen, "%s", p);
                if (!slash)
                        break;
                *slash = keep;
        }
        free(p);
        return r;
}

static int dac_set_process(const void *cfg, const DomainDef *def, ProcessCreds *creds, VbError *err) {
        const SecurityDacConfig *c = cfg;
        creds->uid = c->uid;
        creds->gid = c->gid;
        creds->groups = c->groups;
        creds->n_groups = c->n_groups;
        return 0;
}

/* A file serial QEMU appends to: created by the daemon (0600) so that it can be given to the
 * guest's user, as libvirt does. */
static int touch(const char *path, VbError *err) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY, "cannot create '%s': %s", path,
                                        strerror(errno));
        close(fd);
        return 0;
}

static void dac_restore_paths(const SecurityDacConfig *c, const SecurityPaths *p, size_t n) {
        for (size_t i = n; i-- > 0;)
                if (!p->v[i].dac_norelabel)
                        dac_owner_give_back(p->v[i].path, c->remember_owner);
}

/* <seclabel model='dac' relabel='no'/> or type='none': the guest's files are left alone
 * (libvirt's rule); QEMU still runs as the user. */
static bool dac_relabel(const DomainDef *def) {
        const DomainDefPrivate *p = def->priv;
        for (size_t i = 0; p && i < p->n_seclabels; i++) {
                const DomainSeclabel *s = &p->seclabels[i];
                if (!s->model || strcmp(s->model, "dac") != 0)
                        continue;
                if ((s->type && strcmp(s->type, "none") == 0) || (s->relabel && strcmp(s->relabel, "no") == 0))
                        return false;
        }
        return true;
}

/* One side of a DAC <label>, read as libvirt reads it: "+N" is the id N; anything else a name
 * looked up in the user (group) database, and a name that is not there read as a number. The
 * daemon looks the names up before, off the event loop (names); never in QEMU's child
 * (getpwnam_r may open files and sockets). */
static int label_id(const SecurityDacNames *names, const char *s, bool group, unsigned long *out) {
        const char *num = s;
        if (s[0] == '+')
                num = s + 1;
        else if (s[0] && names) {       /* looked up before (security-dac-names.c) */
                const SecurityDacName *n = security_dac_names_find(names, s, group);
                if (n && n->found) {
                        *out = n->id;
                        return 0;
                }
        } else if (s[0]) {
                char buf[16384];
                struct passwd pw, *pwp = NULL;
                struct group gr, *grp = NULL;
                if (!group && getpwnam_r(s, &pw, buf, sizeof buf, &pwp) == 0 && pwp) {
                        *out = pwp->pw_uid;
                        return 0;
                }
                if (group && getgrnam_r(s, &gr, buf, sizeof buf, &grp) == 0 && grp) {
                        *out = grp->gr_gid;
                        return 0;
                }
        }
        return parse_number(num, out);
}

/* A disk's own DAC <label>: "USER:GROUP", each "+N" or a name (libvirt's
 * virParseOwnershipIds rules and error texts). */
static int disk_owner(const SecurityDacNames *names, const char *label, uid_t *uid, gid_t *gid, VbError *err) {
        const char *colon = strchr(label, ':');
        if (!colon)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_SECURITY, "Failed to parse uid and gid from '%s'",
                                    label);
        char user[256];
        unsigned long u, g;
        int n = snprintf(user, sizeof user, "%.*s", (int) (colon - label), label);
        if (n < 0 || (size_t) n >= sizeof user || label_id(names, user, false, &u) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_SECURITY, "Failed to parse user '%.*s'",
                                    (int) (colon - label) - (label[0] == '+'), label + (label[0] == '+'));
        const char *group = colon + 1;
        if (label_id(names, group, true, &g) < 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_SECURITY, "Failed to parse group '%s'",
                                    group + (group[0] == '+'));
        *uid = (uid_t) u;
        *gid = (gid_t) g;
        return 0;
}

static int dac_set_files(const void *cfg, const DomainDef *def, VbError *err) {
        const SecurityDacConfig *c0 = cfg;
        SecurityDacConfig cc = *c0;
        if (!dac_relabel(def))
                cc.dynamic_ownership = false;
        const SecurityDacConfig *c = &cc;
        SecurityPaths p;
        if (security_paths_of(def, &p) < 0)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_SECURITY, NULL);
        size_t done = 0;
        int r = 0;
        for (size_t i = 0; i < p.n && r == 0; i++) {
                const SecurityPath *sp = &p.v[i];
                if (sp->kind == SECURITY_PATH_CHARDEV && (r = touch(sp->path, err)) < 0)
                        break;
                if (c->dynamic_ownership && !sp->dac_norelabel) {
                        uid_t uid = c->uid;
                        gid_t gid = c->gid;
                        if (sp->dac_label && (r = disk_owner(c->names, sp->dac_label, &uid, &gid, err)) < 0)
                                break;
                        if ((r = dac_owner_take(sp->path, uid, gid, c->remember_owner, err)) < 0)
                                break;
                }
                done = i + 1;   /* dac_restore_paths() skips what was left alone */
                char where[512];
                int a = dac_check_access(sp->path, c, !sp->readonly, where, sizeof where);
                if (a < 0) {
                        const char *what = sp->kind == SECURITY_PATH_DISK ? "storage file" : "file";
                        if (strcmp(where, sp->path) == 0)
                                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                                 "Cannot access %s '%s' (as uid:%u, gid:%u): %s", what, sp->path,
                                                 (unsigned) c->uid, (unsigned) c->gid, strerror(-a));
                        else
                                vb_error_set_raw(err, VB_ERR_SYSTEM_ERROR, VB_FROM_SECURITY,
                                                 "Cannot access %s '%s' (as uid:%u, gid:%u): %s: '%s'", what, sp->path,
                                                 (unsigned) c->uid, (unsigned) c->gid, strerror(-a), where);
                        r = -1;
                }
        }
        if (r < 0 && c->dynamic_ownership)
                dac_restore_paths(c, &p, done);
        security_paths_free(&p);
        return r < 0 ? -1 : 0;
}

static void dac_restore_files(const void *cfg, const DomainDef *def) {
        const SecurityDacConfig *c = cfg;
        if (!c->dynamic_ownership || !dac_relabel(def))
                return;
        SecurityPaths p;
        if (security_paths_of(def, &p) < 0) {
                log_error("out of memory: the files of domain %s keep their guest owner", def->name);
                return;
        }
        dac_restore_paths(c, &p, p.n);
        security_paths_free(&p);
}

static int dac_process_label(const void *cfg, char *buf, size_t len) {
        const SecurityDacConfig *c = cfg;
        int n = snprintf(buf, len, "+%u:+%u", (unsigned) c->uid, (unsigned) c->gid);
        return n < 0 || (size_t) n >= len ? -ENOBUFS : 0;
}

static int dac_base_label(const void *cfg, const char *virttype, char *buf, size_t len) {
        (void) virttype;        /* the same user for every guest type */
        return dac_process_label(cfg, buf, len);
}

/* libvirt's DAC label of a running guest: the definition's own DAC <label>, else the user and
 * group the process runs as (/proc/PID/status); DAC never enforces. */
static int dac_guest_label(const void *cfg, const DomainDef *live, pid_t pid, char *buf, size_t len, bool *enforcing,
                           VbError *err) {
        (void) cfg;
        *enforcing = false;
        const DomainDefPrivate *p = live ? live->priv : NULL;
        for (size_t i = 0; p && i < p->n_seclabels; i++)
                if (p->seclabels[i].model && strcmp(p->seclabels[i].model, "dac") == 0 && p->seclabels[i].label) {
                        snprintf(buf, len, "%s", p->seclabels[i].label);
                        return 0;
                }
        char path[64], line[256];
        unsigned uid = 0, gid = 0;
        bool have_uid = false, have_gid = false;
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        FILE *f = pid > 0 ? fopen(path, "re") : NULL;
        while (f && fgets(line, sizeof line, f)) {
                have_uid = have_uid || sscanf(line, "Uid: %u", &uid) == 1;
                have_gid = have_gid || sscanf(line, "Gid: %u", &gid) == 1;
        }
        if (f)
                fclose(f);
        if (!have_uid || !have_gid)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "cannot read the user of QEMU %d",
                                    (int) pid);
        snprintf(buf, len, "+%u:+%u", uid, gid);
        return 0;
}

static bool dac_probe(char *why, size_t whylen) {
        return true;
}

const SecurityDriver security_driver_dac = {
        .model = "dac",
        .doi = "0",
        .probe = dac_probe,
        .set_process = dac_set_process,
        .set_files = dac_set_files,
        .restore_files = dac_restore_files,
        .process_label = dac_process_label,
        .base_label = dac_base_label,
        .guest_label = dac_guest_label,
};
