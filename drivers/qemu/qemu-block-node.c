/* qemu-block-node.c: reading QEMU's query-block answer (a device's node and dirty bitmaps), for checkpoints and backups. */
#include "qemu-block-node.h"

#include <stdio.h>
#include <string.h>

json_object *qemu_block_find_inserted(json_object *query_block, const char *alias) {
        char want[96];
        snprintf(want, sizeof want, "/%s/", alias);
        for (size_t i = 0; query_block && i < json_object_array_length(query_block); i++) {
                json_object *b = json_object_array_get_idx(query_block, i), *v, *ins;
                const char *qdev = json_object_object_get_ex(b, "qdev", &v) ? json_object_get_string(v) : "";
                if ((strstr(qdev, want) || strcmp(qdev, alias) == 0) && json_object_object_get_ex(b, "inserted", &ins))
                        return ins;
        }
        return NULL;
}

const char *qemu_block_inserted_node(json_object *inserted) {
        json_object *v;
        return inserted && json_object_object_get_ex(inserted, "node-name", &v) ? json_object_get_string(v) : NULL;
}

bool qemu_block_has_bitmap(json_object *inserted, const char *name) {
        json_object *list, *v;
        if (!inserted || !json_object_object_get_ex(inserted, "dirty-bitmaps", &list))
                return false;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                json_object *b = json_object_array_get_idx(list, i);
                if (json_object_object_get_ex(b, "name", &v) && strcmp(json_object_get_string(v), name) == 0)
                        return true;
        }
        return false;
}
