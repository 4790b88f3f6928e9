/* domain-peek.h: raw reads of a domain's disks and memory (virDomainBlockPeek, virDomainMemoryPeek) and its guest's power management (virDomainPMWakeup, virDomainPMSuspendForDuration): libvirt's checks, then the driver's DomainOps. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h"
#include "error.h"

typedef struct Domain Domain;

/* REMOTE_DOMAIN_BLOCK_PEEK_BUFFER_MAX and REMOTE_DOMAIN_MEMORY_PEEK_BUFFER_MAX of libvirt 9.0:
 * the most one call reads (the doors refuse more, in libvirt's words, before allocating). */
#define DOMAIN_PEEK_BUFFER_MAX ((size_t) 4 * 1024 * 1024)

/* virDomainMemoryFlags */
enum { DOMAIN_MEMORY_VIRTUAL = 1u, DOMAIN_MEMORY_PHYSICAL = 2u };

/* virNodeSuspendTarget */
enum { DOMAIN_SUSPEND_TARGET_MEM = 0, DOMAIN_SUSPEND_TARGET_DISK = 1, DOMAIN_SUSPEND_TARGET_HYBRID = 2 };

/* A pending peek's result: the bytes read (len == what was asked), borrowed for the completion. */
typedef struct DomainPeekResult {
        const uint8_t *buf;
        size_t len;
} DomainPeekResult;

/* virDomainBlockPeek: size bytes at offset of the source of disk (its target name or source
 * path; the running definition's when active). VERB_PENDING: the call completes with a
 * DomainPeekResult; never 0 (the read is off the loop). */
int domain_block_peek(Domain *d, const char *disk, uint64_t offset, size_t size, unsigned flags, Call *call,
                      VbError *err);
/* virDomainMemoryPeek (flags: exactly one of DOMAIN_MEMORY_*): size bytes of the running guest's
 * memory from start into out (size bytes the door allocated): 0 done, VERB_PENDING (the call
 * completes with a DomainPeekResult; out is not used then), or -1. */
int domain_memory_peek(Domain *d, uint64_t start, size_t size, unsigned flags, uint8_t *out, Call *call, VbError *err);
/* virDomainPMWakeup (flags 0): a running or suspended guest is woken (its state follows the
 * hypervisor's event), under the domain's modify job. */
int domain_pm_wakeup(Domain *d, unsigned flags, Call *call, VbError *err);
/* virDomainPMSuspendForDuration: target DOMAIN_SUSPEND_TARGET_*, duration 0 (libvirt's QEMU
 * driver takes no other), flags 0; the guest suspends itself (its agent asked to). */
int domain_pm_suspend(Domain *d, unsigned target, uint64_t duration, unsigned flags, Call *call, VbError *err);
