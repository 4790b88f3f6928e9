/* hashmap.c: separate chaining with FNV-1a and doubling; enough for registries of thousands. */
#include "hashmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct HashEntry {
        HashEntry *next;
        uint64_t hash;
        size_t keylen;
        void *value;
        unsigned char key[];
};

static uint64_t hash_bytes(const void *key, size_t len) {
        const unsigned char *p = key;
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < len; i++) {
                h ^= p[i];
                h *= 1099511628211ULL;
        }
        return h;
}

void hashmap_init(HashMap *m) {
        memset(m, 0, sizeof *m);
}

void hashmap_done(HashMap *m) {
        for (size_t i = 0; i < m->n_buckets; i++) {
                HashEntry *e = m->buckets[i];
                while (e) {
                        HashEntry *next = e->next;
                        free(e);
                        e = next;
                }
        }
        free(m->buckets);
        hashmap_init(m);
}

static int hashmap_grow(HashMap *m) {
        size_t n = m->n_buckets ? m->n_buckets * 2 : 64;
        HashEntry **b = calloc(n, sizeof *b);
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_buckets; i++) {
                HashEntry *e = m->buckets[i];
                while (e) {
                        HashEntry *next = e->next;
                        size_t j = e->hash & (n - 1);
                        e->next = b[j];
                        b[j] = e;
                        e = next;
                }
        }
        free(m->buckets);
        m->buckets = b;
        m->n_buckets = n;
        return 0;
}

static HashEntry **hashmap_slot(const HashMap *m, const void *key, size_t keylen, uint64_t h) {
        if (!m->n_buckets)
                return NULL;
        HashEntry **pp = &m->buckets[h & (m->n_buckets - 1)];
        for (; *pp; pp = &(*pp)->next)
                if ((*pp)->hash == h && (*pp)->keylen == keylen && memcmp((*pp)->key, key, keylen) == 0)
                        return pp;
        return NULL;
}

int hashmap_put(HashMap *m, const void *key, size_t keylen, void *value) {
        uint64_t h = hash_bytes(key, keylen);
        if (hashmap_slot(m, key, keylen, h))
                return -EEXIST;
        if (m->n_items >= m->n_buckets * 3 / 4) {
                int r = hashmap_grow(m);
                if (r < 0)
                        return r;
        }
        HashEntry *e = malloc(sizeof *e + keylen);
        if (!e)
                return -ENOMEM;
        e->hash = h;
        e->keylen = keylen;
        e->value = value;
        memcpy(e->key, key, keylen);
        size_t j = h & (m->n_buckets - 1);
        e->next = m->buckets[j];
        m->buckets[j] = e;
        m->n_items++;
        return 0;
}

void *hashmap_get(const HashMap *m, const void *key, size_t keylen) {
        HashEntry **pp = hashmap_slot(m, key, keylen, hash_bytes(key, keylen));
        return pp ? (*pp)->value : NULL;
}

void *hashmap_remove(HashMap *m, const void *key, size_t keylen) {
        HashEntry **pp = hashmap_slot(m, key, keylen, hash_bytes(key, keylen));
        if (!pp)
                return NULL;
        HashEntry *e = *pp;
        void *v = e->value;
        *pp = e->next;
        free(e);
        m->n_items--;
        return v;
}

size_t hashmap_size(const HashMap *m) {
        return m->n_items;
}
