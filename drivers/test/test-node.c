/* test-node.c: the Test connection's node statistics, as libvirt's test driver reports them (fixed values: two cells, eight CPUs of which 0, 2 and 4 are online). */
#include <stdint.h>
#include <string.h>

#include "driver.h"
#include "test-ops.h"

int test_node_cpu_stats(Connection *c, int cpu, uint64_t out[4], VbError *err) {
        out[0] = 34678723400000ULL;     /* kernel */
        out[1] = 9797400000ULL;         /* user */
        out[2] = 87264900000ULL;        /* idle */
        out[3] = 763600000ULL;          /* iowait */
        return 0;
}

int test_node_cells_free_memory(Connection *c, int start, int max, uint64_t *bytes, VbError *err) {
        static const uint64_t cells[] = { 2048ULL * 1024, 4096ULL * 1024 };
        int n = 0;
        for (int i = start; i < 2 && n < max; i++)
                bytes[n++] = cells[i];
        if (n == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_TEST, "Range exceeds available cells");
        return n;
}

int test_node_cpu_map(Connection *c, uint8_t *map, size_t maplen, unsigned *online, VbError *err) {
        if (map && maplen)
                memset(map, 0, maplen), map[0] = 0x15;
        *online = 3;
        return 8;
}

/* libvirt's test driver makes its counts up: x = 2x + 7 from 6, one per (cell, size), per call. */
int test_node_free_pages(Connection *c, const uint32_t *pages, unsigned npages, int start, unsigned cells,
                         uint64_t *counts, VbError *err) {
        uint64_t x = 6;
        for (unsigned i = 0; i < cells; i++)
                for (unsigned j = 0; j < npages; j++) {
                        x = x * 2 + 7;
                        counts[i * npages + j] = x;
                }
        return 0;
}
