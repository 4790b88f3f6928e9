/* security-stack.c: the stack of security drivers a connection runs, applied in order and undone in reverse. */
#define LOG_MODULE "security"
#include "security.h"

#include <errno.h>

#include "log.h"

int security_stack_push(SecurityStack *s, const SecurityDriver *drv, const void *cfg) {
        if (s->n >= SECURITY_STACK_MAX)
                return -E2BIG;
        s->layer[s->n].drv = drv;
        s->layer[s->n].cfg = cfg;
        s->n++;
        return 0;
}

int security_stack_set(const SecurityStack *s, const DomainDef *def, ProcessCreds *creds, VbError *err) {
        for (size_t i = 0; i < s->n; i++) {
                const SecurityDriver *d = s->layer[i].drv;
                if (d->set_process && d->set_process(s->layer[i].cfg, def, creds, err) < 0)
                        goto undo;
                if (d->set_files && d->set_files(s->layer[i].cfg, def, err) < 0)
                        goto undo;
                continue;
undo:
                /* set_files undid its own part; the layers below it are given back here. */
                while (i-- > 0)
                        if (s->layer[i].drv->restore_files)
                                s->layer[i].drv->restore_files(s->layer[i].cfg, def);
                return -1;
        }
        return 0;
}

void security_stack_restore(const SecurityStack *s, const DomainDef *def) {
        for (size_t i = s->n; i-- > 0;)
                if (s->layer[i].drv->restore_files)
                        s->layer[i].drv->restore_files(s->layer[i].cfg, def);
}

int security_stack_live_label(const SecurityStack *s, DomainDef *live) {
        for (size_t i = 0; i < s->n; i++) {
                const SecurityDriver *d = s->layer[i].drv;
                int r = d->live_label ? d->live_label(s->layer[i].cfg, live) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

void security_stack_reattach(const SecurityStack *s, const DomainDef *live) {
        for (size_t i = 0; i < s->n; i++) {
                const SecurityDriver *d = s->layer[i].drv;
                VbError err = { 0 };
                if (d->reattach && d->reattach(s->layer[i].cfg, live, &err) < 0)
                        log_error("domain %s: security driver %s: %s", live->name, d->model, err.message);
        }
}

static bool none_probe(char *why, size_t whylen) {
        return true;
}

const SecurityDriver security_driver_none = {
        .model = "none",
        .doi = "0",
        .probe = none_probe,
};
