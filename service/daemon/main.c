/* main.c: virtbusd: options, configuration, the event loop, signals and sd_notify. */
#define LOG_MODULE "daemon"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "build-config.h"
#include "authz.h"
#include "bus.h"
#include "config.h"
#include "connection.h"
#include "driver.h"
#include "log.h"
#include "manager.h"
#include "paths.h"
#include "sched-slice.h"
#include "network-driver.h"
#include "nwfilter-driver.h"
#include "qemu-driver.h"
#include "protocol.h"
#include "admin.h"
#include "administration.h"
#include "server-admin.h"
#include "server.h"
#include "storage-driver.h"
#include "thread-call.h"
#include "stream.h"
#include "peer-client.h"

/* Allocations below this come from the heap (glibc's default would mmap from 128 KiB up): a
 * stream chunk or packet, with its header, must be under it. */
#define MALLOC_MMAP_THRESHOLD (2 * STREAM_CHUNK_MAX)
_Static_assert(STREAM_CHUNK_MAX + 4096 < MALLOC_MMAP_THRESHOLD, "stream buffers must stay in the heap");

typedef struct Options {
        int mode;               /* 0 unset, 1 system, 2 session */
        const char *config;
        bool verbose;
} Options;

typedef struct Daemon {
        Options opts;
        Paths paths;
        Config config;
        sd_event *event;
        Manager *manager;
        Bus *bus;
        RemoteServer *remote;
        Authz *authz;
        Admin *admin;                   /* the administration both doors serve */
        bool started_polkit_api;        /* access_drivers had "polkit" at start */
} Daemon;

static void usage(FILE *f) {
        fprintf(f,
                "Usage: virtbusd --system | --session [OPTIONS]\n\n"
                "Virtualization host daemon: libvirt's object model on D-Bus (org.libvirt).\n\n"
                "  --system         serve the system bus; state under /etc, /var/lib, /run\n"
                "  --session        serve the session bus; state under the XDG base directories\n"
                "  --config FILE    read FILE instead of the mode's virtbusd.conf\n"
                "  --verbose        log at debug level\n"
                "  --version        print the version and exit\n"
                "  --help           print this help and exit\n");
}

static int parse_options(int argc, char **argv, Options *o) {
        static const struct option longopts[] = {
                { "system", no_argument, NULL, 's' },
                { "session", no_argument, NULL, 'S' },
                { "config", required_argument, NULL, 'c' },
                { "verbose", no_argument, NULL, 'v' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "vhc:", longopts, NULL)) >= 0) {
                switch (c) {
                case 's':
                case 'S':
                        if (o->mode && o->mode != (c == 's' ? 1 : 2)) {
                                fprintf(stderr, "virtbusd: --system and --session exclude each other\n");
                                return -EINVAL;
                        }
                        o->mode = c == 's' ? 1 : 2;
                        break;
                case 'c':
                        o->config = optarg;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'V':
                        printf("virtbusd %s\n", VIRTBUS_VERSION);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "virtbusd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        if (!o->mode)   /* as libvirt-dbus: root serves the system bus, others their session */
                o->mode = geteuid() == 0 ? 1 : 2;
        return 1;
}

/* Read the configuration and apply its logging settings; on failure nothing changes. */
static int daemon_load_config(Daemon *d, char *errbuf, size_t errlen) {
        const char *path = d->opts.config ? d->opts.config : d->paths.config_file;
        Config c;
        config_init(&c);
        int r = config_load(&c, path, !d->opts.config, errbuf, errlen);
        if (r < 0) {
                config_done(&c);
                return r;
        }
        r = log_setup(c.log_level, c.log_filters, c.log_outputs, errbuf, errlen);
        if (r < 0) {
                config_done(&c);
                return r;
        }
        config_done(&d->config);
        d->config = c;
        return 0;
}

/* access_drivers = [ "polkit" ]: the fine-grained org.libvirt.api.* checks. */
static bool config_wants_polkit_api(const Config *c) {
        for (char **ad = c->access_drivers; ad && *ad; ad++)
                if (strcmp(*ad, "polkit") == 0)
                        return true;
        return false;
}

static int on_exit_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Daemon *d = userdata;
        log_info("signal %s: exiting", strsignal((int) si->ssi_signo));
        sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
        return sd_event_exit(d->event, 0);
}

static int on_reload_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Daemon *d = userdata;
        char msg[512] = "";
        sd_notify(false, "RELOADING=1");
        if (daemon_load_config(d, msg, sizeof msg) < 0)
                log_error("reload refused, previous configuration kept: %s", msg);
        else {
                /* As libvirtd, the access drivers are chosen once, at start. */
                if (config_wants_polkit_api(&d->config) != d->started_polkit_api)
                        log_warning("access_drivers changed: it takes effect at the next start");
                remote_server_reconfigure(d->remote, &d->config);
                bus_set_stream_limit(d->bus, (unsigned) d->config.max_client_streams);
                log_info("configuration reloaded");
        }
        log_force_debug(d->opts.verbose);
        sd_notify(false, "READY=1\nSTATUS=Running");
        return 0;
}

