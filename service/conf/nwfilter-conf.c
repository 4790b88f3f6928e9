/* nwfilter-conf.c: network filter and filter binding XML: names, chains and their priorities, filterrefs with parameters, rules with one protocol element. */
#include "nwfilter-conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"
#include "xml-util.h"

#define NWFILTER_ENTRIES_MAX 4096u
#define NWFILTER_PARAMS_MAX 256u

/* Chains and their default priorities (libvirt's). A chain may also be "<one of these>-<suffix>". */
static const struct {
        const char *name;
        int priority;
} chains[] = {
        { "root", 0 }, { "stp", -810 }, { "mac", -800 }, { "vlan", -750 }, { "ipv4", -700 },
        { "ipv6", -600 }, { "arp", -500 }, { "rarp", -400 },
};

static const char *const actions[] = { "drop", "accept", "reject", "return", "continue", NULL };
static const char *const directions[] = { "in", "out", "inout", NULL };

/* Layer-2 protocol elements list their ports before dscp; the others after dscp and state. */
static const char *const l2_protos[] = { "mac", "vlan", "stp", "arp", "rarp", "ip", "ipv6", NULL };
static const char *const l2_attrs[] = {
        "srcmacaddr", "srcmacmask", "dstmacaddr", "dstmacmask", "protocolid", "vlanid", "encap-protocol",
        "type", "flags", "root-priority", "root-priority-hi", "root-address", "root-address-mask", "root-cost",
        "root-cost-hi", "sender-priority", "sender-priority-hi", "sender-address", "sender-address-mask",
        "port", "port-hi", "age", "age-hi", "max-age", "max-age-hi", "hello-time", "hello-time-hi",
        "forward-delay", "forward-delay-hi", "hwtype", "protocoltype", "opcode", "arpsrcmacaddr",
        "arpdstmacaddr", "arpsrcipaddr", "arpsrcipmask", "arpdstipaddr", "arpdstipmask", "gratuitous",
        "srcipaddr", "srcipmask", "dstipaddr", "dstipmask", "protocol", "srcportstart", "srcportend",
        "dstportstart", "dstportend", "dscp", "comment", NULL,
};
static const char *const l4_protos[] = { "tcp", "udp", "udplite", "esp", "ah", "sctp", "icmp", "igmp", "all",
                                         "tcp-ipv6", "udp-ipv6", "udplite-ipv6", "esp-ipv6", "ah-ipv6",
                                         "sctp-ipv6", "icmpv6", "all-ipv6", NULL };
static const char *const l4_attrs[] = {
        "srcmacaddr", "srcipaddr", "srcipmask", "dstipaddr", "dstipmask", "srcipfrom", "srcipto", "dstipfrom",
        "dstipto", "dscp", "connlimit-above", "state", "ipset", "ipsetflags", "srcportstart", "srcportend",
        "dstportstart", "dstportend", "type", "code", "flags", "comment", NULL,
};

static int index_of(const char *const *list, const char *s) {
        for (int i = 0; list[i]; i++)
                if (strcmp(list[i], s) == 0)
                        return i;
        return -1;
}

static void params_free(NWFilterParam *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].name);
                free(p[i].value);
        }
        free(p);
}

static void entry_done(NWFilterEntry *e) {
        free(e->ref);
        params_free(e->params, e->n_params);
        free(e->action);
        free(e->direction);
        free(e->statematch);
        free(e->proto);
        params_free(e->attrs, e->n_attrs);
}

NWFilterDef *nwfilter_def_free(NWFilterDef *def) {
        if (!def)
                return NULL;
        for (size_t i = 0; i < def->n_entries; i++)
                entry_done(&def->entries[i]);
        free(def->entries);
        free(def->name);
        free(def->chain);
        free(def);
        return NULL;
}

static int oom(VbError *err) {
        return vb_error_errno(err, -ENOMEM, "network filter");
}

static int cmp_param(const void *a, const void *b) {
        return strcmp(((const NWFilterParam *) a)->name, ((const NWFilterParam *) b)->name);
}

