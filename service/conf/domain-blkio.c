/* domain-blkio.c: <blkiotune> (weight, per-device weight and throttles) and <numatune> (the memory nodes), the guest's blkio and cpuset cgroup settings. */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static const char *const blkiotune_children[] = { "weight", "device", NULL };
static const char *const device_children[] = { "path", "weight", "read_iops_sec", "write_iops_sec",
                                               "read_bytes_sec", "write_bytes_sec", NULL };

static int child_u64(xmlNodePtr node, const char *name, uint64_t max, uint64_t *out, VbError *err) {
        xmlNodePtr c = xml_node_child(node, name);
        if (!c)
                return 0;
        char *text = xml_strip(xml_node_text(c));
        uint64_t v = 0;
        int r = 0;
        if (!text || xml_parse_u64(text, &v) < 0 || v > max)
                r = xml_error_value(err, c, text);
        else
                *out = v;
        free(text);
        return r;
}

static int device_parse(DomainBlkioDevice *d, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, device_children, err) < 0)
                return -1;
        d->path = xml_strip(xml_child_text(node, "path"));
        if (!d->path || !d->path[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "missing path for blkiotune device");
        uint64_t w = 0;
        if (child_u64(node, "weight", UINT32_MAX, &w, err) < 0 ||
            child_u64(node, "read_iops_sec", UINT64_MAX, &d->read_iops_sec, err) < 0 ||
            child_u64(node, "write_iops_sec", UINT64_MAX, &d->write_iops_sec, err) < 0 ||
            child_u64(node, "read_bytes_sec", UINT64_MAX, &d->read_bytes_sec, err) < 0 ||
            child_u64(node, "write_bytes_sec", UINT64_MAX, &d->write_bytes_sec, err) < 0)
                return -1;
        d->weight = (unsigned) w;
        return 0;
}

int domain_blkiotune_parse(DomainBlkiotune *t, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, blkiotune_children, err) < 0)
                return -1;
        uint64_t w = 0;
        if (child_u64(node, "weight", UINT32_MAX, &w, err) < 0)
                return -1;
        t->weight = (unsigned) w;
        for (xmlNodePtr c = xml_node_child(node, "device"); c; c = xml_node_next_same(c)) {
                DomainBlkioDevice *d = conf_array_add(&t->devices, &t->n_devices, sizeof *d);
                if (!d)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
                if (device_parse(d, c, flags, err) < 0)
                        return -1;
                for (size_t i = 0; i + 1 < t->n_devices; i++)
                        if (strcmp(t->devices[i].path, d->path) == 0)
                                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                                    "duplicate blkio device path '%s'", d->path);
        }
        return 0;
}

static void put_u64(XmlBuf *b, const char *name, uint64_t v) {
        if (!v)
                return;
        xml_buf_indent(b);
        xml_buf_printf(b, "    <%s>%llu</%s>\n", name, (unsigned long long) v, name);
}

void domain_blkiotune_format(XmlBuf *b, const DomainBlkiotune *t) {
        if (!t->weight && !t->n_devices)
                return;
        xml_buf_indent(b);
        xml_buf_puts(b, "<blkiotune>\n");
        if (t->weight) {
                xml_buf_indent(b);
                xml_buf_printf(b, "  <weight>%u</weight>\n", t->weight);
        }
        for (size_t i = 0; i < t->n_devices; i++) {
                const DomainBlkioDevice *d = &t->devices[i];
                if (!d->weight && !d->read_iops_sec && !d->write_iops_sec && !d->read_bytes_sec && !d->write_bytes_sec)
                        continue;       /* libvirt drops a device with nothing set */
                xml_buf_indent(b);
                xml_buf_puts(b, "  <device>\n");
                xml_buf_indent(b);
                xml_buf_puts(b, "    <path>");
                xml_buf_escape(b, d->path);
                xml_buf_puts(b, "</path>\n");
                put_u64(b, "weight", d->weight);
                put_u64(b, "read_iops_sec", d->read_iops_sec);
                put_u64(b, "write_iops_sec", d->write_iops_sec);
                put_u64(b, "read_bytes_sec", d->read_bytes_sec);
                put_u64(b, "write_bytes_sec", d->write_bytes_sec);
                xml_buf_indent(b);
                xml_buf_puts(b, "  </device>\n");
        }
        xml_buf_indent(b);
        xml_buf_puts(b, "</blkiotune>\n");
}

static const char *const numa_modes[] = { "strict", "preferred", "interleave", "restrictive", NULL };
static const char *const numatune_children[] = { "memory", NULL };
static const char *const memory_attrs[] = { "mode", "nodeset", NULL };

int domain_numatune_parse(DomainNumatune *t, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, numatune_children, err) < 0)
                return -1;
        xmlNodePtr m = xml_node_child(node, "memory");
        if (!m)
                return 0;
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(m, memory_attrs, NULL, err) < 0)
                return -1;
        t->mode = xml_node_prop(m, "mode");
        t->nodeset = xml_node_prop(m, "nodeset");
        bool known = !t->mode;
        for (size_t i = 0; t->mode && numa_modes[i]; i++)
                known = known || strcmp(t->mode, numa_modes[i]) == 0;
        if (!known)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN, "Unsupported numatune mode '%s'", t->mode);
        if (!t->nodeset)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                    "nodeset for NUMA memory tuning must be set if 'placement' is 'static'");
        return 0;
}

void domain_numatune_format(XmlBuf *b, const DomainNumatune *t) {
        if (!t->nodeset)
                return;
        xml_buf_indent(b);
        xml_buf_puts(b, "<numatune>\n");
        xml_buf_indent(b);
        xml_buf_puts(b, "  <memory mode='");
        xml_buf_escape(b, t->mode ? t->mode : "strict");
        xml_buf_puts(b, "' nodeset='");
        xml_buf_escape(b, t->nodeset);
        xml_buf_puts(b, "'/>\n");
        xml_buf_indent(b);
        xml_buf_puts(b, "</numatune>\n");
}

void domain_blkio_numa_free(DomainDefPrivate *p) {
        for (size_t i = 0; i < p->blkiotune.n_devices; i++)
                free(p->blkiotune.devices[i].path);
        free(p->blkiotune.devices);
        free(p->numatune.mode);
        free(p->numatune.nodeset);
}
