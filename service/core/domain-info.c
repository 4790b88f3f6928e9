/* domain-info.c: per-request domain information (memory stats, block info, interface stats, hostname, time, scheduler parameters): the checks libvirt makes before its driver answers, then the driver's DomainInfoOps. */
#include "domain-info.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "call.h"
#include "domain-model.h"
#include "domain.h"
#include "driver.h"
#include "manager.h"

static const DomainInfoOps *info_ops(const Domain *d) {
        static const DomainInfoOps none;
        return d->obj.conn->driver->info ? d->obj.conn->driver->info : &none;
}

static int unsupported(ApiId api, VbError *err) {
        const ApiRow *row = api_row(api);
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_DOMAIN, "%s", row ? row->name : "virDomain");
}

static int need_running(const Domain *d, VbError *err) {
        if (domain_is_active(d))
                return 0;
        return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN, "domain is not running");
}

static const DomainDevices *devices_of(const Domain *d) {
        const DomainDef *def = domain_current_def(d);
        return def && def->priv ? &def->priv->devices : NULL;
}

int domain_memory_stats(Domain *d, unsigned max, unsigned flags, DomainMemStat *out, VbError *err) {
        if (!info_ops(d)->memory_stats)
                return unsupported(API_DOMAIN_MEMORY_STATS, err);
        if (need_running(d, err) < 0)
                return -1;
        if (max > DOMAIN_MEMSTAT_NR)
                max = DOMAIN_MEMSTAT_NR;
        return info_ops(d)->memory_stats(d, flags, out, max, err);
}

int domain_block_info(Domain *d, const char *disk, unsigned flags, DomainBlockInfo *out, VbError *err) {
        if (!info_ops(d)->block_info)
                return unsupported(API_DOMAIN_GET_BLOCK_INFO, err);
        const DomainDevices *dev = devices_of(d);
        for (size_t i = 0; dev && i < dev->n_disks; i++) {
                const DomainDisk *k = &dev->disks[i];
                if ((k->target_dev && strcmp(k->target_dev, disk) == 0) ||
                    (k->source_file && strcmp(k->source_file, disk) == 0) ||
                    (k->source_dev && strcmp(k->source_dev, disk) == 0))
                        return info_ops(d)->block_info(d, k, flags, out, err);
        }
        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid path %s not assigned to domain", disk);
}

int domain_interface_stats(Domain *d, const char *device, DomainIfStats *out, VbError *err) {
        if (!info_ops(d)->interface_stats)
                return unsupported(API_DOMAIN_INTERFACE_STATS, err);
        if (need_running(d, err) < 0)
                return -1;
        const DomainDevices *dev = devices_of(d);
        for (size_t i = 0; dev && i < dev->n_interfaces; i++) {
                const DomainInterface *n = &dev->interfaces[i];
                char mac[18];
                snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1], n->mac[2], n->mac[3],
                         n->mac[4], n->mac[5]);
                if ((n->target_dev && strcmp(n->target_dev, device) == 0) || strcasecmp(mac, device) == 0)
                        return info_ops(d)->interface_stats(d, n, out, err);
        }
        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "'%s' is not a known interface", device);
}

char *domain_hostname(Domain *d, unsigned flags, VbError *err) {
        if (!info_ops(d)->hostname) {
                unsupported(API_DOMAIN_GET_HOSTNAME, err);
                return NULL;
        }
        if (need_running(d, err) < 0)
                return NULL;
        return info_ops(d)->hostname(d, flags, err);
}

int domain_get_time(Domain *d, unsigned flags, int64_t *seconds, unsigned *nseconds, VbError *err) {
        if (!info_ops(d)->get_time)
                return unsupported(API_DOMAIN_GET_TIME, err);
        if (need_running(d, err) < 0)
                return -1;
        return info_ops(d)->get_time(d, flags, seconds, nseconds, err);
}


int domain_vcpus(Domain *d, DomainVcpuInfo *info, int maxinfo, uint8_t *maps, int maplen, VbError *err) {
        if (!info_ops(d)->vcpus)
                return unsupported(API_DOMAIN_GET_VCPUS, err);
        if (!domain_is_active(d))
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, VB_FROM_DOMAIN,
                                    "cannot list vcpus for an inactive domain");
        return info_ops(d)->vcpus(d, info, maxinfo, maps, maplen, err);
}

