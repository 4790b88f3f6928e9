/* security-dac-names.c: the user and group names of a definition's DAC <label>s, looked up in the user and group databases apart from the labelling, so that the lookup (NSS may ask sssd or LDAP) runs off the event loop and set_files only reads the answers. */
#define LOG_MODULE "security"
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "security.h"

/* One side of "USER:GROUP" that names rather than numbers ("+N" and "" need no lookup). */
static int add(SecurityDacNames *t, const char *s, size_t len, bool group) {
        if (len == 0 || s[0] == '+')
                return 0;
        for (size_t i = 0; i < t->n; i++)
                if (t->v[i].group == group && strlen(t->v[i].name) == len && strncmp(t->v[i].name, s, len) == 0)
                        return 0;
        SecurityDacName *v = realloc(t->v, (t->n + 1) * sizeof *v);
        if (!v)
                return -ENOMEM;
        t->v = v;
        v[t->n] = (SecurityDacName) { .name = strndup(s, len), .group = group };
        if (!v[t->n].name)
                return -ENOMEM;
        t->n++;
        return 0;
}

int security_dac_names_of(const DomainDef *def, SecurityDacNames *out) {
        *out = (SecurityDacNames) { 0 };
        SecurityPaths p;
        if (security_paths_of(def, &p) < 0)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; i < p.n && r == 0; i++) {
                const char *l = p.v[i].dac_label;
                const char *colon = l ? strchr(l, ':') : NULL;
                if (!colon)     /* no label, or one set_files refuses before any lookup */
                        continue;
                r = add(out, l, (size_t) (colon - l), false);
                if (r == 0)
                        r = add(out, colon + 1, strlen(colon + 1), true);
        }
        security_paths_free(&p);
        if (r < 0)
                security_dac_names_free(out);
        return r;
}

void security_dac_names_lookup(SecurityDacNames *t) {
        for (size_t i = 0; i < t->n; i++) {
                SecurityDacName *n = &t->v[i];
                char buf[16384];
                if (n->group) {
                        struct group gr, *grp = NULL;
                        if (getgrnam_r(n->name, &gr, buf, sizeof buf, &grp) == 0 && grp) {
                                n->found = true;
                                n->id = grp->gr_gid;
                        }
                } else {
                        struct passwd pw, *pwp = NULL;
                        if (getpwnam_r(n->name, &pw, buf, sizeof buf, &pwp) == 0 && pwp) {
                                n->found = true;
                                n->id = pwp->pw_uid;
                        }
                }
                n->looked_up = true;
        }
}

const SecurityDacName *security_dac_names_find(const SecurityDacNames *t, const char *name, bool group) {
        for (size_t i = 0; t && i < t->n; i++)
                if (t->v[i].group == group && strcmp(t->v[i].name, name) == 0)
                        return &t->v[i];
        return NULL;
}

void security_dac_names_free(SecurityDacNames *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->v[i].name);
        free(t->v);
        *t = (SecurityDacNames) { 0 };
}
