/* domain-pin.h: virDomainPinVcpuFlags and virDomainPinEmulator: a vCPU's or the emulator threads' host CPUs, live (the driver's op) and/or in the persistent <cputune>. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct Domain Domain;

/* map: maplen bytes, bit i = host CPU i (libvirt's cpumap). flags DOMAIN_AFFECT_LIVE/CONFIG
 * (neither: live when running, else config). Checked whole before anything changes; 0 or -1. */
int domain_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, unsigned flags, VbError *err);
int domain_pin_emulator(Domain *d, const uint8_t *map, size_t maplen, unsigned flags, VbError *err);
/* The flags of a call that changes the live and/or persistent definition: DOMAIN_AFFECT_LIVE/CONFIG
 * and extra allowed, none meaning the running one when active; the domain must run for LIVE and be
 * persistent for CONFIG (libvirt's texts). */
int domain_pick_affect(Domain *d, unsigned *flags, unsigned extra, const char *api, VbError *err);
