/* vol-conf.c: <volume> parse and format, in libvirt's layout. */
#include <stdlib.h>
#include <string.h>

#include "storage-conf.h"
#include "storage-priv.h"

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const char *const vol_types[] = { "file", "block", "dir", "network", "netdir", "ploop", NULL };

static int vol_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_STORAGE, NULL);
}

static int vol_parse_target(VolDef *def, xmlNodePtr target, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(target, NULL, ENUM("path", "format", "permissions", "compat",
                                               "features", "timestamps", "encryption"), err) < 0)
                return -1;
        def->path = xml_child_text(target, "path");
        def->format = xml_node_prop(xml_node_child(target, "format"), "type");
        return storage_parse_perms(&def->priv->perms, xml_node_child(target, "permissions"), flags, err);
}

static int vol_parse_root(VolDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(root, ENUM("type"),
                            ENUM("name", "key", "source", "capacity", "allocation", "physical",
                                 "target", "backingStore"), err) < 0)
                return -1;
        def->type = xml_node_prop(root, "type");
        if (!def->type && !(def->type = strdup("file")))
                return vol_oom(err);
        bool known = false;
        for (size_t i = 0; vol_types[i] && !known; i++)
                known = strcmp(vol_types[i], def->type) == 0;
        if (!known)
                return vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_STORAGE,
                                    "unknown volume type '%s'", def->type);
        def->name = xml_child_text(root, "name");
        if (!def->name || !def->name[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing volume name element");
        def->key = xml_child_text(root, "key");
        bool has_capacity, has_allocation;
        if (storage_parse_size(root, "capacity", &def->capacity, &has_capacity, err) < 0 ||
            storage_parse_size(root, "allocation", &def->allocation, &has_allocation, err) < 0)
                return -1;
        if (!has_capacity)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing capacity element");
        /* libvirt's default: a volume without <allocation> is fully allocated. */
        if (!has_allocation)
                def->allocation = def->capacity;
        xmlNodePtr backing = xml_node_child(root, "backingStore");
        if (backing) {
                if ((flags & XML_FIELDS_VALIDATE) &&
                    xml_check_known(backing, NULL, ENUM("path", "format", "permissions"), err) < 0)
                        return -1;
                def->backing_path = xml_strip(xml_child_text(backing, "path"));
                def->backing_format = xml_node_prop(xml_node_child(backing, "format"), "type");
                if (!def->backing_path || !def->backing_path[0])
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing backing store path");
        }
        xmlNodePtr target = xml_node_child(root, "target");
        return target ? vol_parse_target(def, target, flags, err) : 0;
}

VolDef *vol_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "volume", "storage_volume_definition", err);
        if (!doc)
                return NULL;
        VolDef *def = calloc(1, sizeof *def);
        if (def)
                def->priv = calloc(1, sizeof *def->priv);
        if (!def || !def->priv) {
                free(def);
                xmlFreeDoc(doc);
                vol_oom(err);
                return NULL;
        }
        int r = vol_parse_root(def, xmlDocGetRootElement(doc), (flags & VOL_PARSE_VALIDATE) ? XML_FIELDS_VALIDATE : 0, err);
        xmlFreeDoc(doc);
        return r < 0 ? vol_def_free(def) : def;
}

char *vol_def_format(const VolDef *def, unsigned flags) {
        if (!def || !def->priv)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "volume");
        xml_buf_attr(&b, "type", def->type ? def->type : "file");
        xml_buf_puts(&b, ">\n");
        b.indent = 1;
        xml_buf_text_element(&b, "name", def->name);
        xml_buf_text_element(&b, "key", def->key);
        storage_format_size(&b, "capacity", def->capacity);
        storage_format_size(&b, "allocation", def->allocation);

        XmlBuf c = XML_BUF_CHILD(&b);
        xml_buf_text_element(&c, "path", def->path);
        if (def->format) {
                xml_buf_open(&c, "format");
                xml_buf_attr(&c, "type", def->format);
                xml_buf_puts(&c, "/>\n");
        }
        storage_format_perms(&c, &def->priv->perms);
        if (c.len) {
                xml_buf_open(&b, "target");
                xml_buf_close(&b, "target", &c, false);
        }
        if (def->backing_path) {
                XmlBuf s = XML_BUF_CHILD(&b);
                xml_buf_text_element(&s, "path", def->backing_path);
                if (def->backing_format) {
                        xml_buf_open(&s, "format");
                        xml_buf_attr(&s, "type", def->backing_format);
                        xml_buf_puts(&s, "/>\n");
                }
                xml_buf_open(&b, "backingStore");
                xml_buf_close(&b, "backingStore", &s, false);
        }
        b.indent = 0;
        xml_buf_puts(&b, "</volume>\n");
        return xml_buf_steal(&b);
}

void vol_def_get_perms(const VolDef *def, StoragePermsView *out) {
        storage_perms_view(&def->priv->perms, out);
}

VolDef *vol_def_copy(const VolDef *def) {
        char *xml = vol_def_format(def, 0);
        if (!xml)
                return NULL;
        VolDef *copy = vol_def_parse(xml, strlen(xml), 0, NULL);
        free(xml);
        return copy;
}

VolDef *vol_def_free(VolDef *def) {
        if (!def)
                return NULL;
        free(def->name);
        free(def->key);
        free(def->path);
        free(def->type);
        free(def->format);
        free(def->backing_path);
        free(def->backing_format);
        if (def->priv) {
                storage_free_perms(&def->priv->perms);
                free(def->priv);
        }
        free(def);
        return NULL;
}
