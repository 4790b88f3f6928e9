/* checkpoint-conf.c: <domaincheckpoint> parse and format (name, description, parent, creationTime, disks with their bitmaps, the embedded <domain>). */
#include "checkpoint-conf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

#include "xml-util.h"

#define CK_ERR(err, code, ...) vb_error_set(err, code, VB_FROM_DOMAIN_CHECKPOINT, __VA_ARGS__)

CheckpointDef *checkpoint_def_free(CheckpointDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->description);
        free(def->parent);
        for (size_t i = 0; i < def->n_disks; i++) {
                free(def->disks[i].name);
                free(def->disks[i].type);
                free(def->disks[i].bitmap);
        }
        free(def->disks);
        domain_def_free(def->dom);
        free(def);
        return NULL;
}

CheckpointDiskDef *checkpoint_def_add_disk(CheckpointDef *def, const char *name, const char *type, const char *bitmap) {
        if (def->n_disks >= CHECKPOINT_DISKS_MAX)
                return NULL;
        CheckpointDiskDef *d = conf_array_add(&def->disks, &def->n_disks, sizeof *d);
        if (!d)
                return NULL;
        if (conf_strdup(&d->name, name) < 0 || conf_strdup(&d->type, type) < 0 || conf_strdup(&d->bitmap, bitmap) < 0)
                return NULL;
        return d;
}

static int parse_disk(xmlNodePtr n, CheckpointDef *def, VbError *err) {
        char *name = xml_node_prop(n, "name"), *type = xml_node_prop(n, "checkpoint"), *bitmap = xml_node_prop(n, "bitmap");
        int r = 0;
        if (!name || !*name)
                r = CK_ERR(err, VB_ERR_XML_ERROR, "missing name from disk checkpoint element");
        else if (type && strcmp(type, "bitmap") != 0 && strcmp(type, "no") != 0)
                r = CK_ERR(err, VB_ERR_XML_ERROR, "Invalid value for attribute 'checkpoint' in element 'disk': '%s'.", type);
        else if (bitmap && type && strcmp(type, "no") == 0)
                r = CK_ERR(err, VB_ERR_XML_ERROR, "disk '%s': a bitmap name needs checkpoint='bitmap'", name);
        else if (bitmap && (!*bitmap || strchr(bitmap, '/') || strlen(bitmap) > 1023))
                r = CK_ERR(err, VB_ERR_XML_ERROR, "disk '%s': invalid bitmap name '%s'", name, bitmap);
        else if (!checkpoint_def_add_disk(def, name, type, bitmap))
                r = def->n_disks >= CHECKPOINT_DISKS_MAX
                            ? CK_ERR(err, VB_ERR_XML_ERROR, "too many disks in a checkpoint (at most %u)", CHECKPOINT_DISKS_MAX)
                            : vb_error_errno(err, -ENOMEM, "checkpoint disk");
        free(name);
        free(type);
        free(bitmap);
        return r;
}

/* What only a checkpoint taken already has (its files, --redefine). */
static int parse_taken(xmlNodePtr root, CheckpointDef *def, VbError *err) {
        if (!def->name)
                return CK_ERR(err, VB_ERR_XML_ERROR, "a redefined checkpoint must have a name");
        char *ct = xml_child_text(root, "creationTime");
        if (!ct)
                return CK_ERR(err, VB_ERR_INTERNAL_ERROR, "missing creationTime from existing checkpoint");
        int r = xml_parse_i64(xml_strip(ct), &def->creation_time);
        if (r < 0)
                CK_ERR(err, VB_ERR_XML_ERROR, "invalid creationTime '%s'", ct);
        free(ct);
        if (r < 0)
                return -1;
        def->has_creation_time = true;
        xmlNodePtr parent = xml_node_child(root, "parent");
        if (parent) {
                def->parent = xml_child_text(parent, "name");
                if (def->parent && !*xml_strip(def->parent))
                        return CK_ERR(err, VB_ERR_XML_ERROR, "a parent name must not be empty");
        }
        xmlNodePtr dom = xml_node_child(root, "domain");
        if (dom && !(def->dom = domain_def_parse_node(dom, 0, err)))
                return -1;
        char *active = xml_child_text(root, "active");
        def->current = active && strcmp(xml_strip(active), "1") == 0;
        free(active);
        return 0;
}

static int parse_root(xmlNodePtr root, unsigned flags, CheckpointDef *def, VbError *err) {
        def->name = xml_child_text(root, "name");
        if (def->name && !*xml_strip(def->name))
                return CK_ERR(err, VB_ERR_XML_ERROR, "a checkpoint name must not be empty");
        def->description = xml_child_text(root, "description");
        xmlNodePtr disks = xml_node_child(root, "disks");
        for (xmlNodePtr n = disks ? xml_node_child(disks, "disk") : NULL; n; n = xml_node_next_same(n))
                if (parse_disk(n, def, err) < 0)
                        return -1;
        return flags & CHECKPOINT_PARSE_REDEFINE ? parse_taken(root, def, err) : 0;
}

CheckpointDef *checkpoint_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "domaincheckpoint", "domain_checkpoint", err);
        if (!doc)
                return NULL;
        CheckpointDef *def = calloc(1, sizeof *def);
        if (!def) {
                xmlFreeDoc(doc);
                vb_error_errno(err, -ENOMEM, "checkpoint definition");
                return NULL;
        }
        int r = parse_root(xmlDocGetRootElement(doc), flags, def, err);
        xmlFreeDoc(doc);
        return r < 0 ? checkpoint_def_free(def) : def;
}

/* The domain's XML as a child element: each of its lines one level deeper. */
static void format_embedded_domain(XmlBuf *c, const DomainDef *dom, unsigned flags) {
        char *xml = domain_def_format(dom, DOMAIN_FORMAT_INACTIVE | (flags & CHECKPOINT_FORMAT_SECURE ? DOMAIN_FORMAT_SECURE : 0));
        if (!xml) {
                c->oom = true;
                return;
        }
        char *save = NULL;
        for (char *line = strtok_r(xml, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                xml_buf_indent(c);
                xml_buf_puts(c, line);
                xml_buf_puts(c, "\n");
        }
        free(xml);
}

char *checkpoint_def_format(const CheckpointDef *def, unsigned flags) {
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "domaincheckpoint");
        XmlBuf c = XML_BUF_CHILD(&b);
        xml_buf_text_element(&c, "name", def->name);
        xml_buf_text_element(&c, "description", def->description);
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
        if (def->n_disks > 0) {
                xml_buf_open(&c, "disks");
                XmlBuf d = XML_BUF_CHILD(&c);
                for (size_t i = 0; i < def->n_disks; i++) {
                        const CheckpointDiskDef *k = &def->disks[i];
                        xml_buf_open(&d, "disk");
                        xml_buf_attr(&d, "name", k->name);
                        xml_buf_attr(&d, "checkpoint", k->type);
                        xml_buf_attr(&d, "bitmap", k->bitmap);
                        if ((flags & CHECKPOINT_FORMAT_SIZE) && k->has_size)
                                xml_buf_attr_uint(&d, "size", k->size);
                        xml_buf_close(&d, "disk", NULL, false);
                }
                xml_buf_close(&c, "disks", &d, false);
        }
        if (def->dom && !(flags & CHECKPOINT_FORMAT_NO_DOMAIN))
                format_embedded_domain(&c, def->dom, flags);
        if (flags & CHECKPOINT_FORMAT_INTERNAL)
                xml_buf_text_element(&c, "active", def->current ? "1" : "0");
        xml_buf_close(&b, "domaincheckpoint", &c, false);
        return xml_buf_steal(&b);
}