static int daemon_run(Daemon *d) {
        char msg[512] = "";
        bool system = d->opts.mode == 1;
        int r = paths_init(&d->paths, system, msg, sizeof msg);
        if (r < 0)
                return fprintf(stderr, "virtbusd: %s\n", msg), r;
        config_init(&d->config);
        r = daemon_load_config(d, msg, sizeof msg);
        if (r < 0)
                return fprintf(stderr, "virtbusd: %s\n", msg), r;
        log_force_debug(d->opts.verbose);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        signal(SIGXFSZ, SIG_IGN);   /* a full file system or RLIMIT_FSIZE is an error to report, not death */

        r = sd_event_default(&d->event);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop: %s", strerror(-r));
        sd_event_add_signal(d->event, NULL, SIGTERM, on_exit_signal, d);
        sd_event_add_signal(d->event, NULL, SIGINT, on_exit_signal, d);
        sd_event_add_signal(d->event, NULL, SIGHUP, on_reload_signal, d);

        r = manager_new(d->event, &d->manager);
        if (r < 0)
                return log_error_errno(r, "out of memory");
        d->manager->system_mode = system;
        migrate_peer_set_ops(&remote_migrate_peer_ops);      /* peer-to-peer migration's client */
        storage_driver_attach(d->manager);   /* dir pools for the QEMU connections */
        d->manager->config_root = strdup(d->paths.config_root);
        d->manager->state_root = strdup(d->paths.state_root);
        d->manager->run_root = strdup(d->paths.run_root);
        if (!d->manager->config_root || !d->manager->state_root || !d->manager->run_root)
                return log_error_errno(-ENOMEM, "out of memory");
        VbError err = { 0 };
        if (manager_add_connection(d->manager, &test_driver, NULL, &err) < 0) {
                log_error("cannot open %s: %s", test_driver.uri, err.message);
                return -EIO;
        }
        const Driver *qemu = system ? &qemu_system_driver : &qemu_session_driver;
        Connection *qemu_conn = NULL;
        if (manager_add_connection(d->manager, qemu, &qemu_conn, &err) < 0) {
                log_error("cannot open %s: %s", qemu->uri, err.message);
                return -EIO;
        }
        /* Host networks are the system daemon's (libvirt's session daemon has none either). */
        if (system && network_driver_open(qemu_conn, d->config.create_default_network, &err) < 0) {
                log_error("cannot open the host's networks: %s", err.message);
                return -EIO;
        }
        /* Filter bindings (guests' NICs, nwfilter-binding-create) reach the taps through nftables. */
        if (system)
                nwfilter_driver_open(qemu_conn);

        r = authz_new(d->event, &d->authz);
        if (r < 0)
                return log_error_errno(r, "cannot set up authorization: %s", strerror(-r));
        if ((r = admin_new(d->event, thread_call, &d->admin)) < 0)
                return log_error_errno(r, "out of memory");
        r = bus_open(d->manager, d->event, system, &d->bus, msg, sizeof msg);
        if (r < 0) {
                log_error("%s", msg);
                fprintf(stderr, "virtbusd: %s\n", msg);
                return r;
        }
        /* org.libvirt.virtbus.Admin at /org/libvirt/admin: the servers appear as the remote
         * door registers them below. */
        bus_set_stream_limit(d->bus, (unsigned) d->config.max_client_streams);
        if ((r = bus_add_admin(d->bus, d->admin)) < 0)
                return log_error_errno(r, "cannot serve the admin interface on the bus: %s", strerror(-r));
        /* On the system bus polkit decides who may call (the bus policy lets anyone in). */
        if (system && (r = bus_set_authz(d->bus, d->authz)) < 0)
                return log_error_errno(r, "cannot authorize calls on the system bus: %s", strerror(-r));
        d->started_polkit_api = config_wants_polkit_api(&d->config);
        if (system)
                bus_set_authz_api(d->bus, d->started_polkit_api);
        /* The remote door after the bus: a daemon that cannot own org.libvirt must not have
         * taken over the libvirt sockets either. */
        r = remote_server_new(d->manager, d->event, &d->config, system, d->paths.libvirt_base, &remote_protocol, &d->remote, msg,
                              sizeof msg);
        if (r < 0) {
                log_error("%s", msg);
                fprintf(stderr, "virtbusd: %s\n", msg);
                return r;
        }
        remote_server_set_authz(d->remote, d->authz);
        if ((r = remote_server_admin_register(d->remote, d->admin)) < 0)
                return log_error_errno(r, "cannot register the remote servers for administration: %s", strerror(-r));
        /* virt-admin's socket beside the others; a daemon without it still serves. */
        r = remote_server_add_admin(d->remote, &d->config, system, d->paths.libvirt_base, &remote_admin_protocol, msg,
                                    sizeof msg);
        if (r < 0)
                log_warning("no admin socket: %s", msg);
        log_info("virtbusd %s ready on the %s bus", VIRTBUS_VERSION, system ? "system" : "session");
        sd_notify(false, "READY=1\nSTATUS=Running");
        r = sd_event_loop(d->event);
        if (r < 0)
                log_error("event loop failed: %s", strerror(-r));
        return r;
}

int main(int argc, char **argv) {
        Daemon d = { 0 };
        /* Volume transfers move STREAM_CHUNK_MAX buffers (and packets of that plus a header)
         * through the streams: keep them in the heap (not a fresh mmap each, whose pages fault in
         * and are unmapped again: ~10x the CPU of a download) and the heap's top untrimmed while
         * a download's window of them comes and goes (docs/benchmarks-storage.md). */
        mallopt(M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
        mallopt(M_TRIM_THRESHOLD, 16 << 20);
        sched_slice_request_short();    /* before any thread: they keep the default slice */
        int r = parse_options(argc, argv, &d.opts);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        r = daemon_run(&d);
        d.authz = authz_free(d.authz);          /* first: pending checks answer through both doors */
        d.remote = remote_server_free(d.remote);
        d.bus = bus_close(d.bus);
        d.admin = admin_free(d.admin);
        if (d.manager)
                storage_driver_shutdown(d.manager);    /* transfers joined, sessions logged out */
        d.manager = manager_free(d.manager);
        sd_event_unref(d.event);
        config_done(&d.config);
        paths_done(&d.paths);
        log_close();
        return r < 0 ? 1 : 0;
}
