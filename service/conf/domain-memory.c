/* domain-memory.c: memory sizes in XML (<memory>, <currentMemory>, a DIMM's <size>) and memory hotplug's XML: <maxMemory slots='N'> and <memory model='dimm'> devices (their <target> size and node). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

/* <memory>/<currentMemory>: a count in `unit` (default KiB), stored in KiB rounded up. */
int domain_parse_memory(xmlNodePtr node, uint64_t *kib, VbError *err) {
        char *text = xml_strip(xml_node_text(node));
        char *unit = xml_node_prop(node, "unit");
        uint64_t value, bytes;
        int r = 0;
        if (!text || xml_parse_u64(text, &value) < 0)
                r = xml_error_value(err, node, text);
        else if (xml_scale_u64(value, unit, 1024, &bytes, err) < 0)
                r = -1;
        else
                *kib = bytes / 1024 + (bytes % 1024 ? 1 : 0);
        free(text);
        free(unit);
        return r;
}

int domain_max_memory_parse(DomainDefPrivate *p, xmlNodePtr root, VbError *err) {
        xmlNodePtr m = xml_node_child(root, "maxMemory");
        if (!m)
                return 0;
        if (domain_parse_memory(m, &p->max_memory_kib, err) < 0)
                return -1;
        char *slots = xml_node_prop(m, "slots"), *end = NULL;
        unsigned long v = slots ? strtoul(slots, &end, 10) : 0;
        int r = 0;
        if (!slots || *end || v > 255)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                 "invalid value '%s' for <maxMemory> slots (a number of 0 to 255)", slots ? slots : "");
        p->max_memory_slots = (unsigned) v;
        free(slots);
        return r;
}

void domain_max_memory_format(XmlBuf *b, const DomainDefPrivate *p) {
        if (!p->max_memory_kib)
                return;
        xml_buf_indent(b);
        xml_buf_printf(b, "<maxMemory slots='%u' unit='KiB'>%llu</maxMemory>\n", p->max_memory_slots,
                       (unsigned long long) p->max_memory_kib);
}

int domain_memory_dev_post_parse(xmlNodePtr node, DomainMemoryDev *m, VbError *err) {
        xmlNodePtr target = xml_node_child(node, "target");
        xmlNodePtr size = target ? xml_node_child(target, "size") : NULL;
        if (!size)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing memory device size");
        if (domain_parse_memory(size, &m->target_size_kib, err) < 0)
                return -1;
        xmlNodePtr n = xml_node_child(target, "node");
        if (n) {
                char *text = xml_strip(xml_node_text(n)), *end = NULL;
                unsigned long v = text ? strtoul(text, &end, 10) : 0;
                int r = !text || !*text || *end || v > 255
                        ? vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "invalid value of memory device node: '%s'",
                                       text ? text : "")
                        : 0;
                free(text);
                if (r < 0)
                        return -1;
                m->target_node = (ConfInt) { true, (long long) v };
        }
        return 0;
}

void domain_memory_dev_target_format(XmlBuf *b, const DomainMemoryDev *m) {
        XmlBuf c = XML_BUF_CHILD(b);
        xml_buf_indent(&c);
        xml_buf_printf(&c, "<size unit='KiB'>%llu</size>\n", (unsigned long long) m->target_size_kib);
        if (m->target_node.set) {
                xml_buf_indent(&c);
                xml_buf_printf(&c, "<node>%lld</node>\n", m->target_node.v);
        }
        xml_buf_open(b, "target");
        xml_buf_close(b, "target", &c, true);
}
