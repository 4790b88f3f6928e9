/* qemu-cpu.c: virConnectCompareCPU and virConnectBaselineCPU (and their hypervisor variants, against QEMU's "max" CPU under TCG) on QEMU connections: CPU models' features as QEMU expands them (qemu-caps-cpu.c), the host's from /proc/cpuinfo. */
#define LOG_MODULE "qemu"
#include "qemu-priv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu-conf.h"
#include "qemu-caps-cpu.h"
#include "xml-util.h"

/* A set of QEMU feature names. */
typedef struct FeatureSet {
        char **v;
        size_t n, cap;
} FeatureSet;

static void set_clear(FeatureSet *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
        *s = (FeatureSet) { 0 };
}

static bool set_has(const FeatureSet *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], name) == 0)
                        return true;
        return false;
}

static int set_add(FeatureSet *s, const char *name) {
        if (set_has(s, name))
                return 0;
        if (s->n == s->cap) {
                size_t cap = s->cap ? s->cap * 2 : 64;
                char **v = realloc(s->v, cap * sizeof *v);
                if (!v)
                        return -ENOMEM;
                s->v = v, s->cap = cap;
        }
        if (!(s->v[s->n] = strdup(name)))
                return -ENOMEM;
        s->n++;
        return 0;
}

static void set_remove(FeatureSet *s, const char *name) {
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], name) == 0) {
                        free(s->v[i]);
                        s->v[i] = s->v[--s->n];
                        return;
                }
}

static bool set_json_has(json_object *list, const char *name) {
        for (size_t i = 0; list && i < json_object_array_length(list); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(list, i)), name) == 0)
                        return true;
        return false;
}

static int set_add_json(FeatureSet *s, json_object *list) {
        for (size_t i = 0; list && i < json_object_array_length(list); i++)
                if (set_add(s, json_object_get_string(json_object_array_get_idx(list, i))) < 0)
                        return -ENOMEM;
        return 0;
}

static int cmp_name(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names where libvirt, Linux and QEMU differ beyond '_' against '-'. */
static const struct {
        const char *libvirt, *qemu;
} renames[] = {
        { "lahf_lm", "lahf-lm" },
        { "cmp_legacy", "cmp-legacy" },
        { "fxsr_opt", "fxsr-opt" },
        { "ds_cpl", "ds-cpl" },
        { "tsc_adjust", "tsc-adjust" },
        { "perfctr_core", "perfctr-core" },
        { "perfctr_nb", "perfctr-nb" },
        { "nodeid_msr", "nodeid-msr" },
        { "pclmuldq", "pclmulqdq" },
};
static const struct {
        const char *linux_name, *qemu;
} linux_renames[] = {
        { "sse4_1", "sse4.1" },
        { "sse4_2", "sse4.2" },
        { "tsc_deadline_timer", "tsc-deadline" },
        { "cr8_legacy", "cr8legacy" },
        { "avx512_vbmi2", "avx512vbmi2" },
        { "avx512_vnni", "avx512vnni" },
        { "avx512_bitalg", "avx512bitalg" },
};

/* A name as libvirt, Linux or QEMU writes it → QEMU's, in out. */
static void qemu_feature_name(const char *name, char *out, size_t size) {
        for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
                if (strcmp(name, renames[i].libvirt) == 0) {
                        snprintf(out, size, "%s", renames[i].qemu);
                        return;
                }
        for (size_t i = 0; i < sizeof linux_renames / sizeof linux_renames[0]; i++)
                if (strcmp(name, linux_renames[i].linux_name) == 0) {
                        snprintf(out, size, "%s", linux_renames[i].qemu);
                        return;
                }
        snprintf(out, size, "%s", name);
        for (char *p = out; *p; p++)
                if (*p == '_')
                        *p = '-';
}

static const char *libvirt_feature_name(const char *qemu) {
        for (size_t i = 0; i < sizeof renames / sizeof renames[0]; i++)
                if (strcmp(qemu, renames[i].qemu) == 0)
                        return renames[i].libvirt;
        return qemu;
}

static QemuCaps *cpu_caps(Connection *c, VbError *err) {
        QemuConn *qc = qemu_conn_of(c);
        const char *binary = qc->cfg.emulator ? qc->cfg.emulator : QEMU_EMULATOR_DEFAULT;
        QemuCaps *caps = qemu_caps_cache_lookup(qc->caps, binary);
        if (!caps || !qemu_caps_cpu_model_features(caps, QEMU_CAPS_CPU_ALL_FEATURES)) {
                vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_QEMU, "CPU models of %s %s", binary,
                             caps ? "are not known" : qc->probing ? "not probed yet" : "cannot be probed");
                return NULL;
        }
        return caps;
}

