/* domain-memtune.c: <memtune> (hard_limit, soft_limit, swap_hard_limit), the guest's memory cgroup limits. */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static const char *const memtune_children[] = { "hard_limit", "soft_limit", "swap_hard_limit", NULL };

/* A limit in `unit` (default KiB), stored in KiB rounded up. */
static int memtune_limit(xmlNodePtr node, uint64_t *kib, VbError *err) {
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

int domain_memtune_parse(DomainMemtune *m, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, memtune_children, err) < 0)
                return -1;
        uint64_t *slots[] = { &m->hard_limit_kib, &m->soft_limit_kib, &m->swap_hard_limit_kib };
        for (size_t i = 0; memtune_children[i]; i++) {
                xmlNodePtr c = xml_node_child(node, memtune_children[i]);
                if (c && memtune_limit(c, slots[i], err) < 0)
                        return -1;
        }
        /* hard_limit > swap_hard_limit is accepted here, as libvirt does; starting refuses it. */
        return 0;
}

void domain_memtune_format(XmlBuf *b, const DomainMemtune *m) {
        if (!m->hard_limit_kib && !m->soft_limit_kib && !m->swap_hard_limit_kib)
                return;
        xml_buf_indent(b);
        xml_buf_puts(b, "<memtune>\n");
        const uint64_t v[] = { m->hard_limit_kib, m->soft_limit_kib, m->swap_hard_limit_kib };
        for (size_t i = 0; memtune_children[i]; i++) {
                if (!v[i])
                        continue;
                xml_buf_indent(b);
                xml_buf_printf(b, "  <%s unit='KiB'>%llu</%s>\n", memtune_children[i], (unsigned long long) v[i],
                               memtune_children[i]);
        }
        xml_buf_indent(b);
        xml_buf_puts(b, "</memtune>\n");
}
