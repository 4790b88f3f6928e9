/* domain-sections.c: the <domain> sections outside <devices>: cputune, sysinfo, os, features, cpu, clock, pm, seclabel. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define YESNO xml_values_yes_no
#define ONOFF xml_values_on_off

static const XmlField cputune_fields[] = {
        { "shares", NULL, XF_UINT, offsetof(DomainCputune, shares), NULL },
        { "period", NULL, XF_UINT, offsetof(DomainCputune, period), NULL },
        { "quota", NULL, XF_INT, offsetof(DomainCputune, quota), NULL },
        { "vcpupin", NULL, XF_KNOWN, 0, NULL },
        { "emulatorpin", "cpuset", XF_STR, offsetof(DomainCputune, emulatorpin), NULL },
        { "iothreadpin", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField vcpupin_fields[] = {
        { NULL, "vcpu", XF_UINT, offsetof(DomainVcpuPin, vcpu), NULL },
        { NULL, "cpuset", XF_STR, offsetof(DomainVcpuPin, cpuset), NULL },
};

static const char *const sysinfo_groups[] = { "bios", "system", "baseBoard", "chassis", "oemStrings", NULL };

static const XmlField sysinfo_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainSysinfo, type), ENUM("smbios", "fwcfg") },
};

static const XmlField entry_fields[] = {
        { NULL, "name", XF_STR, offsetof(DomainSysinfoEntry, name), NULL },
        { NULL, NULL, XF_STR, offsetof(DomainSysinfoEntry, value), NULL },
};

static const XmlField os_fields[] = {
        { NULL, "firmware", XF_ENUM, offsetof(DomainOs, firmware), ENUM("bios", "efi") },
        { "type", "arch", XF_STR, offsetof(DomainOs, arch), NULL },
        { "type", "machine", XF_STR, offsetof(DomainOs, machine), NULL },
        { "type", NULL, XF_STR, offsetof(DomainOs, type), NULL },
        { "loader", "readonly", XF_ENUM, offsetof(DomainOs, loader_readonly), YESNO },
        { "loader", "secure", XF_ENUM, offsetof(DomainOs, loader_secure), YESNO },
        { "loader", "type", XF_ENUM, offsetof(DomainOs, loader_type), ENUM("rom", "pflash") },
        { "loader", NULL, XF_STR, offsetof(DomainOs, loader), NULL },
        { "nvram", "template", XF_STR, offsetof(DomainOs, nvram_template), NULL },
        { "nvram", NULL, XF_STR, offsetof(DomainOs, nvram), NULL },
        { "kernel", NULL, XF_STR, offsetof(DomainOs, kernel), NULL },
        { "initrd", NULL, XF_STR, offsetof(DomainOs, initrd), NULL },
        { "cmdline", NULL, XF_STR, offsetof(DomainOs, cmdline), NULL },
        { "dtb", NULL, XF_STR, offsetof(DomainOs, dtb), NULL },
        { "boot", NULL, XF_KNOWN, 0, NULL },
        { "bootmenu", "enable", XF_ENUM, offsetof(DomainOs, bootmenu_enable), YESNO },
        { "smbios", "mode", XF_ENUM, offsetof(DomainOs, smbios_mode), ENUM("emulate", "host", "sysinfo") },
};

static const char *const boot_devices[] = { "fd", "hd", "cdrom", "network", NULL };

static const XmlField features_fields[] = {
        { "acpi", NULL, XF_FLAG, offsetof(DomainFeatures, acpi), NULL },
        { "apic", NULL, XF_FLAG, offsetof(DomainFeatures, apic), NULL },
        { "pae", NULL, XF_FLAG, offsetof(DomainFeatures, pae), NULL },
        { "vmport", "state", XF_ENUM, offsetof(DomainFeatures, vmport_state), ONOFF },
        { "smm", "state", XF_ENUM, offsetof(DomainFeatures, smm_state), ONOFF },
};

static const XmlField cpu_fields[] = {
        { NULL, "mode", XF_ENUM, offsetof(DomainCpu, mode),
          ENUM("custom", "host-model", "host-passthrough", "maximum") },
        { NULL, "match", XF_ENUM, offsetof(DomainCpu, match), ENUM("minimum", "exact", "strict") },
        { NULL, "check", XF_ENUM, offsetof(DomainCpu, check), ENUM("none", "partial", "full") },
        { NULL, "migratable", XF_ENUM, offsetof(DomainCpu, migratable), ONOFF },
        { "model", "fallback", XF_ENUM, offsetof(DomainCpu, model_fallback), ENUM("allow", "forbid") },
        { "model", NULL, XF_STR, offsetof(DomainCpu, model), NULL },
        { "vendor", NULL, XF_STR, offsetof(DomainCpu, vendor), NULL },
        { "topology", "sockets", XF_UINT, offsetof(DomainCpu, sockets), NULL },
        { "topology", "dies", XF_UINT, offsetof(DomainCpu, dies), NULL },
        { "topology", "cores", XF_UINT, offsetof(DomainCpu, cores), NULL },
        { "topology", "threads", XF_UINT, offsetof(DomainCpu, threads), NULL },
        { "feature", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField cpu_feature_fields[] = {
        { NULL, "policy", XF_ENUM, offsetof(DomainCpuFeature, policy),
          ENUM("force", "require", "optional", "disable", "forbid") },
        { NULL, "name", XF_STR, offsetof(DomainCpuFeature, name), NULL },
};

static const XmlField clock_fields[] = {
        { NULL, "offset", XF_ENUM, offsetof(DomainClock, offset),
          ENUM("utc", "localtime", "timezone", "variable", "absolute") },
        { NULL, "timezone", XF_STR, offsetof(DomainClock, timezone), NULL },
        { NULL, "adjustment", XF_STR, offsetof(DomainClock, adjustment), NULL },
        { NULL, "basis", XF_ENUM, offsetof(DomainClock, basis), ENUM("utc", "localtime") },
        { "timer", NULL, XF_KNOWN, 0, NULL },
};

static const XmlField timer_fields[] = {
        { NULL, "name", XF_ENUM, offsetof(DomainTimer, name),
          ENUM("platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock", "armvtimer") },
        { NULL, "present", XF_ENUM, offsetof(DomainTimer, present), YESNO },
        { NULL, "tickpolicy", XF_ENUM, offsetof(DomainTimer, tickpolicy),
          ENUM("delay", "catchup", "merge", "discard") },
        { NULL, "track", XF_ENUM, offsetof(DomainTimer, track), ENUM("boot", "guest", "wall", "realtime") },
};

static const XmlField pm_fields[] = {
        { "suspend-to-mem", "enabled", XF_ENUM, offsetof(DomainPm, suspend_to_mem), YESNO },
        { "suspend-to-disk", "enabled", XF_ENUM, offsetof(DomainPm, suspend_to_disk), YESNO },
};

static const XmlField seclabel_fields[] = {
        { NULL, "type", XF_ENUM, offsetof(DomainSeclabel, type), ENUM("dynamic", "static", "none") },
        { NULL, "model", XF_STR, offsetof(DomainSeclabel, model), NULL },
        { NULL, "relabel", XF_ENUM, offsetof(DomainSeclabel, relabel), YESNO },
        { "label", NULL, XF_STR, offsetof(DomainSeclabel, label), NULL },
        { "imagelabel", NULL, XF_STR, offsetof(DomainSeclabel, imagelabel), NULL },
        { "baselabel", NULL, XF_STR, offsetof(DomainSeclabel, baselabel), NULL },
};

static int sections_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

/* Parse every <name> child of node into a growing array of structs described by t. */
static int sections_parse_list(xmlNodePtr node, const char *name, const XmlField *t, size_t n,
                               void *array_ptr, size_t *count, size_t size, unsigned flags,
                               VbError *err) {
        for (xmlNodePtr c = xml_node_child(node, name); c; c = xml_node_next_same(c)) {
                void *item = conf_array_add(array_ptr, count, size);
                if (!item)
                        return sections_oom(err);
                if (xml_fields_parse(c, t, n, item, flags, err) < 0)
                        return -1;
        }
        return 0;
}