/* The host's CPU vendor ("Intel", "AMD") and features (QEMU's names) from /proc/cpuinfo. */
static int host_cpu(const QemuCaps *caps, char *vendor, size_t vsize, FeatureSet *out, VbError *err) {
        FILE *f = fopen("/proc/cpuinfo", "re");
        if (!f)
                return vb_error_errno(err, -errno, "/proc/cpuinfo");
        json_object *all = qemu_caps_cpu_model_features(caps, QEMU_CAPS_CPU_ALL_FEATURES);
        char line[8192];
        bool flags = false;
        *vendor = '\0';
        while (!flags && fgets(line, sizeof line, f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                if (strncmp(line, "vendor_id", 9) == 0 && !*vendor)
                        snprintf(vendor, vsize, "%s", strstr(colon, "GenuineIntel") ? "Intel" :
                                 strstr(colon, "AuthenticAMD") ? "AMD" : strstr(colon, "HygonGenuine") ? "Hygon" : "");
                if (strncmp(line, "flags", 5) != 0)
                        continue;
                flags = true;
                char *save = NULL;
                for (char *w = strtok_r(colon + 1, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
                        char name[64];
                        qemu_feature_name(w, name, sizeof name);
                        if (set_json_has(all, name) && set_add(out, name) < 0) {
                                fclose(f);
                                return vb_error_errno(err, -ENOMEM, "host CPU features");
                        }
                }
        }
        fclose(f);
        return 0;
}

/* A <cpu>'s features: its model's as QEMU expands it, plus those it asks for, minus those it
 * turns off; refused are models and features QEMU does not know. */
static int cpu_features(const QemuCaps *caps, const CpuDef *def, FeatureSet *out, VbError *err) {
        json_object *all = qemu_caps_cpu_model_features(caps, QEMU_CAPS_CPU_ALL_FEATURES);
        if (def->model) {
                json_object *model = qemu_caps_cpu_model_features(caps, def->model);
                if (!model || strcmp(def->model, QEMU_CAPS_CPU_ALL_FEATURES) == 0)
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_CPU, "Unknown CPU model %s", def->model);
                if (set_add_json(out, model) < 0)
                        return vb_error_errno(err, -ENOMEM, "CPU features");
        }
        for (size_t i = 0; i < def->n_features; i++) {
                char name[64];
                qemu_feature_name(def->features[i].name, name, sizeof name);
                if (!set_json_has(all, name))
                        return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_CPU, "Unknown CPU feature %s",
                                            def->features[i].name);
                if (cpu_def_feature_wanted(&def->features[i])) {
                        if (set_add(out, name) < 0)
                                return vb_error_errno(err, -ENOMEM, "CPU features");
                } else if (strcmp(def->features[i].policy, "optional") != 0) {
                        set_remove(out, name);
                }
        }
        return 0;
}

/* xml against the CPU with features host (vendor: "" when any): 0 incompatible, 1 identical,
 * 2 superset, or -1. */
static int compare_with(const QemuCaps *caps, const char *vendor, const FeatureSet *host, const char *xml,
                        VbError *err) {
        CpuDef *def = cpu_def_parse(xml, strlen(xml), err);
        if (!def)
                return -1;
        FeatureSet guest = { 0 };
        int r = 0;
        if (def->mode && strcmp(def->mode, "custom") != 0) {
                r = 1;          /* host-model, host-passthrough, maximum: the host's own CPU */
        } else if (!def->model) {
                r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "no guest CPU model specified");
        } else if (cpu_features(caps, def, &guest, err) == 0) {
                bool incompatible = (def->arch && strcmp(def->arch, caps->arch) != 0) ||
                                    (def->vendor && *vendor && strcmp(def->vendor, vendor) != 0);
                for (size_t i = 0; i < guest.n && !incompatible; i++)
                        incompatible = !set_has(host, guest.v[i]);
                for (size_t i = 0; i < def->n_features && !incompatible; i++) {
                        char name[64];
                        qemu_feature_name(def->features[i].name, name, sizeof name);
                        incompatible = def->features[i].policy && strcmp(def->features[i].policy, "forbid") == 0 &&
                                       set_has(host, name);
                }
                r = incompatible ? 0 : guest.n == host->n ? 1 : 2;
        } else {
                r = -1;
        }
        set_clear(&guest);
        cpu_def_free(def);
        return r;
}

