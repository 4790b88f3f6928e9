/* domain-conf.c: <domain> parse and format: the top-level elements, and the glue to sections, devices and metadata. */
#include "domain-conf.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"
#include "uuid.h"
#include "xml-util.h"

static const char *const domain_virt_types[] = {
        "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
        "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "ch", NULL,
};

static const char *const domain_lifecycle_actions[] = {
        "destroy", "restart", "rename-restart", "preserve", "coredump-destroy",
        "coredump-restart", NULL,
};

static const char *const domain_children[] = {
        "name", "uuid", "title", "description", "metadata", "memory", "currentMemory", "memtune", "vcpu",
        "cputune", "sysinfo", "os", "features", "cpu", "clock", "on_poweroff", "on_reboot",
        "on_crash", "pm", "devices", "seclabel",
        "blkiotune", "numatune", "iothreads", "iothreadids", "maxMemory",
        "perf", NULL,
};

static bool str_in(const char *s, const char *const *list) {
        for (size_t i = 0; s && list[i]; i++)
                if (strcmp(s, list[i]) == 0)
                        return true;
        return false;
}

static int domain_parse_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

typedef struct DomainVcpuAttrs {
        char *placement, *cpuset;
        ConfInt current;
} DomainVcpuAttrs;

static const XmlField domain_vcpu_fields[] = {
        { NULL, "placement", XF_ENUM, offsetof(DomainVcpuAttrs, placement),
          (const char *const[]) { "static", "auto", NULL } },
        { NULL, "cpuset", XF_STR, offsetof(DomainVcpuAttrs, cpuset), NULL },
        { NULL, "current", XF_UINT, offsetof(DomainVcpuAttrs, current), NULL },
};

static int domain_parse_vcpu(DomainDef *def, xmlNodePtr node, unsigned flags, VbError *err) {
        DomainVcpuAttrs v = { 0 };
        def->vcpus = 1;
        def->current_vcpus = 1;
        if (!node)
                return 0;
        if (xml_fields_parse(node, domain_vcpu_fields, XML_N(domain_vcpu_fields), &v, flags, err) < 0) {
                xml_fields_free(domain_vcpu_fields, XML_N(domain_vcpu_fields), &v);
                return -1;
        }
        def->priv->vcpu_placement = v.placement;
        def->priv->vcpu_cpuset = v.cpuset;
        char *text = xml_strip(xml_node_text(node));
        uint64_t max;
        bool ok = text && xml_parse_u64(text, &max) == 0 && max <= 16384;
        free(text);
        if (!ok)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "maximum vcpus count must be an integer");
        if (max == 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "maximum vcpus count must be greater than 0");
        def->vcpus = (unsigned) max;
        def->current_vcpus = v.current.set && v.current.v > 0 ? (unsigned) v.current.v : def->vcpus;
        if (v.current.set && v.current.v > (long long) max)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "maximum vCPU count must not be less than current vCPU count");
        return 0;
}

static int domain_parse_lifecycle(xmlNodePtr root, const char *name, char **out, VbError *err) {
        *out = xml_child_text(root, name);
        if (*out && !str_in(*out, domain_lifecycle_actions))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "unknown %s action: %s", name, *out);
        return 0;
}

