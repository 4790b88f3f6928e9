/* authz-module.c: authz_new(): polkit behind a backend that loads the polkit module on first use. */
#define LOG_MODULE "authz"
#include "authz.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build-config.h"
#include "log.h"

#define AUTHZ_MODULE_NAME "virtbus-authz-polkit.so"

static const AuthzBackend *polkit_backend;

/* Beside the running binary first (a build tree), then the installed module directory. */
static void *module_open(void) {
        char exe[PATH_MAX], path[PATH_MAX + 64];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        snprintf(path, sizeof path, "%s/%s", exe, AUTHZ_MODULE_NAME);
                        if (access(path, R_OK) == 0)
                                return dlopen(path, RTLD_NOW | RTLD_LOCAL);
                }
        }
        snprintf(path, sizeof path, "%s/%s", MODULE_DIR, AUTHZ_MODULE_NAME);
        return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

static void *module_start(void) {
        if (!polkit_backend) {
                void *h = module_open();
                if (!h) {
                        log_error("cannot load the polkit module: %s", dlerror());
                        return NULL;
                }
                polkit_backend = dlsym(h, "authz_backend_polkit");
                if (!polkit_backend) {
                        log_error("the polkit module has no backend: %s", dlerror());
                        dlclose(h);
                        return NULL;
                }
                log_debug("polkit module loaded");
        }
        return polkit_backend->start();
}

static void module_submit(void *backend, AuthzRequest *req) {
        polkit_backend->submit(backend, req);
}

static void module_stop(void *backend) {
        polkit_backend->stop(backend);
}

static const AuthzBackend module_backend = {
        .start = module_start,
        .submit = module_submit,
        .stop = module_stop,
};

int authz_new(sd_event *e, Authz **out) {
        return authz_new_with_backend(e, &module_backend, out);
}
