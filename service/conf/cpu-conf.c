/* cpu-conf.c: parse a standalone <cpu> (mode, match, arch, model, vendor, features with their policies) as virsh cpu-compare and cpu-baseline send it. */
#include "cpu-conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xml-util.h"

static const char *const policies[] = { "force", "require", "optional", "disable", "forbid", NULL };

CpuDef *cpu_def_free(CpuDef *def) {
        if (!def)
                return NULL;
        free(def->mode);
        free(def->match);
        free(def->arch);
        free(def->model);
        free(def->vendor);
        for (size_t i = 0; i < def->n_features; i++) {
                free(def->features[i].name);
                free(def->features[i].policy);
        }
        free(def->features);
        free(def);
        return NULL;
}

int cpu_def_feature_wanted(const CpuDefFeature *f) {
        return !f->policy || strcmp(f->policy, "force") == 0 || strcmp(f->policy, "require") == 0;
}

static int known_policy(const char *p) {
        for (size_t i = 0; policies[i]; i++)
                if (strcmp(p, policies[i]) == 0)
                        return 1;
        return 0;
}

static int parse_features(CpuDef *def, xmlNodePtr root, VbError *err) {
        size_t n = xml_node_count(root, "feature");
        if (n > CPU_DEF_FEATURES_MAX)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_CPU, "too many CPU features (%zu, at most %d)", n,
                                    CPU_DEF_FEATURES_MAX);
        if (n && !(def->features = calloc(n, sizeof *def->features)))
                return vb_error_errno(err, -ENOMEM, "CPU features");
        for (xmlNodePtr f = xml_node_child(root, "feature"); f; f = xml_node_next_same(f)) {
                CpuDefFeature *cf = &def->features[def->n_features++];
                cf->name = xml_node_prop(f, "name");
                cf->policy = xml_node_prop(f, "policy");
                if (!cf->name || !*cf->name)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_CPU, "Invalid CPU feature name");
                if (cf->policy && !known_policy(cf->policy))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_CPU,
                                            "Invalid CPU feature policy '%s'", cf->policy);
                for (size_t i = 0; i + 1 < def->n_features; i++)
                        if (strcmp(def->features[i].name, cf->name) == 0)
                                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_CPU,
                                                    "CPU feature '%s' specified more than once", cf->name);
        }
        return 0;
}

CpuDef *cpu_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "cpu", "CPU_definition", err);
        if (!doc)
                return NULL;
        CpuDef *def = calloc(1, sizeof *def);
        if (!def) {
                xmlFreeDoc(doc);
                vb_error_errno(err, -ENOMEM, "CPU definition");
                return NULL;
        }
        xmlNodePtr root = xmlDocGetRootElement(doc);
        def->mode = xml_node_prop(root, "mode");
        def->match = xml_node_prop(root, "match");
        def->arch = xml_strip(xml_child_text(root, "arch"));
        def->model = xml_strip(xml_child_text(root, "model"));
        def->vendor = xml_strip(xml_child_text(root, "vendor"));
        int r = parse_features(def, root, err);
        if (r == 0 && def->model && !*def->model)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_CPU, "Missing CPU model name");
        xmlFreeDoc(doc);
        return r < 0 ? cpu_def_free(def) : def;
}
