/* snapshot-conf.c: <domainsnapshot> parse and format (name, description, state, parent, creationTime, memory, disks, the embedded <domain>). */
#include "snapshot-conf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

#include "xml-util.h"

static const char *const snapshot_states[] = { "running", "blocked", "paused", "shutdown", "shutoff", "crashed",
                                               "pmsuspended", "disk-snapshot", NULL };
static const char *const snapshot_locations[] = { "no", "internal", "external", "manual", NULL };

static bool in_list(const char *const *list, const char *v) {
        for (; *list; list++)
                if (strcmp(*list, v) == 0)
                        return true;
        return false;
}

int snapshot_name_check_file(const char *name, VbError *err) {
        /* libvirt's text for '/', as its QEMU driver says it; ours for the rest. */
        for (const char *p = name; *p; p++) {
                if (*p == '/')
                        return vb_error_set(err, VB_ERR_XML_DETAIL, VB_FROM_DOMAIN_SNAPSHOT, "invalid char in name: /");
                if ((unsigned char) *p < 0x20)
                        return vb_error_set(err, VB_ERR_XML_DETAIL, VB_FROM_DOMAIN_SNAPSHOT, "invalid char in name: 0x%02x",
                                            (unsigned) *p);
        }
        if (!snapshot_name_valid(name))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN_SNAPSHOT,
                                    "invalid snapshot name '%s': it must be 1 to %u characters and not begin with '.'", name,
                                    SNAPSHOT_NAME_MAX);
        return 0;
}

bool snapshot_name_valid(const char *name) {
        if (!name || !*name || strlen(name) > SNAPSHOT_NAME_MAX || name[0] == '.')
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/' || (unsigned char) *p < 0x20)
                        return false;
        return true;
}

SnapshotDef *snapshot_def_free(SnapshotDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->description);
        free(def->state);
        free(def->parent);
        free(def->memory);
        free(def->memory_file);
        for (size_t i = 0; i < def->n_disks; i++) {
                free(def->disks[i].name);
                free(def->disks[i].snapshot);
                free(def->disks[i].driver_type);
                free(def->disks[i].source_file);
        }
        free(def->disks);
        domain_def_free(def->dom);
        free(def);
        return NULL;
}

SnapshotDiskDef *snapshot_def_add_disk(SnapshotDef *def, const char *name, const char *snapshot) {
        SnapshotDiskDef *d = conf_array_add(&def->disks, &def->n_disks, sizeof *d);
        if (!d)
                return NULL;
        if (conf_strdup(&d->name, name) < 0 || conf_strdup(&d->snapshot, snapshot) < 0)
                return NULL;
        return d;
}

static int bad_location(VbError *err, const char *what, const char *v) {
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "unknown %s snapshot setting '%s'", what, v);
}

static int parse_disk(xmlNodePtr n, SnapshotDef *def, VbError *err) {
        char *name = xml_node_prop(n, "name"), *snap = xml_node_prop(n, "snapshot");
        int r = 0;
        if (!name || !*name)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "missing name from disk snapshot element");
        else if (snap && !in_list(snapshot_locations, snap))
                r = bad_location(err, "disk", snap);
        SnapshotDiskDef *d = r < 0 ? NULL : snapshot_def_add_disk(def, name, snap);
        if (r == 0 && !d)
                r = vb_error_errno(err, -ENOMEM, "snapshot disk");
        if (d) {
                xmlNodePtr drv = xml_node_child(n, "driver"), src = xml_node_child(n, "source");
                d->driver_type = drv ? xml_node_prop(drv, "type") : NULL;
                d->source_file = src ? xml_node_prop(src, "file") : NULL;
                /* A source names an external snapshot, as libvirt infers it. */
                if (!d->snapshot && d->source_file)
                        d->snapshot = strdup("external");
        }
        free(name);
        free(snap);
        return r;
}