/* <parameter name= value=/> children, sorted by name as libvirt shows them. */
static int parse_params(xmlNodePtr node, NWFilterParam **out, size_t *n, VbError *err) {
        for (xmlNodePtr p = xml_node_child(node, "parameter"); p; p = xml_node_next_same(p)) {
                if (*n >= NWFILTER_PARAMS_MAX)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "too many parameters (over %u)",
                                            NWFILTER_PARAMS_MAX);
                NWFilterParam *np = conf_array_add(out, n, sizeof *np);
                if (!np)
                        return oom(err);
                np->name = xml_node_prop(p, "name");
                np->value = xml_node_prop(p, "value");
                if (!np->name || !np->name[0] || !np->value)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER,
                                            "parameter needs a name and a value");
        }
        if (*n > 1)
                qsort(*out, *n, sizeof **out, cmp_param);
        return 0;
}

static int parse_enum(xmlNodePtr node, const char *attr, const char *const *values, char **out, VbError *err) {
        *out = xml_node_prop(node, attr);
        if (!*out)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "rule node requires %s attribute", attr);
        if (index_of(values, *out) < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "unknown rule %s '%s'", attr, *out);
        return 0;
}

/* The protocol element's attributes, checked against its family's list and put in its order. */
static int parse_proto(NWFilterEntry *e, xmlNodePtr proto, VbError *err) {
        const char *name = (const char *) proto->name;
        const char *const *order = index_of(l2_protos, name) >= 0 ? l2_attrs
                                 : index_of(l4_protos, name) >= 0 ? l4_attrs : NULL;
        if (!order)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "unknown protocol element '%s' in rule",
                                    name);
        if (!(e->proto = strdup(name)))
                return oom(err);
        for (xmlAttrPtr a = proto->properties; a; a = a->next)
                if (index_of(order, (const char *) a->name) < 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER,
                                            "unknown attribute '%s' of protocol element '%s'", (const char *) a->name,
                                            name);
        for (int i = 0; order[i]; i++) {
                char *v = xml_node_prop(proto, order[i]);
                if (!v)
                        continue;
                NWFilterParam *p = conf_array_add(&e->attrs, &e->n_attrs, sizeof *p);
                if (!p || !(p->name = strdup(order[i]))) {
                        free(v);
                        return oom(err);
                }
                p->value = v;
        }
        return 0;
}

static int parse_rule(NWFilterEntry *e, xmlNodePtr rule, VbError *err) {
        if (parse_enum(rule, "action", actions, &e->action, err) < 0 ||
            parse_enum(rule, "direction", directions, &e->direction, err) < 0)
                return -1;
        e->priority = 500;
        char *prio = xml_node_prop(rule, "priority");
        if (prio) {
                int64_t v;
                int r = xml_parse_i64(prio, &v);
                free(prio);
                if (r < 0 || v < -1000 || v > 1000)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER,
                                            "rule priority must be a number from -1000 to 1000");
                e->priority = (int) v;
        }
        e->statematch = xml_node_prop(rule, "statematch");
        xmlNodePtr proto = xml_node_child(rule, NULL);
        size_t n = 0;
        for (xmlNodePtr c = proto; c; c = c->next)
                n += c->type == XML_ELEMENT_NODE;
        if (n > 1)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "a rule has one protocol element");
        return proto ? parse_proto(e, proto, err) : 0;
}

static int parse_chain(NWFilterDef *def, xmlNodePtr root, VbError *err) {
        char *chain = xml_node_prop(root, "chain");
        def->chain = chain ? chain : strdup("root");
        if (!def->chain)
                return oom(err);
        int found = -1;
        for (size_t i = 0; i < sizeof chains / sizeof chains[0] && found < 0; i++) {
                size_t l = strlen(chains[i].name);
                if (strcmp(def->chain, chains[i].name) == 0 ||
                    (i > 0 && strncmp(def->chain, chains[i].name, l) == 0 && def->chain[l] == '-' && def->chain[l + 1]))
                        found = (int) i;
        }
        if (found < 0)
                return vb_error_set(err, VB_ERR_INVALID_NWFILTER, VB_FROM_NWFILTER, "unknown chain suffix '%s'", def->chain);
        def->priority = chains[found].priority;
        char *prio = xml_node_prop(root, "priority");
        if (prio) {
                int64_t v;
                int r = xml_parse_i64(prio, &v);
                free(prio);
                if (r < 0 || v < -1000 || v > 1000)
                        return vb_error_set(err, VB_ERR_INVALID_NWFILTER, VB_FROM_NWFILTER,
                                            "Priority '%s' is outside valid range of [-1000, 1000]", "priority");
                def->priority = (int) v;
        }
        return 0;
}

