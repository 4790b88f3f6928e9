/* layer-double.h: a test-only transport layer: a handshake, XOR "encryption", 1-byte writes and reads held inside the layer. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

/* What the layers of a test did, summed over every instance. */
typedef struct LayerDoubleStats {
        unsigned handshakes;            /* completed */
        unsigned refused;               /* handshakes that met a peer without the layer */
        size_t max_pending;             /* the most bytes one layer held readable */
        size_t chunk_writes;            /* 1-byte writes to the layer below */
} LayerDoubleStats;

extern LayerDoubleStats layer_double_stats;

/* A layer that, once both ends have exchanged "XOR" and a key byte, sends every byte XORed with
 * its key in a write of its own, and reads up to 4096 bytes from below at once but hands out at
 * most read_chunk per read(), keeping the rest (pending() > 0). */
int layer_double_new(uint8_t key, size_t read_chunk, RemoteLayer **out);
