/* test-checkpoint.c: the Test driver's checkpoints, metadata only (as libvirt's test driver): no disk holds a bitmap. */
#include "checkpoint-conf.h"
#include "test-ops.h"

int test_checkpoint_bitmaps(Domain *d, const CheckpointDef *def, Call *call, VbError *err) {
        return 0;
}
