/* hashmap.h: a small chained hash table keyed by bytes (names, UUIDs, ids); values are borrowed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct HashEntry HashEntry;

typedef struct HashMap {
        HashEntry **buckets;
        size_t n_buckets;
        size_t n_items;
} HashMap;

void hashmap_init(HashMap *m);
void hashmap_done(HashMap *m);
/* The key bytes are copied. Returns 0, -EEXIST when the key is present, or -ENOMEM. */
int hashmap_put(HashMap *m, const void *key, size_t keylen, void *value);
void *hashmap_get(const HashMap *m, const void *key, size_t keylen);
/* Returns the removed value or NULL. */
void *hashmap_remove(HashMap *m, const void *key, size_t keylen);
size_t hashmap_size(const HashMap *m);

static inline int hashmap_put_str(HashMap *m, const char *k, void *v) {
        return hashmap_put(m, k, strlen(k), v);
}
