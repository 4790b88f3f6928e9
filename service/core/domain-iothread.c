/* domain-iothread.c: a guest's IOThreads added, removed, pinned and tuned (virDomainAddIOThread, DelIOThread, PinIOThread, SetIOThreadParams) with libvirt's QEMU driver's checks and texts, and GetIOThreadInfo's CPU maps; the live change goes through the driver (DomainTuneOps) and the definitions follow once it has succeeded (domain-tune-later.c). */
#define LOG_MODULE "domain"
#include "domain-iothread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpumap.h"
#include "domain-info.h"
#include "domain-model.h"
#include "domain-persist.h"
#include "domain-pin.h"
#include "domain-tune-stats.h"
#include "domain.h"
#include "driver.h"
#include "log.h"

typedef enum { IOT_ADD, IOT_DEL, IOT_MOD } IotAction;

typedef struct IotChange {
        IotAction action;
        unsigned id;
        bool live;
        DomainIothreadParams params;
} IotChange;

static const DomainTuneOps *tune_ops(const Domain *d) {
        return d->obj.conn->driver->tune;
}

static int config_edit(Domain *d, IotAction action, unsigned id, const char *cpuset, VbError *err) {
        DomainDef *nd = domain_def_copy(d->def);
        if (!nd)
                return vb_error_errno(err, -ENOMEM, "copy domain definition");
        int r = 0;
        if (action == IOT_ADD)
                r = domain_iothread_add(nd, id, err);
        else if (action == IOT_DEL)
                domain_iothread_del(nd, id);
        else
                r = domain_iothread_set_pin(nd, id, cpuset, err);
        if (r < 0 || domain_save_config(d->obj.conn, nd, err) < 0) {
                domain_def_free(nd);
                return -1;
        }
        domain_def_free(d->def);
        d->def = nd;
        return 0;
}

static int change_live(Domain *d, void *data, Call *inner, VbError *err) {
        IotChange *c = data;
        const DomainTuneOps *ops = tune_ops(d);
        if (c->action == IOT_ADD)
                return ops->add_iothread(d, c->id, inner, err);
        if (c->action == IOT_DEL)
                return ops->del_iothread(d, c->id, inner, err);
        return ops->set_iothread_params(d, c->id, &c->params, inner, err);
}

static int change_record(Domain *d, void *data, bool config, VbError *err) {
        IotChange *c = data;
        if (c->live && d->live) {
                if (c->action == IOT_ADD && domain_iothread_add(d->live, c->id, err) < 0)
                        return -1;
                if (c->action == IOT_DEL)
                        domain_iothread_del(d->live, c->id);
                if (c->action != IOT_MOD)
                        log_info("domain %s: IOThread %u %s", d->obj.name, c->id, c->action == IOT_ADD ? "added" : "removed");
        }
        return config ? config_edit(d, c->action, c->id, NULL, err) : 0;
}

/* The checks of one definition (live or persistent) before anything changes. */
static int check_def(const DomainDef *def, IotAction action, unsigned id, VbError *err) {
        if (action == IOT_ADD) {
                if (domain_iothread_find(def, id))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "an IOThread is already using iothread_id '%u'", id);
                if (def->priv->n_iothreadids >= DOMAIN_IOTHREADS_MAX)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many IOThreads: at most %u",
                                            DOMAIN_IOTHREADS_MAX);
                return 0;
        }
        if (!domain_iothread_find(def, id))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    action == IOT_DEL ? "cannot find IOThread '%u' in iothreadids list"
                                                      : "cannot find IOThread '%u' in iothreadids",
                                    id);
        const DomainDisk *disk = action == IOT_DEL ? domain_iothread_user(def, id) : NULL;
        if (disk)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "cannot remove IOThread %u since it is being used by disk '%s'", id,
                                    disk->target_dev ? disk->target_dev : "");
        return 0;
}

static int change(Domain *d, IotChange *c, unsigned flags, const char *api, Call *call, VbError *err) {
        const DomainTuneOps *ops = tune_ops(d);
        void *op = !ops ? NULL : c->action == IOT_ADD ? (void *) ops->add_iothread
                               : c->action == IOT_DEL ? (void *) ops->del_iothread
                                                      : (void *) ops->set_iothread_params;
        if (!op)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", api);
        if (domain_pick_affect(d, &flags, 0, api, err) < 0)
                return -1;
        if (c->id == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid value of 0 for iothread_id");
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (live && check_def(d->live, c->action, c->id, err) < 0)
                return -1;
        if (config && c->action == IOT_MOD)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "configuring persistent polling values is not supported");
        if (config && check_def(d->def, c->action, c->id, err) < 0)
                return -1;
        IotChange *data = malloc(sizeof *data);
        if (!data)
                return vb_error_errno(err, -ENOMEM, "iothread change");
        *data = *c;
        data->live = live;
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                free(data);
                return -1;
        }
        if (!live) {
                int r = change_record(d, data, config, err);
                free(data);
                domain_job_end(d);
                return r;
        }
        return domain_tune_live_data(d, change_live, change_record, data, free, config, call, err);
}

int domain_add_iothread(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err) {
        IotChange c = { .action = IOT_ADD, .id = id };
        return change(d, &c, flags, "virDomainAddIOThread", call, err);
}

int domain_del_iothread(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err) {
        IotChange c = { .action = IOT_DEL, .id = id };
        return change(d, &c, flags, "virDomainDelIOThread", call, err);
}