static int sections_parse_sysinfo(DomainSysinfo *s, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(node, (const char *const[]) { "type", NULL }, sysinfo_groups, err) < 0)
                return -1;
        if (xml_fields_parse(node, sysinfo_fields, 1, s, 0, err) < 0)
                return -1;
        if (!s->type && conf_strdup(&s->type, "smbios") < 0)
                return sections_oom(err);
        for (xmlNodePtr g = xml_node_child(node, NULL); g; g = g->next) {
                if (g->type != XML_ELEMENT_NODE)
                        continue;
                bool known = false;
                for (size_t i = 0; sysinfo_groups[i] && !known; i++)
                        known = xmlStrEqual(g->name, BAD_CAST sysinfo_groups[i]);
                if (!known)
                        continue;
                DomainSysinfoGroup *grp = conf_array_add(&s->groups, &s->n_groups, sizeof *grp);
                if (!grp || conf_strdup(&grp->name, (const char *) g->name) < 0)
                        return sections_oom(err);
                if ((flags & XML_FIELDS_VALIDATE) &&
                    xml_check_known(g, NULL, (const char *const[]) { "entry", NULL }, err) < 0)
                        return -1;
                if (sections_parse_list(g, "entry", entry_fields, XML_N(entry_fields),
                                        &grp->entries, &grp->n_entries, sizeof(DomainSysinfoEntry),
                                        flags, err) < 0)
                        return -1;
        }
        return 0;
}

