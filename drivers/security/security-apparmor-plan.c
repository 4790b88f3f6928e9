/* security-apparmor-plan.c: the commands the AppArmor driver runs for one guest (load its profile before QEMU's exec, remove it after QEMU is gone) and the profile QEMU is executed in: pure, from the definition and the directory the profiles are written to. */
#include "security-apparmor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int put(char *buf, size_t len, const char *fmt, const char *a, const char *b) {
        int n = snprintf(buf, len, fmt, a, b);
        return n < 0 || (size_t) n >= len ? -1 : 0;
}

int apparmor_command_plan(const DomainDef *def, const char *profile_dir, ApparmorPlan *out, VbError *err) {
        memset(out, 0, sizeof *out);
        if (!profile_dir || profile_dir[0] != '/' || strpbrk(profile_dir, "\"\\\n"))
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "bad AppArmor profile directory '%s'",
                                    profile_dir ? profile_dir : "");
        if (apparmor_profile_name(def, out->name, sizeof out->name) < 0 ||
            put(out->profile_path, sizeof out->profile_path, "%s/%s", profile_dir, out->name) < 0 ||
            put(out->onexec_value, sizeof out->onexec_value, "exec %s%s", out->name, "") < 0)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "AppArmor profile path too long");
        snprintf(out->onexec_attr, sizeof out->onexec_attr, "%s", "/proc/thread-self/attr/apparmor/exec");
        /* -r replaces a profile of that name (one left by a daemon killed mid-run), -R removes
         * it; both read the file the daemon wrote (0600) rather than a pipe. */
        out->load_argv[0] = out->remove_argv[0] = (char *) APPARMOR_PARSER;
        out->load_argv[1] = (char *) "-r";
        out->remove_argv[1] = (char *) "-R";
        out->load_argv[2] = out->remove_argv[2] = out->profile_path;
        return 0;
}

char *apparmor_command_plan_format(const ApparmorPlan *p) {
        char *s = NULL;
        if (asprintf(&s, "profile %s\nwrite %s\nbefore exec: %s %s %s\nexec: write \"%s\" to %s\nafter stop: %s %s %s\n",
                     p->name, p->profile_path, p->load_argv[0], p->load_argv[1], p->load_argv[2], p->onexec_value,
                     p->onexec_attr, p->remove_argv[0], p->remove_argv[1], p->remove_argv[2]) < 0)
                return NULL;
        return s;
}
