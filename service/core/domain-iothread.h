/* domain-iothread.h: virDomainAddIOThread, DelIOThread, PinIOThread, SetIOThreadParams and GetIOThreadInfo's CPU maps: libvirt's checks, the driver's live op (DomainTuneOps), then <iothreads>/<iothreadids>/<iothreadpin> in the live and/or persistent definition. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct Domain Domain;
typedef struct Call Call;
typedef struct DomainTuneParam DomainTuneParam;

/* virDomainSetIOThreadParams' polling values (the others, thread_pool_min/max, are refused). */
typedef struct DomainIothreadParams {
        bool has_poll_max_ns, has_poll_grow, has_poll_shrink;
        uint64_t poll_max_ns;
        unsigned poll_grow, poll_shrink;
} DomainIothreadParams;

/* flags: DOMAIN_AFFECT_LIVE/CONFIG (neither: live when running, else config). Each is checked
 * whole before anything changes; the live part goes through the driver first and the
 * definitions change only once it has succeeded. 0, VERB_PENDING (call completes), or -1. */
int domain_add_iothread(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err);
int domain_del_iothread(Domain *d, unsigned id, unsigned flags, Call *call, VbError *err);
int domain_set_iothread_params(Domain *d, unsigned id, const DomainTuneParam *params, size_t n, unsigned flags,
                               Call *call, VbError *err);
/* map: maplen bytes, bit i = host CPU i. 0 or -1. */
int domain_pin_iothread(Domain *d, unsigned id, const uint8_t *map, size_t maplen, unsigned flags, VbError *err);
/* virDomainGetIOThreadInfo: up to max ids, and maplen bytes of CPU map each into maps (the
 * IOThread's <iothreadpin>, else <vcpu cpuset>, else every host CPU); the count, or -1. */
int domain_iothread_info(Domain *d, unsigned flags, unsigned *ids, uint8_t *maps, int max, int maplen, VbError *err);