static int domain_parse_identity(DomainDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        def->virt_type = xml_node_prop(root, "type");
        if (!def->virt_type)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                                    "missing domain type attribute");
        if (!str_in(def->virt_type, domain_virt_types))
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
                                    "invalid domain type %s", def->virt_type);
        /* Only a running domain has an id; a definition sent to be defined may come from
         * dumpxml of a running one, and libvirt ignores the id there too. */
        char *id = flags & DOMAIN_PARSE_STATUS ? xml_node_prop(root, "id") : NULL;
        if (id) {
                int64_t v;
                int r = xml_parse_i64(id, &v) < 0 || v < -1 || v > INT32_MAX
                        ? xml_error_attr(err, root, "id", id, "integer") : 0;
                free(id);
                if (r < 0)
                        return -1;
                def->id = (int) v;
        }
        def->name = xml_child_text(root, "name");
        if (!def->name || !def->name[0])
                return vb_error_set(err, VB_ERR_NO_NAME, VB_FROM_DOMAIN, NULL);
        if (strchr(def->name, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "name %s cannot contain '/'", def->name);
        char *uuid = xml_strip(xml_child_text(root, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->uuid) : uuid_generate(def->uuid);
        free(uuid);
        if (r == -EINVAL)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN,
                                    "malformed uuid element");
        if (r < 0)
                return vb_error_errno(err, r, "uuid_generate");
        def->title = xml_child_text(root, "title");
        if (def->title && strchr(def->title, '\n'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Domain title can't contain newlines");
        def->description = xml_child_text(root, "description");
        return 0;
}

static int domain_parse_root(DomainDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        if ((flags & DOMAIN_PARSE_VALIDATE) &&
            xml_check_known(root, (const char *const[]) { "type", "id", NULL }, domain_children,
                            err) < 0)
                return -1;
        if (domain_parse_identity(def, root, flags, err) < 0)
                return -1;
        xmlNodePtr meta = xml_node_child(root, "metadata");
        if (meta && domain_metadata_parse(def->priv, meta, err) < 0)
                return -1;

        xmlNodePtr mem = xml_node_child(root, "memory");
        if ((flags & DOMAIN_PARSE_VALIDATE) && mem &&
            xml_check_known(mem, (const char *const[]) { "unit", "dumpCore", NULL }, NULL, err) < 0)
                return -1;
        if (mem && domain_parse_memory(mem, &def->memory_kib, err) < 0)
                return -1;
        if (def->memory_kib == 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Memory size must be specified via <memory> or in the <numa> configuration");
        if (domain_max_memory_parse(def->priv, root, err) < 0)
                return -1;
        xmlNodePtr cur = xml_node_child(root, "currentMemory");
        def->current_memory_kib = def->memory_kib;
        if (cur && domain_parse_memory(cur, &def->current_memory_kib, err) < 0)
                return -1;
        /* libvirt clamps the balloon target to the maximum rather than refusing it. */
        if (def->current_memory_kib == 0 || def->current_memory_kib > def->memory_kib)
                def->current_memory_kib = def->memory_kib;

        unsigned fflags = flags & DOMAIN_PARSE_VALIDATE ? XML_FIELDS_VALIDATE : 0;
        xmlNodePtr memtune = xml_node_child(root, "memtune");
        if (memtune && domain_memtune_parse(&def->priv->memtune, memtune, fflags, err) < 0)
                return -1;
        xmlNodePtr perf = xml_node_child(root, "perf");
        if (perf && domain_perf_parse(def->priv->perf, perf, fflags, err) < 0)
                return -1;
        xmlNodePtr blkiotune = xml_node_child(root, "blkiotune"), numatune = xml_node_child(root, "numatune");
        if (blkiotune && domain_blkiotune_parse(&def->priv->blkiotune, blkiotune, fflags, err) < 0)
                return -1;
        if (numatune && domain_numatune_parse(&def->priv->numatune, numatune, fflags, err) < 0)
                return -1;
        if (domain_parse_vcpu(def, xml_node_child(root, "vcpu"), fflags, err) < 0)
                return -1;
        if (domain_parse_lifecycle(root, "on_poweroff", &def->on_poweroff, err) < 0 ||
            domain_parse_lifecycle(root, "on_reboot", &def->on_reboot, err) < 0 ||
            domain_parse_lifecycle(root, "on_crash", &def->on_crash, err) < 0)
                return -1;
        xmlNodePtr devices = xml_node_child(root, "devices");
        if (devices && domain_devices_parse(&def->priv->devices, devices, fflags, err) < 0)
                return -1;
        /* Sections last: the default boot device depends on per-device boot orders. */
        if (domain_sections_parse(def, root, fflags, err) < 0)
                return -1;
        return domain_iothreads_parse(def, root, err);
}

DomainDef *domain_def_parse_node(xmlNodePtr node, unsigned flags, VbError *err) {
        if (!node || node->type != XML_ELEMENT_NODE || !xmlStrEqual(node->name, BAD_CAST "domain")) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "expecting a <domain> element");
                return NULL;
        }
        DomainDef *def = calloc(1, sizeof *def);
        if (def)
                def->priv = calloc(1, sizeof *def->priv);
        if (!def || !def->priv) {
                free(def);
                domain_parse_oom(err);
                return NULL;
        }
        def->id = -1;
        if (domain_parse_root(def, node, flags, err) < 0)
                return domain_def_free(def);
        return def;
}

DomainDef *domain_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "domain", "domain_definition", err);
        if (!doc)
                return NULL;
        DomainDef *def = domain_def_parse_node(xmlDocGetRootElement(doc), flags, err);
        xmlFreeDoc(doc);
        return def;
}