int qemu_compare_cpu(Connection *c, const char *xml, unsigned flags, VbError *err) {
        QemuCaps *caps = cpu_caps(c, err);
        if (!caps)
                return -1;
        FeatureSet host = { 0 };
        char vendor[16];
        int r = host_cpu(caps, vendor, sizeof vendor, &host, err);
        if (r == 0)
                r = compare_with(caps, vendor, &host, xml, err);
        set_clear(&host);
        return r;
}

/* The CPU the hypervisor gives guests: QEMU's "max" model under the accelerator hv names (its
 * features as the probe expanded them). */
static QemuCaps *hypervisor_cpu(Connection *c, const HypervisorCpu *hv, FeatureSet *out, VbError *err) {
        QemuCaps *caps = qemu_caps_for(c, hv->emulator, hv->arch, err);
        QemuAccel accel;
        const QemuMachine *m = NULL;
        if (!caps || qemu_caps_resolve(caps, hv->virttype, hv->machine, &accel, &m, err) < 0)
                return NULL;
        json_object *max = qemu_caps_cpu_model_features(caps, "max");
        if (accel != QEMU_ACCEL_TCG || !max || !qemu_caps_cpu_model_features(caps, QEMU_CAPS_CPU_ALL_FEATURES)) {
                vb_error_set(err, VB_ERR_OPERATION_UNSUPPORTED, VB_FROM_QEMU,
                             "QEMU '%s' does not support reporting CPU model for virttype '%s'", caps->binary,
                             accel == QEMU_ACCEL_KVM ? "kvm" : "qemu");
                return NULL;
        }
        if (set_add_json(out, max) < 0) {
                vb_error_errno(err, -ENOMEM, "hypervisor CPU");
                return NULL;
        }
        return caps;
}

int qemu_compare_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *xml, unsigned flags,
                                VbError *err) {
        FeatureSet host = { 0 };
        QemuCaps *caps = hypervisor_cpu(c, hv, &host, err);
        int r = caps ? compare_with(caps, "", &host, xml, err) : -1;
        set_clear(&host);
        return r;
}

/* The largest of QEMU's models (libvirt's unversioned names; usable ones under TCG only when
 * usable_only) that all of common has. */
static const char *baseline_model(const QemuCaps *caps, const FeatureSet *common, bool usable_only) {
        const char *best = NULL;
        size_t best_n = 0;
        for (size_t i = 0; i < caps->n_cpus[QEMU_ACCEL_TCG]; i++) {
                const char *name = caps->cpus[QEMU_ACCEL_TCG][i].name;
                const char *v = strrchr(name, '-');
                if ((v && v[1] == 'v' && v[2] >= '0' && v[2] <= '9') || strcmp(name, "base") == 0 ||
                    strcmp(name, "host") == 0 || strcmp(name, "max") == 0 ||
                    (usable_only && !caps->cpus[QEMU_ACCEL_TCG][i].usable))
                        continue;
                json_object *list = qemu_caps_cpu_model_features(caps, name);
                size_t n = list ? json_object_array_length(list) : 0;
                bool fits = list != NULL;
                for (size_t k = 0; k < n && fits; k++)
                        fits = set_has(common, json_object_get_string(json_object_array_get_idx(list, k)));
                if (fits && (!best || n > best_n))
                        best = name, best_n = n;
        }
        return best;
}