static int sections_parse_os(DomainDef *def, xmlNodePtr node, unsigned flags, VbError *err) {
        DomainOs *os = &def->priv->os;
        if (node && xml_fields_parse(node, os_fields, XML_N(os_fields), os, flags, err) < 0)
                return -1;
        /* The type lives in the public part, where the core reads it. */
        def->os_type = os->type;
        os->type = NULL;
        if (!def->os_type || !def->os_type[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "an os <type> must be specified");
        for (xmlNodePtr b = xml_node_child(node, "boot"); b; b = xml_node_next_same(b)) {
                if ((flags & XML_FIELDS_VALIDATE) &&
                    xml_check_known(b, (const char *const[]) { "dev", NULL }, NULL, err) < 0)
                        return -1;
                char *dev = xml_node_prop(b, "dev");
                bool ok = false;
                for (size_t i = 0; dev && boot_devices[i] && !ok; i++)
                        ok = strcmp(dev, boot_devices[i]) == 0;
                if (!ok) {
                        int r = xml_error_attr(err, b, "dev", dev, NULL);
                        free(dev);
                        return r;
                }
                char **slot = conf_array_add(&os->boot_devs, &os->n_boot_devs, sizeof(char *));
                if (!slot) {
                        free(dev);
                        return sections_oom(err);
                }
                *slot = dev;
        }
        return 0;
}

/* libvirt boots a full-virt guest from its first disk when nothing else says how to boot. */
static int sections_default_boot(DomainDef *def, VbError *err) {
        DomainOs *os = &def->priv->os;
        const DomainDevices *d = &def->priv->devices;
        if (strcmp(def->os_type, "hvm") != 0 || os->n_boot_devs || os->kernel)
                return 0;
        for (size_t i = 0; i < d->n_disks; i++)
                if (d->disks[i].boot_order.set)
                        return 0;
        for (size_t i = 0; i < d->n_interfaces; i++)
                if (d->interfaces[i].boot_order.set)
                        return 0;
        char **slot = conf_array_add(&os->boot_devs, &os->n_boot_devs, sizeof(char *));
        if (!slot || conf_strdup(slot, "hd") < 0)
                return sections_oom(err);
        return 0;
}

int domain_sections_parse(DomainDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        DomainDefPrivate *p = def->priv;
        xmlNodePtr n;
        if ((n = xml_node_child(root, "cputune"))) {
                if (xml_fields_parse(n, cputune_fields, XML_N(cputune_fields), &p->cputune, flags, err) < 0 ||
                    sections_parse_list(n, "vcpupin", vcpupin_fields, XML_N(vcpupin_fields),
                                        &p->cputune.vcpupins, &p->cputune.n_vcpupins,
                                        sizeof(DomainVcpuPin), flags, err) < 0)
                        return -1;
        }
        if ((n = xml_node_child(root, "sysinfo")) && sections_parse_sysinfo(&p->sysinfo, n, flags, err) < 0)
                return -1;
        if (sections_parse_os(def, xml_node_child(root, "os"), flags, err) < 0)
                return -1;
        if ((n = xml_node_child(root, "features")) &&
            xml_fields_parse(n, features_fields, XML_N(features_fields), &p->features, flags, err) < 0)
                return -1;
        if ((n = xml_node_child(root, "cpu"))) {
                if (xml_fields_parse(n, cpu_fields, XML_N(cpu_fields), &p->cpu, flags, err) < 0 ||
                    sections_parse_list(n, "feature", cpu_feature_fields, XML_N(cpu_feature_fields),
                                        &p->cpu.features, &p->cpu.n_features,
                                        sizeof(DomainCpuFeature), flags, err) < 0)
                        return -1;
        }
        if ((n = xml_node_child(root, "clock"))) {
                if (xml_fields_parse(n, clock_fields, XML_N(clock_fields), &p->clock, flags, err) < 0 ||
                    sections_parse_list(n, "timer", timer_fields, XML_N(timer_fields),
                                        &p->clock.timers, &p->clock.n_timers, sizeof(DomainTimer),
                                        flags, err) < 0)
                        return -1;
        }
        if ((n = xml_node_child(root, "pm")) &&
            xml_fields_parse(n, pm_fields, XML_N(pm_fields), &p->pm, flags, err) < 0)
                return -1;
        if (sections_parse_list(root, "seclabel", seclabel_fields, XML_N(seclabel_fields),
                                &p->seclabels, &p->n_seclabels, sizeof(DomainSeclabel), flags, err) < 0)
                return -1;
        return sections_default_boot(def, err);
}

/* ---- format ---- */

static void sections_format_list(XmlBuf *c, const char *name, const XmlField *t, size_t n,
                                 const void *array, size_t count, size_t size) {
        for (size_t i = 0; i < count; i++)
                xml_fields_format(c, name, t, n, (const char *) array + i * size, NULL);
}

static void sections_hook(XmlBuf *c, const char *child, const void *obj) {
        if (strcmp(child, "vcpupin") == 0) {
                const DomainCputune *t = obj;
                sections_format_list(c, "vcpupin", vcpupin_fields, XML_N(vcpupin_fields),
                                     t->vcpupins, t->n_vcpupins, sizeof(DomainVcpuPin));
        } else if (strcmp(child, "iothreadpin") == 0) {
                domain_iothreadpins_format(c, obj);
        } else if (strcmp(child, "boot") == 0) {
                const DomainOs *os = obj;
                for (size_t i = 0; i < os->n_boot_devs; i++) {
                        xml_buf_open(c, "boot");
                        xml_buf_attr(c, "dev", os->boot_devs[i]);
                        xml_buf_puts(c, "/>\n");
                }
        } else if (strcmp(child, "feature") == 0) {
                const DomainCpu *cpu = obj;
                sections_format_list(c, "feature", cpu_feature_fields, XML_N(cpu_feature_fields),
                                     cpu->features, cpu->n_features, sizeof(DomainCpuFeature));
        } else if (strcmp(child, "timer") == 0) {
                const DomainClock *clock = obj;
                sections_format_list(c, "timer", timer_fields, XML_N(timer_fields), clock->timers,
                                     clock->n_timers, sizeof(DomainTimer));
        }
}

static void sections_format_sysinfo(XmlBuf *b, const DomainSysinfo *s) {
        if (!s->type)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t i = 0; i < s->n_groups; i++) {
                const DomainSysinfoGroup *g = &s->groups[i];
                XmlBuf e = XML_BUF_CHILD(&c);
                for (size_t j = 0; j < g->n_entries; j++) {
                        xml_buf_open(&e, "entry");
                        xml_buf_attr(&e, "name", g->entries[j].name);
                        xml_buf_puts(&e, ">");
                        xml_buf_escape(&e, g->entries[j].value);
                        xml_buf_puts(&e, "</entry>\n");
                }
                xml_buf_open(&c, g->name);
                xml_buf_close(&c, g->name, &e, false);
        }
        xml_buf_open(b, "sysinfo");
        xml_buf_attr(b, "type", s->type);
        xml_buf_close(b, "sysinfo", &c, false);
}

