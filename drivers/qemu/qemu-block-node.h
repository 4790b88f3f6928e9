/* qemu-block-node.h: reading QEMU's query-block answer: a device's inserted medium, the node it writes to, its dirty bitmaps. */
#pragma once

#include <stdbool.h>
#include <json-c/json.h>

/* The "inserted" object of the device whose qdev path holds /alias/ (or is alias), or NULL. */
json_object *qemu_block_find_inserted(json_object *query_block, const char *alias);
/* Its node-name (the top of the chain the device writes to), or NULL. */
const char *qemu_block_inserted_node(json_object *inserted);
/* Does the top node carry the dirty bitmap name? */
bool qemu_block_has_bitmap(json_object *inserted, const char *name);
