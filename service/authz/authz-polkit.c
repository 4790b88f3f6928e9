/* authz-polkit.c: the polkit backend, the only file that knows polkit-gobject: its own thread and GMainContext, asynchronous checks, answers posted back. */
#define LOG_MODULE "authz"
#include "authz.h"

#include <errno.h>
#include <polkit/polkit.h>
#include <stdlib.h>

#include "log.h"

typedef struct PolkitBackend {
        GMainContext *context;
        GMainLoop *loop;
        GThread *thread;
        PolkitAuthority *authority;     /* thread only */
} PolkitBackend;

typedef struct Submission {
        PolkitBackend *backend;
        AuthzRequest *req;
} Submission;

static gpointer polkit_thread(gpointer data) {
        PolkitBackend *b = data;
        g_main_context_push_thread_default(b->context);
        g_main_loop_run(b->loop);
        g_main_context_pop_thread_default(b->context);
        return NULL;
}

/* The authority, made on this thread (its proxy belongs to this context). A failure is retried at
 * the next check: polkitd or the bus may come later. */
static PolkitAuthority *polkit_backend_authority(PolkitBackend *b, char **why) {
        if (b->authority)
                return b->authority;
        GError *error = NULL;
        GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        if (!bus) {
                *why = g_strdup_printf("cannot reach the system bus: %s", error->message);
                g_error_free(error);
                return NULL;
        }
        /* The daemon decides what a lost bus means; GLib would raise SIGTERM. */
        g_dbus_connection_set_exit_on_close(bus, FALSE);
        g_object_unref(bus);
        b->authority = polkit_authority_get_sync(NULL, &error);
        if (!b->authority) {
                *why = g_strdup_printf("polkit is not available: %s", error->message);
                g_error_free(error);
        }
        return b->authority;
}

static void polkit_on_result(GObject *source, GAsyncResult *res, gpointer data) {
        AuthzRequest *req = data;
        GError *error = NULL;
        PolkitAuthorizationResult *result =
                polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), res, &error);
        if (!result) {
                char *msg = g_strdup_printf("polkitd did not answer: %s", error->message);
                authz_request_answer(req, AUTHZ_ANSWER_ERROR, msg);
                g_free(msg);
                g_error_free(error);
                return;
        }
        AuthzAnswer answer = AUTHZ_ANSWER_NO;
        if (polkit_authorization_result_get_is_authorized(result))
                answer = AUTHZ_ANSWER_YES;
        else if (polkit_authorization_result_get_dismissed(result))
                answer = AUTHZ_ANSWER_DISMISSED;
        else if (polkit_authorization_result_get_is_challenge(result))
                answer = AUTHZ_ANSWER_CHALLENGE;
        g_object_unref(result);
        authz_request_answer(req, answer, NULL);
}

static gboolean polkit_submit_in_thread(gpointer data) {
        Submission *s = data;
        AuthzRequest *req = s->req;
        char *why = NULL;
        PolkitAuthority *authority = polkit_backend_authority(s->backend, &why);
        g_free(s);
        if (!authority) {
                authz_request_answer(req, AUTHZ_ANSWER_ERROR, why);
                g_free(why);
                return G_SOURCE_REMOVE;
        }
        const AuthzSubject *subj = authz_request_subject(req);
        PolkitSubject *subject = subj->kind == AUTHZ_SUBJECT_BUS_NAME
                ? polkit_system_bus_name_new(subj->bus_name)
                : polkit_unix_process_new_for_owner((gint) subj->pid, (guint64) subj->start_time, (gint) subj->uid);
        PolkitDetails *details = polkit_details_new();
        char *const *d = authz_request_details(req);
        for (size_t i = 0; d && d[i] && d[i + 1]; i += 2)
                polkit_details_insert(details, d[i], d[i + 1]);
        polkit_authority_check_authorization(authority, subject, authz_request_action(req), details,
                                             authz_request_interactive(req)
                                                     ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                                                     : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
                                             NULL, polkit_on_result, req);
        g_object_unref(subject);
        g_object_unref(details);
        return G_SOURCE_REMOVE;
}

static void *polkit_backend_start(void) {
        PolkitBackend *b = calloc(1, sizeof *b);
        if (!b)
                return NULL;
        b->context = g_main_context_new();
        b->loop = g_main_loop_new(b->context, FALSE);
        GError *error = NULL;
        b->thread = g_thread_try_new("virtbus-polkit", polkit_thread, b, &error);
        if (!b->thread) {
                log_error("cannot start the polkit thread: %s", error->message);
                g_error_free(error);
                g_main_loop_unref(b->loop);
                g_main_context_unref(b->context);
                free(b);
                return NULL;
        }
        return b;
}

static void polkit_backend_submit(void *backend, AuthzRequest *req) {
        Submission *s = g_new0(Submission, 1);
        s->backend = backend;
        s->req = req;
        g_main_context_invoke(((PolkitBackend *) backend)->context, polkit_submit_in_thread, s);
}

static gboolean polkit_quit_in_thread(gpointer data) {
        PolkitBackend *b = data;
        g_clear_object(&b->authority);
        g_main_loop_quit(b->loop);
        return G_SOURCE_REMOVE;
}

/* Checks still at polkitd are left to authz_free(), which refuses them; their late answers
 * would go to a context nobody runs, so the requests are never touched again. */
static void polkit_backend_stop(void *backend) {
        PolkitBackend *b = backend;
        g_main_context_invoke(b->context, polkit_quit_in_thread, b);
        g_thread_join(b->thread);
        g_main_loop_unref(b->loop);
        g_main_context_unref(b->context);
        free(b);
}

/* The module's one export, found by authz-module.c with dlsym(). */
const AuthzBackend authz_backend_polkit = {
        .start = polkit_backend_start,
        .submit = polkit_backend_submit,
        .stop = polkit_backend_stop,
};