void domain_sections_format_head(XmlBuf *b, const DomainDef *def, unsigned flags) {
        const DomainDefPrivate *p = def->priv;
        if (xml_fields_any_set(cputune_fields, XML_N(cputune_fields), &p->cputune) ||
            p->cputune.n_vcpupins || p->cputune.n_iothreadpins)
                xml_fields_format(b, "cputune", cputune_fields, XML_N(cputune_fields), &p->cputune,
                                  sections_hook);
        domain_numatune_format(b, &p->numatune);
        sections_format_sysinfo(b, &p->sysinfo);

        DomainOs os = p->os;    /* shallow: only to show the public os_type through the table */
        os.type = def->os_type;
        xml_fields_format(b, "os", os_fields, XML_N(os_fields), &os, sections_hook);

        if (xml_fields_any_set(features_fields, XML_N(features_fields), &p->features))
                xml_fields_format(b, "features", features_fields, XML_N(features_fields),
                                  &p->features, NULL);
        if (xml_fields_any_set(cpu_fields, XML_N(cpu_fields), &p->cpu) || p->cpu.n_features)
                xml_fields_format(b, "cpu", cpu_fields, XML_N(cpu_fields), &p->cpu, sections_hook);

        DomainClock clock = p->clock;
        if (!clock.offset)
                clock.offset = (char *) "utc";
        xml_fields_format(b, "clock", clock_fields, XML_N(clock_fields), &clock, sections_hook);
}

