/* slow-nss.c: an LD_PRELOAD shim for test_qemu_dac_nss.py and test_admin_nss.py: getpwnam_r of one name (VBTEST_SLOW_NSS_NAME), and getpwuid_r of one uid (VBTEST_SLOW_NSS_UID) while DIR/arm exists, behave like an NSS module waiting on a directory server: they write DIR/entered ("thread" or "main": which thread of the daemon asked) and wait until the test creates DIR/release. Every other lookup goes straight to libc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*GetpwnamR)(const char *, struct passwd *, char *, size_t, struct passwd **);
typedef int (*GetpwuidR)(uid_t, struct passwd *, char *, size_t, struct passwd **);

/* Say which thread asked, then wait for the test's release. */
static void wait_for_release(const char *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/entered", dir);
        FILE *f = fopen(path, "we");
        if (f) {
                fputs(gettid() == getpid() ? "main\n" : "thread\n", f);
                fclose(f);
        }
        snprintf(path, sizeof path, "%s/release", dir);
        struct stat st;
        for (int i = 0; i < 6000 && stat(path, &st) < 0; i++)  /* at most 10 minutes */
                usleep(100000);
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
        GetpwnamR real = (GetpwnamR) dlsym(RTLD_NEXT, "getpwnam_r");
        const char *slow = getenv("VBTEST_SLOW_NSS_NAME"), *dir = getenv("VBTEST_SLOW_NSS_DIR");
        if (slow && dir && strcmp(name, slow) == 0)
                wait_for_release(dir);
        return real(name, pw, buf, len, res);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res) {
        GetpwuidR real = (GetpwuidR) dlsym(RTLD_NEXT, "getpwuid_r");
        const char *slow = getenv("VBTEST_SLOW_NSS_UID"), *dir = getenv("VBTEST_SLOW_NSS_DIR");
        char arm[4096];
        struct stat st;
        if (slow && dir && (uid_t) strtoul(slow, NULL, 10) == uid &&
            snprintf(arm, sizeof arm, "%s/arm", dir) > 0 && stat(arm, &st) == 0)
                wait_for_release(dir);
        return real(uid, pw, buf, len, res);
}