static void domain_format_lifecycle(XmlBuf *b, const char *name, const char *value,
                                    const char *fallback) {
        xml_buf_text_element(b, name, value ? value : fallback);
}

char *domain_def_format(const DomainDef *def, unsigned flags) {
        if (!def || !def->priv)
                return NULL;
        const DomainDefPrivate *p = def->priv;
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "domain");
        xml_buf_attr(&b, "type", def->virt_type);
        if (def->id >= 0 && !(flags & DOMAIN_FORMAT_INACTIVE))
                xml_buf_attr_int(&b, "id", def->id);
        xml_buf_puts(&b, ">\n");
        b.indent = 1;

        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        xml_buf_text_element(&b, "name", def->name);
        xml_buf_text_element(&b, "uuid", uuid);
        xml_buf_text_element(&b, "title", def->title);
        xml_buf_text_element(&b, "description", def->description);
        domain_metadata_format(&b, p);
        domain_max_memory_format(&b, p);
        xml_buf_indent(&b);
        xml_buf_printf(&b, "<memory unit='KiB'>%llu</memory>\n",
                       (unsigned long long) def->memory_kib);
        xml_buf_indent(&b);
        xml_buf_printf(&b, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                       (unsigned long long) (def->current_memory_kib ? def->current_memory_kib
                                                                     : def->memory_kib));
        domain_blkiotune_format(&b, &p->blkiotune);
        domain_memtune_format(&b, &p->memtune);
        xml_buf_open(&b, "vcpu");
        xml_buf_attr(&b, "placement", p->vcpu_placement ? p->vcpu_placement : "static");
        xml_buf_attr(&b, "cpuset", p->vcpu_cpuset);
        if (def->current_vcpus && def->current_vcpus < def->vcpus)
                xml_buf_attr_uint(&b, "current", def->current_vcpus);
        xml_buf_printf(&b, ">%u</vcpu>\n", def->vcpus);
        domain_iothreads_format(&b, p);

        domain_sections_format_head(&b, def, flags);
        domain_format_lifecycle(&b, "on_poweroff", def->on_poweroff, "destroy");
        domain_format_lifecycle(&b, "on_reboot", def->on_reboot, "restart");
        domain_format_lifecycle(&b, "on_crash", def->on_crash, "destroy");
        domain_sections_format_tail(&b, def, flags);
        domain_perf_format(&b, p->perf);
        domain_devices_format(&b, &p->devices, flags);
        domain_sections_format_seclabels(&b, def, flags);
        b.indent = 0;
        xml_buf_puts(&b, "</domain>\n");
        return xml_buf_steal(&b);
}

/* Format and parse again: the round trip is tested to be a fixed point, so the copy is exact,
 * and there is no second deep-copy routine to keep in step with every new field. */
DomainDef *domain_def_copy(const DomainDef *def) {
        char *xml = domain_def_format(def, DOMAIN_FORMAT_SECURE);
        if (!xml)
                return NULL;
        DomainDef *copy = domain_def_parse(xml, strlen(xml), DOMAIN_PARSE_STATUS, NULL);
        free(xml);
        if (copy)
                copy->id = def->id;
        return copy;
}

DomainDef *domain_def_free(DomainDef *def) {
        if (!def)
                return NULL;
        free(def->virt_type);
        free(def->name);
        free(def->title);
        free(def->description);
        free(def->os_type);
        free(def->on_poweroff);
        free(def->on_reboot);
        free(def->on_crash);
        if (def->priv) {
                DomainDefPrivate *p = def->priv;
                if (p->metadata)
                        xmlFreeDoc(p->metadata);
                free(p->vcpu_placement);
                free(p->vcpu_cpuset);
                domain_sections_free(p);
                domain_iothreads_free(p);
                domain_blkio_numa_free(p);
                domain_devices_free(&p->devices);
                free(p);
        }
        free(def);
        return NULL;
}
