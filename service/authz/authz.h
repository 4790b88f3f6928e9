/* authz.h: the one authorization question, "may this caller do this action?": allow, deny or pending. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "error.h"

/* libvirt's connection-level polkit actions. */
#define AUTHZ_ACTION_MANAGE "org.libvirt.unix.manage"
#define AUTHZ_ACTION_MONITOR "org.libvirt.unix.monitor"

/* Checks asked of the backend at once (polkitd: well below dbus-daemon's 128 pending replies per
 * connection); more wait their turn in order. A client such as cockpit asks for dozens of calls at
 * once whenever its page refreshes, and polkitd on a loaded host answers in tens of ms. */
#define AUTHZ_MAX_IN_FLIGHT 64
/* Checks waiting or in flight; one more is refused at once with "too many pending
 * authorizations" (each holds a few hundred bytes). */
#define AUTHZ_MAX_PENDING 1024

/* libvirt's error numbers for a refusal (virerror.h). */
#define AUTHZ_ERR_AUTH_FAILED 45        /* VIR_ERR_AUTH_FAILED: "access denied by policy" */
#define AUTHZ_ERR_AUTH_CANCELLED 79     /* VIR_ERR_AUTH_CANCELLED */
#define AUTHZ_ERR_AUTH_UNAVAILABLE 94   /* VIR_ERR_AUTH_UNAVAILABLE: no agent to answer a challenge */

typedef enum AuthzSubjectKind {
        AUTHZ_SUBJECT_BUS_NAME,         /* a D-Bus caller: its unique name */
        AUTHZ_SUBJECT_PROCESS,          /* a socket caller: pid + start time + uid, never a bare pid */
} AuthzSubjectKind;

typedef struct AuthzSubject {
        AuthzSubjectKind kind;
        const char *bus_name;
        pid_t pid;
        uint64_t start_time;            /* /proc/PID/stat field 22, read right after accept() */
        uid_t uid;
} AuthzSubject;

/* The answer to a pending check, on the event loop: r = 0 allowed, r < 0 refused with err
 * (libvirt's code and text, VIR_FROM_POLKIT). Called exactly once. */
typedef void (*AuthzDoneFn)(int r, const VbError *err, void *userdata);

typedef struct Authz Authz;

/* What does the asking: polkit (authz-polkit.c) or a test's double. submit() is called on the
 * loop and must end, from any thread, in authz_request_answer() for every request. */
typedef struct AuthzRequest AuthzRequest;
typedef struct AuthzBackend {
        void *(*start)(void);                                   /* NULL: failed */
        void (*submit)(void *backend, AuthzRequest *req);
        void (*stop)(void *backend);                            /* joins any thread */
} AuthzBackend;

/* The answers a backend gives. */
typedef enum AuthzAnswer {
        AUTHZ_ANSWER_YES,
        AUTHZ_ANSWER_NO,                /* denied by policy */
        AUTHZ_ANSWER_CHALLENGE,         /* only with authentication, and nobody can answer it */
        AUTHZ_ANSWER_DISMISSED,         /* the user cancelled the agent's dialog */
        AUTHZ_ANSWER_ERROR,             /* polkitd unreachable, subject gone, ...: deny */
} AuthzAnswer;

/* A request's fields the backend reads (valid until it answers). */
const AuthzSubject *authz_request_subject(const AuthzRequest *req);
const char *authz_request_action(const AuthzRequest *req);
char *const *authz_request_details(const AuthzRequest *req);   /* key, value, ..., NULL */
bool authz_request_interactive(const AuthzRequest *req);
/* From any thread, once per request; message explains an AUTHZ_ANSWER_ERROR. */
void authz_request_answer(AuthzRequest *req, AuthzAnswer answer, const char *message);

/* Exported by the virtbus-authz-polkit module (authz-polkit.c). */
extern const AuthzBackend authz_backend_polkit;

/* The authz module on the loop e with polkit behind it. The polkit module (and with it glib) is
 * loaded at the first check (authz-module.c), so a daemon nobody asks polkit about never maps
 * it; the backend thread starts then too. */
int authz_new(sd_event *e, Authz **out);
int authz_new_with_backend(sd_event *e, const AuthzBackend *backend, Authz **out);
/* Stops the backend; checks still pending are answered "refused" first. Accepts NULL. */
Authz *authz_free(Authz *a);

/* May subject do action (details: key, value, ..., NULL; may be NULL)? interactive: polkit may
 * ask an agent. Returns 1 (AUTHZ_PENDING) when done will run later on the loop, or -1 with err
 * set (too many pending, out of memory); never calls done before it returns. */
#define AUTHZ_PENDING 1
int authz_check(Authz *a, const AuthzSubject *subject, const char *action, const char *const *details,
                bool interactive, AuthzDoneFn done, void *userdata, VbError *err);

/* Checks in flight now. */
unsigned authz_n_pending(const Authz *a);

/* The start time of process pid (clock ticks since boot, /proc/PID/stat field 22), which with
 * the pid names the process race-free: 0 or a negative errno. */
int authz_process_start_time(pid_t pid, uint64_t *out);
/* Parse one /proc/PID/stat line; for tests. */
int authz_parse_stat_start_time(const char *stat, uint64_t *out);