/* libvirt's typed parameters: poll_max_ns (ullong), poll_grow, poll_shrink (uint); its
 * thread_pool_min/max (int) are known but this driver cannot set them. */
static int parse_params(const DomainTuneParam *params, size_t n, DomainIothreadParams *out, VbError *err) {
        static const struct { const char *name; DomainStatType type; const char *tname; } known[] = {
                { "poll_max_ns", DOMAIN_STAT_ULLONG, "ullong" }, { "poll_grow", DOMAIN_STAT_UINT, "uint" },
                { "poll_shrink", DOMAIN_STAT_UINT, "uint" }, { "thread_pool_min", DOMAIN_STAT_INT, "int" },
                { "thread_pool_max", DOMAIN_STAT_INT, "int" },
        };
        for (size_t i = 0; i < n; i++) {
                const DomainTuneParam *p = &params[i];
                size_t k = 0;
                while (k < sizeof known / sizeof known[0] && strcmp(p->name, known[k].name) != 0)
                        k++;
                if (k == sizeof known / sizeof known[0])
                        return vb_error_set(err, VB_ERR_ARGUMENT_UNSUPPORTED, VB_FROM_DOMAIN, "parameter '%s' not supported",
                                            p->name);
                if (p->type != known[k].type)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "invalid type for parameter '%s', expected '%s'", p->name, known[k].tname);
                if (k == 0) {
                        if (p->ull > INT64_MAX)
                                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                                    "poll-max-ns (%llu) must be less than or equal to %lld",
                                                    (unsigned long long) p->ull, (long long) INT64_MAX);
                        out->has_poll_max_ns = true;
                        out->poll_max_ns = p->ull;
                } else if (k == 1) {
                        out->has_poll_grow = true;
                        out->poll_grow = (unsigned) p->ull;
                } else if (k == 2) {
                        out->has_poll_shrink = true;
                        out->poll_shrink = (unsigned) p->ull;
                } else {
                        return vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_DOMAIN,
                                            "setting '%s' of an IOThread is not supported by this QEMU driver", p->name);
                }
        }
        return 0;
}

int domain_set_iothread_params(Domain *d, unsigned id, const DomainTuneParam *params, size_t n, unsigned flags,
                               Call *call, VbError *err) {
        IotChange c = { .action = IOT_MOD, .id = id };
        if (parse_params(params, n, &c.params, err) < 0)
                return -1;
        return change(d, &c, flags, "virDomainSetIOThreadParams", call, err);
}

int domain_pin_iothread(Domain *d, unsigned id, const uint8_t *map, size_t maplen, unsigned flags, VbError *err) {
        const DomainTuneOps *ops = tune_ops(d);
        if (!ops || !ops->pin_iothread)
                return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "virDomainPinIOThread");
        if (domain_pick_affect(d, &flags, 0, "virDomainPinIOThread", err) < 0)
                return -1;
        bool live = flags & DOMAIN_AFFECT_LIVE, config = flags & DOMAIN_AFFECT_CONFIG;
        if (live && !domain_iothread_find(d->live, id))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "iothread %u not found", id);
        if (config && !domain_iothread_find(d->def, id))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "iothreadid %u not found", id);
        if (cpumap_count(map, maplen) == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "Empty iothread cpumap list for pinning");
        char *cpuset = cpumap_format(map, maplen);
        if (!cpuset)
                return vb_error_errno(err, -ENOMEM, "cpu list");
        if (domain_job_begin(d, DOMAIN_JOB_MODIFY, err) < 0) {
                free(cpuset);
                return -1;
        }
        int r = 0;
        if (live) {
                r = ops->pin_iothread(d, id, map, maplen, cpuset, err);
                if (r == 0)
                        r = domain_iothread_set_pin(d->live, id, cpuset, err);
                if (r == 0)
                        log_info("domain %s: IOThread %u pinned to %s", d->obj.name, id, cpuset);
        }
        if (r == 0 && config)
                r = config_edit(d, IOT_MOD, id, cpuset, err);
        domain_job_end(d);
        free(cpuset);
        return r;
}

static void fill_map(uint8_t *map, int maplen, const char *cpuset) {
        memset(map, 0, (size_t) maplen);
        if (cpuset && cpumap_parse(cpuset, map, (size_t) maplen) == 0)
                return;
        long n = sysconf(_SC_NPROCESSORS_CONF);
        for (long i = 0; i < (n > 0 ? n : 1) && i < (long) maplen * 8; i++)
                map[i / 8] |= (uint8_t) (1u << (i % 8));
}

int domain_iothread_info(Domain *d, unsigned flags, unsigned *ids, uint8_t *maps, int max, int maplen, VbError *err) {
        int n = domain_iothreads(d, flags, ids, max, err);
        if (n <= 0)
                return n;
        bool live = (flags & DOMAIN_AFFECT_LIVE) || (!(flags & DOMAIN_AFFECT_CONFIG) && domain_is_active(d));
        const DomainDef *def = live && d->live ? d->live : d->def;
        for (int i = 0; maps && maplen > 0 && i < n; i++) {
                const char *pin = domain_iothread_pin_of(def, ids[i]);
                fill_map(maps + (size_t) i * (size_t) maplen, maplen, pin ? pin : def->priv->vcpu_cpuset);
        }
        return n;
}