static int parse_root(xmlNodePtr root, unsigned flags, SnapshotDef *def, VbError *err) {
        def->name = xml_child_text(root, "name");
        if (def->name)
                xml_strip(def->name);
        if (def->name && !*def->name)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "a snapshot name must not be empty");
        def->description = xml_child_text(root, "description");
        xmlNodePtr mem = xml_node_child(root, "memory");
        if (mem) {
                def->memory = xml_node_prop(mem, "snapshot");
                def->memory_file = xml_node_prop(mem, "file");
                if (!def->memory && def->memory_file)
                        def->memory = strdup("external");
                if (def->memory && !in_list(snapshot_locations, def->memory))
                        return bad_location(err, "memory", def->memory);
                bool external = def->memory && strcmp(def->memory, "external") == 0;
                if (def->memory_file && !external)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT,
                                            "memory filename '%s' requires external snapshot", def->memory_file);
                if (!def->memory_file && external)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT,
                                            "external memory snapshots require a filename");
                if (def->memory_file && def->memory_file[0] != '/')
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT,
                                            "memory snapshot file path (%s) must be absolute", def->memory_file);
        }
        xmlNodePtr disks = xml_node_child(root, "disks");
        if (disks && xml_node_count(disks, "disk") > SNAPSHOT_DISKS_MAX)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "too many disks in a snapshot (at most %u)",
                                    SNAPSHOT_DISKS_MAX);
        for (xmlNodePtr n = disks ? xml_node_child(disks, "disk") : NULL; n; n = xml_node_next_same(n))
                if (parse_disk(n, def, err) < 0)
                        return -1;
        if (!(flags & SNAPSHOT_PARSE_REDEFINE))
                return 0;
        /* What only a taken snapshot has. */
        if (!def->name)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "a redefined snapshot must have a name");
        def->state = xml_child_text(root, "state");
        if (def->state && !in_list(snapshot_states, xml_strip(def->state)))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "Invalid state '%s' in domain snapshot XML",
                                    def->state);
        xmlNodePtr parent = xml_node_child(root, "parent");
        if (parent) {
                def->parent = xml_child_text(parent, "name");
                if (def->parent && !*xml_strip(def->parent))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "a parent name must not be empty");
        }
        char *ct = xml_child_text(root, "creationTime");
        if (ct) {
                int r = xml_parse_i64(xml_strip(ct), &def->creation_time);
                if (r < 0)
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN_SNAPSHOT, "invalid creationTime '%s'", ct);
                free(ct);
                if (r < 0)
                        return -1;
                def->has_creation_time = true;
        }
        xmlNodePtr dom = xml_node_child(root, "domain");
        if (dom) {
                def->dom = domain_def_parse_node(dom, 0, err);
                if (!def->dom)
                        return -1;
        }
        char *active = xml_child_text(root, "active");
        def->current = active && strcmp(xml_strip(active), "1") == 0;
        free(active);
        return 0;
}

SnapshotDef *snapshot_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "domainsnapshot", "domainsnapshot", err);
        if (!doc)
                return NULL;
        SnapshotDef *def = calloc(1, sizeof *def);
        if (!def) {
                xmlFreeDoc(doc);
                vb_error_errno(err, -ENOMEM, "snapshot definition");
                return NULL;
        }
        int r = parse_root(xmlDocGetRootElement(doc), flags, def, err);
        xmlFreeDoc(doc);
        return r < 0 ? snapshot_def_free(def) : def;
}

/* The domain's XML, each line indented one level more. */
static void format_domain(XmlBuf *b, const DomainDef *dom, unsigned flags) {
        char *xml = domain_def_format(dom, DOMAIN_FORMAT_INACTIVE | (flags & SNAPSHOT_FORMAT_SECURE ? DOMAIN_FORMAT_SECURE : 0));
        if (!xml) {
                b->oom = true;
                return;
        }
        for (const char *p = xml; *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);
                if (n > 0) {
                        xml_buf_indent(b);
                        xml_buf_add(b, p, n);
                }
                xml_buf_puts(b, "\n");
                p += n + (nl ? 1 : 0);
        }
        free(xml);
}

static void format_disk(XmlBuf *b, const SnapshotDiskDef *d) {
        xml_buf_open(b, "disk");
        xml_buf_attr(b, "name", d->name);
        xml_buf_attr(b, "snapshot", d->snapshot);
        XmlBuf c = XML_BUF_CHILD(b);
        if (d->driver_type) {
                xml_buf_open(&c, "driver");
                xml_buf_attr(&c, "type", d->driver_type);
                xml_buf_close(&c, "driver", NULL, false);
        }
        if (d->source_file) {
                xml_buf_open(&c, "source");
                xml_buf_attr(&c, "file", d->source_file);
                xml_buf_close(&c, "source", NULL, false);
        }
        xml_buf_close(b, "disk", &c, false);
}

char *snapshot_def_format(const SnapshotDef *def, unsigned flags) {
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "domainsnapshot");
        XmlBuf c = XML_BUF_CHILD(&b);
        xml_buf_text_element(&c, "name", def->name);
        xml_buf_text_element(&c, "description", def->description);
        xml_buf_text_element(&c, "state", def->state);
        if (def->parent) {
                xml_buf_open(&c, "parent");
                XmlBuf p = XML_BUF_CHILD(&c);
                xml_buf_text_element(&p, "name", def->parent);
                xml_buf_close(&c, "parent", &p, false);
        }
        if (def->has_creation_time) {
                char t[32];
                snprintf(t, sizeof t, "%" PRId64, def->creation_time);
                xml_buf_text_element(&c, "creationTime", t);
        }
        if (def->memory) {
                xml_buf_open(&c, "memory");
                xml_buf_attr(&c, "snapshot", def->memory);
                xml_buf_attr(&c, "file", def->memory_file);
                xml_buf_close(&c, "memory", NULL, false);
        }
        if (def->n_disks > 0) {
                xml_buf_open(&c, "disks");
                XmlBuf d = XML_BUF_CHILD(&c);
                for (size_t i = 0; i < def->n_disks; i++)
                        format_disk(&d, &def->disks[i]);
                xml_buf_close(&c, "disks", &d, false);
        }
        if (def->dom) {
                XmlBuf d = XML_BUF_CHILD(&b);
                format_domain(&d, def->dom, flags);
                xml_buf_append(&c, &d);
        }
        if (flags & SNAPSHOT_FORMAT_INTERNAL)
                xml_buf_text_element(&c, "active", def->current ? "1" : "0");
        xml_buf_close(&b, "domainsnapshot", &c, false);
        return xml_buf_steal(&b);
}
