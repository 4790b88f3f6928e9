/* security-selinux-plan.c: the SELinux driver's plan for one guest (which context QEMU runs in, which file gets which label): pure, from the definition and the host's base contexts. */
#include "security-selinux-plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "security-selinux-label.h"
#include "domain-model.h"
#include "security.h"

/* base's user:role:type with the level (fourth field on) of ctx: a static label's images get
 * its categories. */
static int with_level_of(const char *base, const char *ctx, char *out, size_t len) {
        const char *b = base, *c = ctx;
        for (int i = 0; i < 3 && b && c; i++) {
                b = strchr(b, ':');
                c = strchr(c, ':');
                if (b && i < 2)
                        b++;
                if (c)
                        c++;
        }
        if (!b || !c || !*c)
                return -EINVAL;
        int n = snprintf(out, len, "%.*s:%s", (int) (b - base), base, c);
        return n < 0 || (size_t) n >= len ? -ENOSPC : 0;
}

static int bad_context(VbError *err, const char *what, const char *ctx) {
        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECURITY, "cannot make the %s context from '%s'", what,
                            ctx ? ctx : "");
}

int selinux_start_plan(const DomainDef *def, const SelinuxBase *base, unsigned c1, unsigned c2, SelinuxStartPlan *out,
                       VbError *err) {
        memset(out, 0, sizeof *out);
        SelinuxLabel l;
        if (selinux_label_plan(def, &l, err) < 0)
                return -1;
        if (l.plan == SELINUX_PLAN_NONE)
                return 0;
        const char *imagelabel = NULL;
        for (size_t i = 0; def->priv && i < def->priv->n_seclabels; i++)
                if (def->priv->seclabels[i].label == l.label && l.label)
                        imagelabel = def->priv->seclabels[i].imagelabel;
        if (l.plan == SELINUX_PLAN_DYNAMIC) {
                out->dynamic = true;
                if (selinux_context_with_mcs(base->process, c1, c2, out->exec_label, sizeof out->exec_label) < 0)
                        return bad_context(err, "process", base->process);
                if (selinux_context_with_mcs(base->image, c1, c2, out->image_label, sizeof out->image_label) < 0)
                        return bad_context(err, "image", base->image);
        } else {
                int n = snprintf(out->exec_label, sizeof out->exec_label, "%s", l.label);
                if (n < 0 || (size_t) n >= sizeof out->exec_label)
                        return bad_context(err, "process", l.label);
                if (!l.relabel)
                        return 0;
                if (imagelabel)
                        n = snprintf(out->image_label, sizeof out->image_label, "%s", imagelabel) >=
                                    (int) sizeof out->image_label ? -1 : 0;
                else
                        n = with_level_of(base->image, l.label, out->image_label, sizeof out->image_label);
                if (n < 0)
                        return bad_context(err, "image", imagelabel ? imagelabel : l.label);
        }
        SecurityPaths paths;
        if (security_paths_of(def, &paths) < 0)
                return vb_error_errno(err, -ENOMEM, "SELinux plan");
        out->files = calloc(paths.n ? paths.n : 1, sizeof *out->files);
        if (!out->files) {
                security_paths_free(&paths);
                return vb_error_errno(err, -ENOMEM, "SELinux plan");
        }
        for (size_t i = 0; i < paths.n; i++) {
                if (paths.v[i].selinux_norelabel)
                        continue;       /* <seclabel model='selinux' relabel='no'/> on its disk */
                SelinuxFileLabel *f = &out->files[out->n_files++];
                f->path = paths.v[i].path;      /* taken over */
                paths.v[i].path = NULL;
                const char *ctx = paths.v[i].selinux_label ? paths.v[i].selinux_label
                                  : paths.v[i].readonly     ? base->content
                                                            : out->image_label;
                int n = snprintf(f->label, sizeof f->label, "%s", ctx);
                if (n < 0 || (size_t) n >= sizeof f->label) {
                        security_paths_free(&paths);
                        selinux_start_plan_done(out);
                        return bad_context(err, "file", ctx);
                }
        }
        security_paths_free(&paths);
        return 0;
}

void selinux_start_plan_done(SelinuxStartPlan *p) {
        for (size_t i = 0; i < p->n_files; i++)
                free(p->files[i].path);
        free(p->files);
        p->files = NULL;
        p->n_files = 0;
}

char *selinux_start_plan_format(const SelinuxStartPlan *p) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        fprintf(f, "exec %s\n", p->exec_label[0] ? p->exec_label : "(unchanged)");
        fprintf(f, "imagelabel %s\n", p->image_label[0] ? p->image_label : "(none)");
        for (size_t i = 0; i < p->n_files; i++)
                fprintf(f, "label %s %s\n", p->files[i].path, p->files[i].label);
        for (size_t i = p->n_files; i-- > 0;)
                fprintf(f, "restore %s\n", p->files[i].path);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}