static int parse_root(NWFilterDef *def, xmlNodePtr root, VbError *err) {
        def->name = xml_node_prop(root, "name");
        if (!def->name || !def->name[0])
                return vb_error_set(err, VB_ERR_NO_NAME, VB_FROM_NWFILTER, "filter has no name");
        if (strchr(def->name, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "name %s cannot contain '/'", def->name);
        if (parse_chain(def, root, err) < 0)
                return -1;
        char *uuid = xml_strip(xml_child_text(root, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->uuid) : uuid_generate(def->uuid);
        free(uuid);
        if (r == -EINVAL)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_NWFILTER, "malformed uuid element");
        if (r < 0)
                return vb_error_errno(err, r, "uuid_generate");
        for (xmlNodePtr n = xml_node_child(root, NULL); n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE || strcmp((const char *) n->name, "uuid") == 0)
                        continue;
                bool ref = strcmp((const char *) n->name, "filterref") == 0;
                if (!ref && strcmp((const char *) n->name, "rule") != 0)
                        continue;       /* libvirt ignores what it does not know here */
                if (def->n_entries >= NWFILTER_ENTRIES_MAX)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "too many rules (over %u)",
                                            NWFILTER_ENTRIES_MAX);
                NWFilterEntry *e = conf_array_add(&def->entries, &def->n_entries, sizeof *e);
                if (!e)
                        return oom(err);
                if (ref) {
                        e->ref = xml_node_prop(n, "filter");
                        if (!e->ref || !e->ref[0])
                                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER,
                                                    "filterref node requires filter attribute");
                        if (parse_params(n, &e->params, &e->n_params, err) < 0)
                                return -1;
                } else if (parse_rule(e, n, err) < 0) {
                        return -1;
                }
        }
        return 0;
}

NWFilterDef *nwfilter_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "filter", "nwfilter_definition", err);
        if (!doc)
                return NULL;
        NWFilterDef *def = calloc(1, sizeof *def);
        int r = def ? parse_root(def, xmlDocGetRootElement(doc), err) : oom(err);
        xmlFreeDoc(doc);
        return r < 0 ? nwfilter_def_free(def) : def;
}

static void format_params(XmlBuf *b, const NWFilterParam *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                xml_buf_open(b, "parameter");
                xml_buf_attr(b, "name", p[i].name);
                xml_buf_attr(b, "value", p[i].value);
                xml_buf_puts(b, "/>\n");
        }
}

static void format_entry(XmlBuf *b, const NWFilterEntry *e) {
        XmlBuf c = XML_BUF_CHILD(b);
        if (e->ref) {
                format_params(&c, e->params, e->n_params);
                xml_buf_open(b, "filterref");
                xml_buf_attr(b, "filter", e->ref);
                xml_buf_close(b, "filterref", &c, false);
                return;
        }
        if (e->proto) {
                xml_buf_open(&c, e->proto);
                for (size_t i = 0; i < e->n_attrs; i++)
                        xml_buf_attr(&c, e->attrs[i].name, e->attrs[i].value);
                xml_buf_puts(&c, "/>\n");
        }
        xml_buf_open(b, "rule");
        xml_buf_attr(b, "action", e->action);
        xml_buf_attr(b, "direction", e->direction);
        xml_buf_attr_int(b, "priority", e->priority);
        xml_buf_attr(b, "statematch", e->statematch);
        xml_buf_close(b, "rule", &c, false);
}

char *nwfilter_def_format(const NWFilterDef *def) {
        if (!def)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        xml_buf_open(&b, "filter");
        xml_buf_attr(&b, "name", def->name);
        xml_buf_attr(&b, "chain", def->chain);
        if (def->priority != 0)
                xml_buf_attr_int(&b, "priority", def->priority);
        xml_buf_puts(&b, ">\n");
        b.indent = 1;
        xml_buf_text_element(&b, "uuid", uuid);
        for (size_t i = 0; i < def->n_entries; i++)
                format_entry(&b, &def->entries[i]);
        b.indent = 0;
        xml_buf_puts(&b, "</filter>\n");
        return xml_buf_steal(&b);
}