int domain_vcpu_pin_info(Domain *d, unsigned flags, uint8_t *maps, int ncpumaps, int maplen, VbError *err) {
        if (!info_ops(d)->vcpu_pin_info)
                return unsupported(API_DOMAIN_GET_VCPU_PIN_INFO, err);
        return info_ops(d)->vcpu_pin_info(d, flags, maps, ncpumaps, maplen, err);
}

int domain_emulator_pin_info(Domain *d, unsigned flags, uint8_t *map, int maplen, VbError *err) {
        if (!info_ops(d)->emulator_pin_info)
                return unsupported(API_DOMAIN_GET_EMULATOR_PIN_INFO, err);
        return info_ops(d)->emulator_pin_info(d, flags, map, maplen, err);
}

int domain_iothreads(Domain *d, unsigned flags, unsigned *ids, int max, VbError *err) {
        if (!info_ops(d)->iothreads)
                return unsupported(API_DOMAIN_GET_IOTHREAD_INFO, err);
        return info_ops(d)->iothreads(d, flags, ids, max, err);
}

int domain_job_info(Domain *d, DomainJobInfo *out, VbError *err) {
        if (!info_ops(d)->job_info)
                return unsupported(API_DOMAIN_GET_JOB_INFO, err);
        if (need_running(d, err) < 0)
                return -1;
        *out = (DomainJobInfo) { 0 };
        return info_ops(d)->job_info(d, out, err);
}

/* ---- memory stats through the driver's stats (QEMU's balloon statistics come over QMP) ---- */

typedef struct MemRequest {
        Call *outer;            /* a reference */
        unsigned max;
        bool balloon;
} MemRequest;

/* libvirt's list: "actual" (the balloon's size) when there is a balloon, then what the guest
 * reported, in the stats' order (RSS last). */
static void mem_from_stats(const DomainStats *st, unsigned max, bool balloon, DomainMemStats *out) {
        out->n = 0;
        if (balloon && (unsigned) out->n < max)
                out->s[out->n++] = (DomainMemStat) { DOMAIN_MEMSTAT_ACTUAL_BALLOON, st->balloon_current_kib };
        for (size_t i = 0; i < st->n_balloon && (unsigned) out->n < max && out->n < DOMAIN_MEMSTAT_NR; i++)
                out->s[out->n++] = (DomainMemStat) { st->balloon[i].tag, st->balloon[i].val };
}

static void mem_done(Call *inner, int r, const VbError *err, void *result) {
        MemRequest *q = inner->userdata;
        if (r < 0 || !result) {
                call_complete(q->outer, -1, err, NULL);
        } else {
                DomainMemStats ms;
                mem_from_stats(result, q->max, q->balloon, &ms);
                call_complete(q->outer, 0, NULL, &ms);
        }
        call_unref(q->outer);
        free(q);
}

int domain_memory_stats_call(Domain *d, unsigned max, unsigned flags, Call *call, DomainMemStats *out, VbError *err) {
        if (max > DOMAIN_MEMSTAT_NR)
                max = DOMAIN_MEMSTAT_NR;
        if (info_ops(d)->memory_stats) {
                int n = domain_memory_stats(d, max, flags, out->s, err);
                if (n < 0)
                        return -1;
                out->n = n;
                return 0;
        }
        const DomainOps *ops = d->obj.conn->driver->domain;
        if (!ops || !ops->get_stats)
                return unsupported(API_DOMAIN_MEMORY_STATS, err);
        if (vb_check_flags(flags, 0, "virDomainMemoryStats", err) < 0 || need_running(d, err) < 0)
                return -1;
        const DomainDevices *dev = devices_of(d);
        bool balloon = dev && dev->memballoon.model && strcmp(dev->memballoon.model, "none") != 0;
        MemRequest *q = calloc(1, sizeof *q);
        Call *inner = q ? call_new(CALL_DOOR_INTERNAL, &call->who, mem_done, q) : NULL;
        if (!inner) {
                free(q);
                return vb_error_errno(err, -ENOMEM, "memory stats");
        }
        *q = (MemRequest) { .outer = call_ref(call), .max = max, .balloon = balloon };
        DomainStats *st = NULL;
        int r = domain_get_stats(d, DOMAIN_STATS_BALLOON, 0, inner, &st, err);
        if (r == VERB_PENDING) {
                call_unref(inner);
                return VERB_PENDING;
        }
        if (r == 0) {
                mem_from_stats(st, max, balloon, out);
                domain_stats_free(st);
        }
        call_unref(q->outer);
        free(q);
        inner->userdata = NULL;
        call_unref(inner);
        return r < 0 ? -1 : 0;
}