void domain_sections_format_tail(XmlBuf *b, const DomainDef *def, unsigned flags) {
        const DomainDefPrivate *p = def->priv;
        if (xml_fields_any_set(pm_fields, XML_N(pm_fields), &p->pm))
                xml_fields_format(b, "pm", pm_fields, XML_N(pm_fields), &p->pm, NULL);
}

void domain_sections_format_seclabels(XmlBuf *b, const DomainDef *def, unsigned flags) {
        const DomainDefPrivate *p = def->priv;
        for (size_t i = 0; i < p->n_seclabels; i++) {
                DomainSeclabel s = p->seclabels[i];
                /* Labels chosen at start (a dynamic label, any image label) describe the
                 * running guest only; libvirt leaves them out of inactive XML. */
                if (flags & DOMAIN_FORMAT_INACTIVE) {
                        s.imagelabel = NULL;
                        if (s.type && strcmp(s.type, "dynamic") == 0)
                                s.label = NULL;
                }
                xml_fields_format(b, "seclabel", seclabel_fields, XML_N(seclabel_fields), &s, NULL);
        }
}

/* ---- free ---- */

static void sections_free_list(const XmlField *t, size_t n, void *array, size_t count, size_t size) {
        for (size_t i = 0; i < count; i++)
                xml_fields_free(t, n, (char *) array + i * size);
        free(array);
}

void domain_sections_free(DomainDefPrivate *p) {
        xml_fields_free(cputune_fields, XML_N(cputune_fields), &p->cputune);
        sections_free_list(vcpupin_fields, XML_N(vcpupin_fields), p->cputune.vcpupins,
                           p->cputune.n_vcpupins, sizeof(DomainVcpuPin));
        free(p->sysinfo.type);
        for (size_t i = 0; i < p->sysinfo.n_groups; i++) {
                DomainSysinfoGroup *g = &p->sysinfo.groups[i];
                for (size_t j = 0; j < g->n_entries; j++) {
                        free(g->entries[j].name);
                        free(g->entries[j].value);
                }
                free(g->entries);
                free(g->name);
        }
        free(p->sysinfo.groups);
        xml_fields_free(os_fields, XML_N(os_fields), &p->os);
        for (size_t i = 0; i < p->os.n_boot_devs; i++)
                free(p->os.boot_devs[i]);
        free(p->os.boot_devs);
        xml_fields_free(features_fields, XML_N(features_fields), &p->features);
        xml_fields_free(cpu_fields, XML_N(cpu_fields), &p->cpu);
        sections_free_list(cpu_feature_fields, XML_N(cpu_feature_fields), p->cpu.features,
                           p->cpu.n_features, sizeof(DomainCpuFeature));
        xml_fields_free(clock_fields, XML_N(clock_fields), &p->clock);
        sections_free_list(timer_fields, XML_N(timer_fields), p->clock.timers, p->clock.n_timers,
                           sizeof(DomainTimer));
        xml_fields_free(pm_fields, XML_N(pm_fields), &p->pm);
        sections_free_list(seclabel_fields, XML_N(seclabel_fields), p->seclabels, p->n_seclabels,
                           sizeof(DomainSeclabel));
}
