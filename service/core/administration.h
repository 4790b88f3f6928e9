/* administration.h: the daemon's administration (libvirt's admin API) once, for both doors: servers,
 * their clients and limits, logging, TLS reload. The remote admin program (virt-admin) and the
 * D-Bus interface org.libvirt.virtbus.Admin decode their arguments and call these functions. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "call.h"
#include "error.h"

/* libvirt's virClientTransport */
enum { ADMIN_TRANSPORT_UNIX = 0, ADMIN_TRANSPORT_TCP = 1, ADMIN_TRANSPORT_TLS = 2 };

/* One client as an administrator sees it (virAdmClient and virAdmClientGetInfo). */
typedef struct AdminClient {
        unsigned id;
        int64_t connected_at;           /* seconds since the epoch */
        int transport;                  /* ADMIN_TRANSPORT_* */
        bool readonly;
        char address[80];               /* TCP/TLS: "host:port"; "" for unix sockets */
        bool has_cred;                  /* unix sockets: uid, gid and pid are the peer's */
        uid_t uid;
        gid_t gid;
        pid_t pid;
        const char *sasl_username;      /* NULL unless SASL; valid until control returns to the loop */
        const char *x509_dname;         /* NULL without a client certificate; same lifetime */
} AdminClient;

typedef struct AdminLimits {
        unsigned max_clients;           /* nclients_max */
        unsigned max_unauth;            /* nclients_unauth_max (0: no limit of its own) */
        unsigned n_clients;             /* nclients */
        unsigned n_unauth;              /* nclients_unauth */
} AdminLimits;

/* What a server (the remote door's transport) gives the administration. */
typedef struct AdminServerOps {
        /* The i-th live client in the order they came: 0, or -ENOENT past the end. */
        int (*client_at)(void *ud, size_t i, AdminClient *out);
        /* The live client with that id: 0, or -ENOENT. */
        int (*client_find)(void *ud, unsigned id, AdminClient *out);
        /* Disconnect it (why: for its log line). */
        void (*client_close)(void *ud, unsigned id, const char *why);
        void (*get_limits)(void *ud, AdminLimits *out);
        /* Only max_clients and max_unauth are read; they were checked. */
        void (*set_limits)(void *ud, const AdminLimits *lim);
        /* Reload the TLS files: 0; -EOPNOTSUPP without a TLS listener; another negative errno
         * with a message in msg (the old credentials stay in service). NULL: no TLS at all. */
        int (*update_tls)(void *ud, char *msg, size_t n);
} AdminServerOps;

typedef struct Admin Admin;
typedef struct AdminServer AdminServer;

/* Runs work(arg) off the loop of e, then done(arg) on it, exactly once; 0, or a negative errno
 * when nothing runs (util/thread-call.c's thread_call, which the daemon gives). */
typedef int (*AdminRunFn)(sd_event *e, void (*work)(void *arg), void (*done)(void *arg), void *arg);
/* run NULL: client descriptions go without the user and group names (never looked up on the loop). */
int admin_new(sd_event *e, AdminRunFn run, Admin **out);
Admin *admin_free(Admin *a);
/* Servers in the order added ("libvirtd", "admin"); ops and ud must outlive the Admin or be
 * removed. */
int admin_add_server(Admin *a, const char *name, const AdminServerOps *ops, void *ud);
void admin_remove_server(Admin *a, const char *name);

size_t admin_n_servers(const Admin *a);
const char *admin_server_name_at(const Admin *a, size_t i);
/* NULL with libvirt's "no server with matching name '%s'". */
AdminServer *admin_server_lookup(Admin *a, const char *name, VbError *err);
const char *admin_server_name(const AdminServer *s);

/* The live clients: fn for each (nothing past the n-th when only counting: fn NULL). Returns
 * how many. */
size_t admin_server_clients(AdminServer *s, void (*fn)(const AdminClient *c, void *ud), void *ud);
/* 0, or -1 with libvirt's "no client with matching id '%llu'". */
int admin_client_lookup(AdminServer *s, uint64_t id, AdminClient *out, VbError *err);

/* A client with its user and group names (virAdmClientGetInfo). */
typedef struct AdminClientInfo {
        AdminClient client;             /* sasl_username and x509_dname point at copies, freed with it */
        char *user_name, *group_name;   /* NULL: no such entry in the user or group database */
} AdminClientInfo;
typedef struct AdminClientList {
        AdminClientInfo *v;
        size_t n;
} AdminClientList;

/* The live clients of s (all), or the one with that id, with their user and group names: the
 * names are looked up off the loop (NSS may ask sssd or LDAP), so this answers VERB_PENDING and
 * call completes with an AdminClientList * (valid during its done only); -1 with libvirt's "no
 * client with matching id" or out of memory. */
int admin_clients_describe(AdminServer *s, bool all, uint64_t id, Call *call, VbError *err);

/* virTypedParameterType, as both doors pass them */
enum { ADMIN_TP_INT = 1, ADMIN_TP_UINT = 2, ADMIN_TP_BOOLEAN = 6, ADMIN_TP_STRING = 7 };
typedef void (*AdminParamFn)(const char *field, int type, int64_t num, const char *str, void *ud);
/* virAdmClientGetInfo's typed parameters of a client, in libvirt's order and names. */
void admin_client_info_foreach(const AdminClientInfo *c, AdminParamFn fn, void *ud);
/* Disconnect client id of s; self_id: the caller's own client on s (0: none), refused. */
int admin_client_close(AdminServer *s, uint64_t id, unsigned self_id, const char *by, VbError *err);

/* nclients_max, nclients, nclients_unauth_max, nclients_unauth (UINT). */
void admin_limits_foreach(AdminServer *s, AdminParamFn fn, void *ud);
/* Start from the current limits (admin_limits_begin), set fields one by one (each checked:
 * only nclients_max and nclients_unauth_max, unsigned), then commit (checked together). A
 * refusal changes nothing. */
void admin_limits_begin(AdminServer *s, AdminLimits *next);
int admin_limits_set_field(AdminLimits *next, const char *field, int type, uint64_t value, VbError *err);
int admin_limits_commit(AdminServer *s, const AdminLimits *next, VbError *err);

/* The log filters (NULL: none) and outputs ("level:stderr" when none were configured, into
 * buf). */
const char *admin_log_filters(void);
const char *admin_log_outputs(char *buf, size_t n);
/* Replace them (NULL or "": none / the default); a list that does not parse changes nothing. */
int admin_set_log_filters(const char *v, VbError *err);
int admin_set_log_outputs(const char *v, VbError *err);

int admin_update_tls(AdminServer *s, VbError *err);
