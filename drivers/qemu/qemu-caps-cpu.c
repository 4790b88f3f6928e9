/* qemu-caps-cpu.c: each CPU model's features as QEMU itself expands them (query-cpu-model-expansion, type static), asked during the capabilities probe and kept in its record. */
#define LOG_MODULE "qemu"
#include "qemu-caps-cpu.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define QEMU_CAPS_CPU_MODELS_MAX 512     /* QEMU 7.2 has about 130 x86 models and aliases */

typedef struct ExpandRequest {
        json_object *into;
        char *name;
        void (*one_done)(void *userdata);
        void *userdata;
} ExpandRequest;

static void expand_request_free(ExpandRequest *e) {
        json_object_put(e->into);
        free(e->name);
        free(e);
}

/* {"model": {"name": "base", "props": {"fpu": true, "vmx": false, …}}} → ["fpu", …], sorted;
 * all: every feature QEMU names, on or off. */
static json_object *features_on(json_object *ret, bool all) {
        json_object *model, *props;
        if (!json_object_object_get_ex(ret, "model", &model) || !json_object_object_get_ex(model, "props", &props) ||
            !json_object_is_type(props, json_type_object))
                return NULL;
        json_object *list = json_object_new_array();
        if (!list)
                return NULL;
        json_object_object_foreach(props, key, val)
                if (json_object_is_type(val, json_type_boolean) && (all || json_object_get_boolean(val)))
                        json_object_array_add(list, json_object_new_string(key));
        json_object_array_sort(list, qemu_caps_cpu_cmp_json);
        return list;
}

int qemu_caps_cpu_cmp_json(const void *a, const void *b) {
        return strcmp(json_object_get_string(*(json_object *const *) a), json_object_get_string(*(json_object *const *) b));
}

static void on_expansion(Qmp *q, json_object *ret, const char *cls, const char *desc, void *userdata) {
        ExpandRequest *e = userdata;
        if (!ret && cls && strcmp(cls, "Disconnected") == 0) {
                expand_request_free(e);     /* the probe's run is over; its exit decides */
                return;
        }
        json_object *list = ret ? features_on(ret, false) : NULL;
        if (list)
                json_object_object_add(e->into, e->name, list);
        if (list && !json_object_object_get_ex(e->into, QEMU_CAPS_CPU_ALL_FEATURES, NULL) &&
            (list = features_on(ret, true)))
                json_object_object_add(e->into, QEMU_CAPS_CPU_ALL_FEATURES, list);
        else
                log_debug("no expansion of CPU model %s: %s", e->name, desc ? desc : "unexpected reply");
        void (*one_done)(void *) = e->one_done;
        void *data = e->userdata;
        expand_request_free(e);
        one_done(data);
}

int qemu_caps_cpu_expand(Qmp *q, json_object *defs, json_object *into, void (*one_done)(void *userdata),
                         void *userdata) {
        if (!json_object_is_type(defs, json_type_array))
                return 0;
        size_t n = json_object_array_length(defs);
        if (n > QEMU_CAPS_CPU_MODELS_MAX)
                n = QEMU_CAPS_CPU_MODELS_MAX;
        int sent = 0;
        for (size_t i = 0; i < n; i++) {
                json_object *def = json_object_array_get_idx(defs, i), *name;
                if (!json_object_object_get_ex(def, "name", &name) || !json_object_get_string(name))
                        continue;
                ExpandRequest *e = calloc(1, sizeof *e);
                json_object *args = json_object_new_object(), *model = json_object_new_object();
                if (!e || !args || !model || !(e->name = strdup(json_object_get_string(name)))) {
                        free(e ? e->name : NULL);
                        free(e);
                        json_object_put(args);
                        json_object_put(model);
                        return sent > 0 ? sent : -1;
                }
                e->into = json_object_get(into);
                e->one_done = one_done;
                e->userdata = userdata;
                json_object_object_add(model, "name", json_object_new_string(e->name));
                json_object_object_add(args, "type", json_object_new_string("static"));
                json_object_object_add(args, "model", model);
                if (qmp_send(q, "query-cpu-model-expansion", args, on_expansion, e) < 0) {
                        expand_request_free(e);
                        return sent > 0 ? sent : -1;
                }
                sent++;
        }
        return sent;
}

json_object *qemu_caps_cpu_model_features(const QemuCaps *c, const char *model) {
        json_object *tcg, *exp, *list;
        if (!c->record || !json_object_object_get_ex(c->record, "tcg", &tcg) ||
            !json_object_object_get_ex(tcg, "cpu-model-expansion", &exp) ||
            !json_object_object_get_ex(exp, model, &list) || !json_object_is_type(list, json_type_array))
                return NULL;
        return list;
}
