/* paths.c: the directory layout of both modes, like libvirt's system and session daemons. */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"

static char *join(const char *a, const char *b) {
        char *s = NULL;
        return asprintf(&s, "%s%s", a, b) < 0 ? NULL : s;
}

/* $VAR if set and absolute, else $HOME/fallback. */
static char *xdg_dir(const char *var, const char *fallback) {
        const char *v = getenv(var);
        if (v && v[0] == '/')
                return strdup(v);
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
                return NULL;
        char *s = NULL;
        return asprintf(&s, "%s/%s", home, fallback) < 0 ? NULL : s;
}

int paths_init(Paths *p, bool system, char *errbuf, size_t errlen) {
        memset(p, 0, sizeof *p);
        if (system) {
                p->config_root = join(SYSCONFDIR, "/virtbus");
                p->state_root = join(LOCALSTATEDIR, "/lib/virtbus");
                p->run_root = strdup("/run/virtbus");
                p->log_root = join(LOCALSTATEDIR, "/log/virtbus");
                p->libvirt_base = strdup("/run");
        } else {
                char *config = xdg_dir("XDG_CONFIG_HOME", ".config");
                char *state = xdg_dir("XDG_STATE_HOME", ".local/state");
                const char *rt = getenv("XDG_RUNTIME_DIR");
                if (!config || !state) {
                        free(config);
                        free(state);
                        snprintf(errbuf, errlen, "neither XDG_CONFIG_HOME/XDG_STATE_HOME nor HOME is set");
                        return -ENOENT;
                }
                p->config_root = join(config, "/virtbus");
                p->state_root = join(state, "/virtbus");
                /* Without XDG_RUNTIME_DIR, runtime files go under the state directory. */
                p->run_root = rt && rt[0] == '/' ? join(rt, "/virtbus") : join(state, "/virtbus/run");
                p->log_root = join(state, "/virtbus/log");
                /* libvirt's session daemon and its clients agree on $XDG_RUNTIME_DIR/libvirt and,
                 * without it, on $XDG_CACHE_HOME/libvirt or ~/.cache/libvirt: the sockets must be
                 * where `virsh -c qemu:///session` looks. NULL when none is set: the remote door
                 * then needs unix_sock_dir, and says so. */
                p->libvirt_base = rt && rt[0] == '/' ? strdup(rt) : xdg_dir("XDG_CACHE_HOME", ".cache");
                free(config);
                free(state);
        }
        if (p->config_root)
                p->config_file = join(p->config_root, "/virtbusd.conf");
        if (!p->config_root || !p->state_root || !p->run_root || !p->log_root || !p->config_file ||
            (system && !p->libvirt_base)) {
                paths_done(p);
                snprintf(errbuf, errlen, "out of memory");
                return -ENOMEM;
        }
        return 0;
}

void paths_done(Paths *p) {
        free(p->config_file);
        free(p->config_root);
        free(p->state_root);
        free(p->run_root);
        free(p->log_root);
        free(p->libvirt_base);
        memset(p, 0, sizeof *p);
}
