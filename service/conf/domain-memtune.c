/* domain-memtune.c: <memtune> (hard_limit, soft_limit, swap_hard_limit), the guest's memory cgroup limits. */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static const char *const memtune_children[] = { "hard_limit", "soft_limit", "swap_hard_limit", NULL };

int domain_memtune_parse(DomainMemtune *m, xmlNodePtr node, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, memtune_children, err) < 0)
                return -1;
        uint64_t *slots[] = { &m->hard_limit_kib, &m->soft_limit_kib, &m->swap_hard_limit_kib };
        for (size_t i = 0; memtune_children[i]; i++) {
                xmlNodePtr c = xml_node_child(node, memtune_children[i]);
                if (c && domain_parse_memory(c, slots[i], err) < 0)
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