static char *baseline_format(const char *model, const char *fallback, const char *vendor, const FeatureSet *f,
                             json_object *model_features, VbError *err) {
        XmlBuf b = { 0 };
        char **names = f->n ? calloc(f->n, sizeof *names) : NULL;
        size_t n = 0;
        for (size_t i = 0; i < f->n; i++)
                if (names && !set_json_has(model_features, f->v[i]))
                        names[n++] = (char *) libvirt_feature_name(f->v[i]);
        if (f->n && !names) {
                vb_error_errno(err, -ENOMEM, "baseline CPU");
                return NULL;
        }
        qsort(names, n, sizeof *names, cmp_name);
        xml_buf_printf(&b, "<cpu mode='custom' match='exact'>\n");
        xml_buf_printf(&b, "  <model fallback='%s'>", fallback);
        xml_buf_escape(&b, model);
        xml_buf_printf(&b, "</model>\n");
        if (vendor && *vendor) {
                xml_buf_printf(&b, "  <vendor>");
                xml_buf_escape(&b, vendor);
                xml_buf_printf(&b, "</vendor>\n");
        }
        for (size_t i = 0; i < n; i++) {
                xml_buf_printf(&b, "  <feature policy='require' name='");
                xml_buf_escape(&b, names[i]);
                xml_buf_printf(&b, "'/>\n");
        }
        xml_buf_printf(&b, "</cpu>\n");
        free(names);
        char *s = xml_buf_steal(&b);
        if (!s)
                vb_error_errno(err, -ENOMEM, "baseline CPU");
        return s;
}

/* The baseline of n CPUs; with hv (the hypervisor's features), only what it provides and its
 * usable models. */
static char *baseline_with(const QemuCaps *caps, const char *const *xmls, size_t n, unsigned flags,
                           const FeatureSet *hv, VbError *err) {
        FeatureSet common = { 0 };
        char vendor[32] = "";
        const char *model = NULL;
        char *keep_model = NULL, *out = NULL;
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                CpuDef *def = cpu_def_parse(xmls[i], strlen(xmls[i]), err);
                FeatureSet f = { 0 };
                if (!def) {
                        r = -1;
                } else if (def->mode) {
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_CPU,
                                         "Attribute mode is only allowed for guest CPU");
                } else if (!def->model) {
                        r = vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_CPU, "no CPU model specified");
                } else if (cpu_features(caps, def, &f, err) < 0) {
                        r = -1;
                } else if (i == 0) {
                        snprintf(vendor, sizeof vendor, "%s", def->vendor ? def->vendor : "");
                        keep_model = strdup(def->model);
                        common = f, f = (FeatureSet) { 0 };
                } else {
                        if (!def->vendor || strcmp(def->vendor, vendor) != 0)
                                vendor[0] = '\0';
                        for (size_t k = common.n; k-- > 0;)
                                if (!set_has(&f, common.v[k]))
                                        set_remove(&common, common.v[k]);
                }
                set_clear(&f);
                cpu_def_free(def);
        }
        for (size_t k = common.n; r == 0 && hv && k-- > 0;)
                if (!set_has(hv, common.v[k]))
                        set_remove(&common, common.v[k]);
        if (r == 0) {
                /* One CPU is its own baseline (libvirt keeps its model and forbids a fallback). */
                model = n == 1 && !hv ? keep_model : baseline_model(caps, &common, hv != NULL);
                if (!model)
                        vb_error_set(err, VB_ERR_OPERATION_FAILED, VB_FROM_CPU,
                                     "no CPU model of %s fits the common features", caps->binary);
                else
                        out = baseline_format(model, n == 1 ? "forbid" : "allow", vendor, &common,
                                              (flags & QEMU_BASELINE_EXPAND_FEATURES) ? NULL
                                              : qemu_caps_cpu_model_features(caps, model), err);
        }
        free(keep_model);
        set_clear(&common);
        return out;
}

char *qemu_baseline_cpu(Connection *c, const char *const *xmls, size_t n, unsigned flags, VbError *err) {
        QemuCaps *caps = cpu_caps(c, err);
        return caps ? baseline_with(caps, xmls, n, flags, NULL, err) : NULL;
}

char *qemu_baseline_hypervisor_cpu(Connection *c, const HypervisorCpu *hv, const char *const *xmls, size_t n,
                                   unsigned flags, VbError *err) {
        FeatureSet max = { 0 };
        QemuCaps *caps = hypervisor_cpu(c, hv, &max, err);
        char *out = caps ? baseline_with(caps, xmls, n, flags, &max, err) : NULL;
        set_clear(&max);
        return out;
}
