/* secret-conf.c: libvirt's secret XML: <secret ephemeral private>, <uuid>, <description>, <usage type> with its one child. */
#include "secret-conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"
#include "xml-util.h"

/* Each usage type's element name and libvirt's words when it is missing. */
static const struct {
        const char *name, *child, *missing;
} usages[_SECRET_USAGE_MAX] = {
        [SECRET_USAGE_NONE] = { "none", NULL, NULL },
        [SECRET_USAGE_VOLUME] = { "volume", "volume", "volume usage specified, but volume path is missing" },
        [SECRET_USAGE_CEPH] = { "ceph", "name", "Ceph usage specified, but name is missing" },
        [SECRET_USAGE_ISCSI] = { "iscsi", "target", "iSCSI usage specified, but target is missing" },
        [SECRET_USAGE_TLS] = { "tls", "name", "TLS usage specified, but name is missing" },
        [SECRET_USAGE_VTPM] = { "vtpm", "name", "vTPM usage specified, but name is missing" },
};

const char *secret_usage_type_name(int type) {
        return type >= 0 && type < _SECRET_USAGE_MAX ? usages[type].name : NULL;
}

SecretDef *secret_def_free(SecretDef *def) {
        if (!def)
                return NULL;
        free(def->description);
        free(def->usage_id);
        free(def);
        return NULL;
}

static int parse_yes_no(xmlNodePtr root, const char *attr, bool *out, VbError *err) {
        char *v = xml_node_prop(root, attr);
        int r = 0;
        if (!v)
                *out = false;
        else if (strcmp(v, "yes") == 0)
                *out = true;
        else if (strcmp(v, "no") == 0)
                *out = false;
        else
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_SECRET, "invalid value of '%s'", attr);
        free(v);
        return r;
}

static int parse_usage(SecretDef *def, xmlNodePtr usage, VbError *err) {
        char *type = xml_node_prop(usage, "type");
        if (!type) {
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_SECRET, "%s",
                                    "unknown secret usage type");
        }
        int t = -1;
        for (int i = 0; i < _SECRET_USAGE_MAX; i++)
                if (strcmp(type, usages[i].name) == 0)
                        t = i;
        if (t < 0) {
                vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECRET, "unknown secret usage type %s", type);
                free(type);
                return -1;
        }
        free(type);
        def->usage_type = (SecretUsageType) t;
        if (!usages[t].child)
                return 0;
        def->usage_id = xml_strip(xml_child_text(usage, usages[t].child));
        if (!def->usage_id || !def->usage_id[0])
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECRET, "%s", usages[t].missing);
        return 0;
}

static int parse_root(SecretDef *def, xmlNodePtr root, VbError *err) {
        if (parse_yes_no(root, "ephemeral", &def->ephemeral, err) < 0 ||
            parse_yes_no(root, "private", &def->private_, err) < 0)
                return -1;
        char *uuid = xml_strip(xml_child_text(root, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->uuid) : uuid_generate(def->uuid);
        free(uuid);
        if (r == -EINVAL)
                return vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_SECRET, "malformed uuid element");
        if (r < 0)
                return vb_error_errno(err, r, "uuid_generate");
        def->description = xml_child_text(root, "description");
        xmlNodePtr usage = xml_node_child(root, "usage");
        return usage ? parse_usage(def, usage, err) : 0;
}

SecretDef *secret_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "secret", "secret_definition", err);
        if (!doc)
                return NULL;
        SecretDef *def = calloc(1, sizeof *def);
        if (!def) {
                xmlFreeDoc(doc);
                vb_error_errno(err, -ENOMEM, "secret definition");
                return NULL;
        }
        int r = parse_root(def, xmlDocGetRootElement(doc), err);
        xmlFreeDoc(doc);
        return r < 0 ? secret_def_free(def) : def;
}

char *secret_def_format(const SecretDef *def) {
        if (!def)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        xml_buf_open(&b, "secret");
        xml_buf_attr(&b, "ephemeral", def->ephemeral ? "yes" : "no");
        xml_buf_attr(&b, "private", def->private_ ? "yes" : "no");
        xml_buf_puts(&b, ">\n");
        b.indent = 1;
        xml_buf_text_element(&b, "uuid", uuid);
        xml_buf_text_element(&b, "description", def->description);
        if (def->usage_type != SECRET_USAGE_NONE && def->usage_type < _SECRET_USAGE_MAX) {
                XmlBuf c = XML_BUF_CHILD(&b);
                xml_buf_text_element(&c, usages[def->usage_type].child, def->usage_id);
                xml_buf_open(&b, "usage");
                xml_buf_attr(&b, "type", usages[def->usage_type].name);
                xml_buf_close(&b, "usage", &c, true);
        }
        b.indent = 0;
        xml_buf_puts(&b, "</secret>\n");
        return xml_buf_steal(&b);
}
