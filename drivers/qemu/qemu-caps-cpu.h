/* qemu-caps-cpu.h: CPU models' features from QEMU's own static expansion, asked during the capabilities probe. */
#pragma once

#include <json-c/json.h>

#include "qemu-caps.h"
#include "qmp.h"

/* Ask q for the static expansion of each model of defs (query-cpu-definitions' reply); each
 * answer lands in into as name: [features on, sorted]. one_done(userdata) runs once for each
 * request answered (also when QEMU refuses one); not when the monitor goes away. Returns the
 * number of requests sent, or -1 when none could be. */
int qemu_caps_cpu_expand(Qmp *q, json_object *defs, json_object *into, void (*one_done)(void *userdata),
                         void *userdata);

/* Under this name (never a model's): every feature name QEMU knows. */
#define QEMU_CAPS_CPU_ALL_FEATURES "@all"

/* The features QEMU expands model to (borrowed JSON array of strings, sorted); NULL when the
 * probe has none for it. */
json_object *qemu_caps_cpu_model_features(const QemuCaps *c, const char *model);

/* strcmp of two json strings, for json_object_array_sort / bsearch. */
int qemu_caps_cpu_cmp_json(const void *a, const void *b);