/* ------------------------------------------------------------------ bindings */

NWFilterBindingDef *nwfilter_binding_def_free(NWFilterBindingDef *def) {
        if (!def)
                return NULL;
        free(def->owner_name);
        free(def->portdev);
        free(def->linkdev);
        free(def->filter);
        params_free(def->params, def->n_params);
        free(def);
        return NULL;
}

static char *child_attr(xmlNodePtr root, const char *child, const char *attr) {
        xmlNodePtr n = xml_node_child(root, child);
        return n ? xml_node_prop(n, attr) : NULL;
}

static int parse_binding(NWFilterBindingDef *def, xmlNodePtr root, VbError *err) {
        xmlNodePtr owner = xml_node_child(root, "owner");
        def->owner_name = owner ? xml_strip(xml_child_text(owner, "name")) : NULL;
        if (!def->owner_name || !def->owner_name[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s", "owner name must be specified");
        char *uuid = xml_strip(xml_child_text(owner, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->owner_uuid) : -ENOENT;
        free(uuid);
        if (r < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s",
                                    r == -ENOENT ? "owner UUID must be specified" : "Unable to parse UUID");
        def->portdev = child_attr(root, "portdev", "name");
        if (!def->portdev || !def->portdev[0] || strchr(def->portdev, '/'))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s", "filter binding has no port dev name");
        def->linkdev = child_attr(root, "linkdev", "name");
        char *mac = child_attr(root, "mac", "address");
        uint8_t m[6];
        if (!mac) {
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s",
                                    "filter binding has no MAC address");
        }
        r = mac_parse(mac, m);
        free(mac);
        if (r < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s", "Unable to parse MAC address");
        mac_format(m, def->mac);
        xmlNodePtr ref = xml_node_child(root, "filterref");
        def->filter = ref ? xml_node_prop(ref, "filter") : NULL;
        if (!def->filter || !def->filter[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NWFILTER, "%s", "filter binding has no filter reference");
        return parse_params(ref, &def->params, &def->n_params, err);
}

NWFilterBindingDef *nwfilter_binding_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "filterbinding", "nwfilterbinding_definition", err);
        if (!doc)
                return NULL;
        NWFilterBindingDef *def = calloc(1, sizeof *def);
        int r = def ? parse_binding(def, xmlDocGetRootElement(doc), err) : oom(err);
        xmlFreeDoc(doc);
        return r < 0 ? nwfilter_binding_def_free(def) : def;
}

char *nwfilter_binding_def_format(const NWFilterBindingDef *def) {
        if (!def)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->owner_uuid, uuid);
        xml_buf_puts(&b, "<filterbinding>\n");
        b.indent = 1;
        XmlBuf o = XML_BUF_CHILD(&b);
        xml_buf_text_element(&o, "name", def->owner_name);
        xml_buf_text_element(&o, "uuid", uuid);
        xml_buf_open(&b, "owner");
        xml_buf_close(&b, "owner", &o, true);
        xml_buf_open(&b, "portdev");
        xml_buf_attr(&b, "name", def->portdev);
        xml_buf_puts(&b, "/>\n");
        if (def->linkdev) {
                xml_buf_open(&b, "linkdev");
                xml_buf_attr(&b, "name", def->linkdev);
                xml_buf_puts(&b, "/>\n");
        }
        xml_buf_open(&b, "mac");
        xml_buf_attr(&b, "address", def->mac);
        xml_buf_puts(&b, "/>\n");
        XmlBuf c = XML_BUF_CHILD(&b);
        format_params(&c, def->params, def->n_params);
        xml_buf_open(&b, "filterref");
        xml_buf_attr(&b, "filter", def->filter);
        xml_buf_close(&b, "filterref", &c, false);
        b.indent = 0;
        xml_buf_puts(&b, "</filterbinding>\n");
        return xml_buf_steal(&b);
}
