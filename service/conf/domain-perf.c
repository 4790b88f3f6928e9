/* domain-perf.c: <perf>, which of the host's perf event counters the guest's QEMU process gets. */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static const char *const perf_names[DOMAIN_PERF_NEVENTS] = {
        "cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references", "cache_misses",
        "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
        "stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
        "context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj",
        "alignment_faults", "emulation_faults",
};

const char *domain_perf_event_name(unsigned i) {
        return i < DOMAIN_PERF_NEVENTS ? perf_names[i] : NULL;
}

int domain_perf_event_index(const char *name) {
        for (unsigned i = 0; name && i < DOMAIN_PERF_NEVENTS; i++)
                if (strcmp(name, perf_names[i]) == 0)
                        return (int) i;
        return -1;
}

static int missing(VbError *err, xmlNodePtr node, const char *attr) {
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "Missing required attribute '%s' in element '%s'",
                            attr, (const char *) node->name);
}

/* One <event name= enabled=/>; a name given twice is refused as libvirt does. */
static int perf_event_parse(uint8_t perf[DOMAIN_PERF_NEVENTS], xmlNodePtr ev, unsigned flags, VbError *err) {
        static const char *const attrs[] = { "name", "enabled", NULL };
        char *name = xml_node_prop(ev, "name"), *enabled = xml_node_prop(ev, "enabled");
        int i = domain_perf_event_index(name), r = 0;
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(ev, attrs, NULL, err) < 0)
                r = -1;
        else if (!name)
                r = missing(err, ev, "name");
        else if (i < 0)
                r = xml_error_attr(err, ev, "name", name, NULL);
        else if (!enabled)
                r = missing(err, ev, "enabled");
        else if (strcmp(enabled, "yes") != 0 && strcmp(enabled, "no") != 0)
                r = xml_error_attr(err, ev, "enabled", enabled, NULL);
        else if (perf[i] != DOMAIN_PERF_DEFAULT)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "perf event '%s' was already specified", name);
        else
                perf[i] = strcmp(enabled, "yes") == 0 ? DOMAIN_PERF_YES : DOMAIN_PERF_NO;
        free(name);
        free(enabled);
        return r;
}

int domain_perf_parse(uint8_t perf[DOMAIN_PERF_NEVENTS], xmlNodePtr node, unsigned flags, VbError *err) {
        static const char *const children[] = { "event", NULL };
        if ((flags & XML_FIELDS_VALIDATE) && xml_check_known(node, NULL, children, err) < 0)
                return -1;
        for (xmlNodePtr ev = xml_node_child(node, "event"); ev; ev = xml_node_next_same(ev))
                if (perf_event_parse(perf, ev, flags, err) < 0)
                        return -1;
        return 0;
}

void domain_perf_format(XmlBuf *b, const uint8_t perf[DOMAIN_PERF_NEVENTS]) {
        bool any = false;
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++)
                any |= perf[i] != DOMAIN_PERF_DEFAULT;
        if (!any)
                return;
        xml_buf_indent(b);
        xml_buf_puts(b, "<perf>\n");
        for (unsigned i = 0; i < DOMAIN_PERF_NEVENTS; i++) {
                if (perf[i] == DOMAIN_PERF_DEFAULT)
                        continue;
                xml_buf_indent(b);
                xml_buf_printf(b, "  <event name='%s' enabled='%s'/>\n", perf_names[i],
                               perf[i] == DOMAIN_PERF_YES ? "yes" : "no");
        }
        xml_buf_indent(b);
        xml_buf_puts(b, "</perf>\n");
}
