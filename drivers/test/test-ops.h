/* test-ops.h: the Test driver's tables and host ops kept in their own files (test-iface.c, test-info.c, test-nodedev.c, test-node.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "domain-info.h"
#include "domain-tune-stats.h"
#include "driver.h"
#include "iface.h"
#include "nodedev.h"

extern const HostIfaceOps test_iface_ops;
extern const DomainInfoOps test_info_ops;
extern const NodeDevOps test_nodedev_ops;
extern const DomainTuneOps test_tune_ops;
/* test-guest.c: the guests' filesystems (an agent op) and interface addresses (an info op). */
extern const struct DomainAgentOps test_agent_ops;
struct DomainIfaceAddrs;
int test_interface_addresses(Domain *d, unsigned source, struct DomainIfaceAddrs **out, size_t *n_out, VbError *err);
/* test-tune.c: a vCPU pin has nothing to do on the Test connection: the core keeps it in <cputune>. */
int test_pin_vcpu(Domain *d, unsigned vcpu, const uint8_t *map, size_t maplen, const char *cpuset, VbError *err);
int test_set_blkiotune(Domain *d, const DomainBlkiotune *t, VbError *err);
int test_set_numatune(Domain *d, const DomainNumatune *t, VbError *err);

int test_node_cpu_stats(Connection *c, int cpu, uint64_t out[4], VbError *err);
int test_node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err);
int test_node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err);
int test_node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells,
                         uint64_t *counts, VbError *err);

/* test-snapshot.c: snapshots in metadata only. */
int test_snapshot_create(Domain *d, SnapshotDef *def, unsigned flags, Call *call, VbError *err);
int test_snapshot_revert(Domain *d, const SnapshotDef *def, unsigned flags, Call *call, VbError *err);
int test_snapshot_delete(Domain *d, const SnapshotDef *def, Call *call, VbError *err);
/* test-checkpoint.c: checkpoints in metadata only (create and delete alike). */
typedef struct CheckpointDef CheckpointDef;
int test_checkpoint_bitmaps(Domain *d, const CheckpointDef *def, Call *call, VbError *err);
