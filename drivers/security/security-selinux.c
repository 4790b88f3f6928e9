/* security-selinux.c: the SELinux (sVirt) driver's host side: whether SELinux runs here (libselinux), and the base contexts it would label with. On a host without SELinux it is inactive and says so; the labelling itself (setexeccon before exec, image labels) is not wired yet. */
#define LOG_MODULE "security"
#include "security.h"

#include <stdio.h>
#include <string.h>

#include <selinux/selinux.h>

#include "log.h"

static bool selinux_probe(char *why, size_t whylen) {
        int on = is_selinux_enabled();
        if (on <= 0) {
                snprintf(why, whylen, "SELinux is %s on this host (is_selinux_enabled() = %d)",
                         on == 0 ? "disabled" : "not readable", on);
                return false;
        }
        snprintf(why, whylen, "SELinux is enabled");
        return true;
}

const SecurityDriver security_driver_selinux = {
        .model = "selinux",
        .doi = "0",
        .probe = selinux_probe,
};

bool security_selinux_active(char *why, size_t whylen) {
        return selinux_probe(why, whylen);
}
