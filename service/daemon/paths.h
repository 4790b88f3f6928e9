/* paths.h: where virtbusd keeps things, by mode (--system: FHS paths; --session: XDG base directories). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct Paths {
        char *config_file;     /* virtbusd.conf */
        char *config_root;     /* persistent definitions: /etc/virtbus */
        char *state_root;      /* persistent state: /var/lib/virtbus */
        char *run_root;        /* runtime state: /run/virtbus */
        char *log_root;        /* logs: /var/log/virtbus */
        char *libvirt_base;    /* holds libvirt/, the remote door's sockets: /run; in session mode
                                * $XDG_RUNTIME_DIR, else $XDG_CACHE_HOME or ~/.cache, as libvirt
                                * (NULL when none of them is set) */
} Paths;

/* Fill p for the mode; -ENOENT with a message when HOME/XDG variables cannot give a place. */
int paths_init(Paths *p, bool system, char *errbuf, size_t errlen);
void paths_done(Paths *p);
