/* qemu-command-mem.c: the guest's memory on the command line: -m with the hotplug slots and maximum of <maxMemory>, and each <memory model='dimm'> as a RAM backend and a pc-dimm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-model.h"
#include "qemu-command-priv.h"

void qemu_dimm_ids(const DomainMemoryDev *m, size_t i, char *id, size_t len, char *memdev, size_t mlen) {
        if (m->alias && strncmp(m->alias, "ua-", 3) != 0)
                snprintf(id, len, "%s", m->alias);
        else
                snprintf(id, len, "dimm%zu", i);
        snprintf(memdev, mlen, "mem%s", id);
}

long qemu_dimm_slot(const DomainMemoryDev *m, size_t i) {
        if (m->address.slot) {
                char *end;
                long v = strtol(m->address.slot, &end, 0);
                return *end || v < 0 ? -1 : v;
        }
        return (long) i;
}

int qemu_cmd_memory(QemuCmd *c) {
        const DomainDef *def = c->def;
        const DomainDefPrivate *p = def->priv;
        const DomainDevices *d = c->devs;
        uint64_t dimms = 0;
        for (size_t i = 0; i < d->n_memories; i++)
                dimms += d->memories[i].target_size_kib;
        if (d->n_memories && !p->max_memory_kib)
                return qemu_cmd_unsupported(c, "cannot use/hotplug a memory device when domain 'maxMemory' is not "
                                               "defined");
        if (d->n_memories > p->max_memory_slots)
                return qemu_cmd_unsupported(c, "%zu memory devices need more than the %u slots of <maxMemory>",
                                            d->n_memories, p->max_memory_slots);
        if (dimms >= def->memory_kib)
                return qemu_cmd_unsupported(c, "the memory devices (%llu KiB) leave no initial memory of <memory> "
                                               "(%llu KiB)", (unsigned long long) dimms,
                                            (unsigned long long) def->memory_kib);
        qemu_cmd_arg(c, "-m");
        if (p->max_memory_kib)
                qemu_cmd_argf(c, "size=%lluk,slots=%u,maxmem=%lluk", (unsigned long long) (def->memory_kib - dimms),
                              p->max_memory_slots, (unsigned long long) p->max_memory_kib);
        else
                qemu_cmd_argf(c, "size=%lluk", (unsigned long long) def->memory_kib);
        for (size_t i = 0; i < d->n_memories; i++) {
                const DomainMemoryDev *m = &d->memories[i];
                char id[64], memdev[72];
                qemu_dimm_ids(m, i, id, sizeof id, memdev, sizeof memdev);
                long slot = qemu_dimm_slot(m, i);
                if (slot < 0 || slot >= (long) p->max_memory_slots)
                        return qemu_cmd_unsupported(c, "memory device slot '%s' is out of range (0 to %u)",
                                                    m->address.slot ? m->address.slot : "", p->max_memory_slots - 1);
                qemu_cmd_arg(c, "-object");
                qemu_cmd_argf(c, "memory-backend-ram,id=%s,size=%lluk", memdev,
                              (unsigned long long) m->target_size_kib);
                qemu_cmd_arg(c, "-device");
                qemu_cmd_argf(c, "pc-dimm,node=%lld,memdev=%s,id=%s,slot=%ld",
                              m->target_node.set ? m->target_node.v : 0, memdev, id, slot);
        }
        return 0;
}
