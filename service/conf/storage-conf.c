/* storage-conf.c: <pool> parse and format, and the size and permission elements pools and volumes share. */
#include "storage-conf.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "storage-priv.h"
#include "uuid.h"

#define ENUM(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const char *const pool_types[] = {
        "dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct", "scsi", "mpath",
        "rbd", "sheepdog", "gluster", "zfs", "vstorage", NULL,
};

/* Pool types whose storage libvirt reaches through a local directory or device path (a
 * logical pool's is /dev/<volume group>, set by its backend). */
static const char *const pool_types_with_target[] = {
        "dir", "fs", "netfs", "disk", "iscsi", "scsi", "mpath", NULL,
};

static const XmlField host_fields[] = {
        { NULL, "name", XF_STR, offsetof(PoolSourceHost, name), NULL },
        { NULL, "port", XF_UINT, offsetof(PoolSourceHost, port), NULL },
};

static const XmlField device_fields[] = {
        { NULL, "path", XF_STR, offsetof(PoolSourceDevice, path), NULL },
        { "freeExtent", NULL, XF_KNOWN, 0, NULL },
};

/* The single-valued part of <source>, in output order after hosts and devices. */
static const XmlField source_fields[] = {
        { "host", NULL, XF_KNOWN, 0, NULL },
        { "device", NULL, XF_KNOWN, 0, NULL },
        { "dir", "path", XF_STR, offsetof(PoolDefPrivate, source_dir), NULL },
        { "adapter", NULL, XF_KNOWN, 0, NULL },
        { "name", NULL, XF_STR, offsetof(PoolDefPrivate, source_name), NULL },
        { "format", "type", XF_STR, offsetof(PoolDefPrivate, source_format), NULL },
        { "auth", NULL, XF_KNOWN, 0, NULL },
        { "initiator", NULL, XF_KNOWN, 0, NULL },
        { "vendor", NULL, XF_KNOWN, 0, NULL },
        { "product", NULL, XF_KNOWN, 0, NULL },
};

static int storage_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_STORAGE, NULL);
}

static bool str_in(const char *s, const char *const *list) {
        for (size_t i = 0; s && list[i]; i++)
                if (strcmp(s, list[i]) == 0)
                        return true;
        return false;
}

/* ---- shared with volumes ---- */

static int perms_parse_id(xmlNodePtr node, const char *name, int base, long long max,
                          ConfInt *out, const char *what, VbError *err) {
        char *text = xml_strip(xml_child_text(node, name));
        if (!text)
                return 0;
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, base);
        bool ok = !errno && end != text && !*end && v >= -1 && v <= max && (base != 8 || v >= 0);
        free(text);
        if (!ok)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "%s", what);
        *out = (ConfInt) { true, v };
        return 0;
}

int storage_parse_perms(StoragePerms *perms, xmlNodePtr node, unsigned flags, VbError *err) {
        if (!node)
                return 0;
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(node, NULL, ENUM("mode", "owner", "group", "label"), err) < 0)
                return -1;
        if (perms_parse_id(node, "mode", 8, 07777, &perms->mode, "malformed octal mode", err) < 0 ||
            perms_parse_id(node, "owner", 10, UINT32_MAX, &perms->owner, "malformed owner element", err) < 0 ||
            perms_parse_id(node, "group", 10, UINT32_MAX, &perms->group, "malformed group element", err) < 0)
                return -1;
        perms->label = xml_child_text(node, "label");
        return 0;
}

void storage_format_perms(XmlBuf *b, const StoragePerms *perms) {
        if (!perms->mode.set && !perms->owner.set && !perms->group.set && !perms->label)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        if (perms->mode.set) {
                xml_buf_indent(&c);
                xml_buf_printf(&c, "<mode>%04llo</mode>\n", (unsigned long long) perms->mode.v);
        }
        if (perms->owner.set) {
                xml_buf_indent(&c);
                xml_buf_printf(&c, "<owner>%lld</owner>\n", perms->owner.v);
        }
        if (perms->group.set) {
                xml_buf_indent(&c);
                xml_buf_printf(&c, "<group>%lld</group>\n", perms->group.v);
        }
        xml_buf_text_element(&c, "label", perms->label);
        xml_buf_open(b, "permissions");
        xml_buf_close(b, "permissions", &c, false);
}

void storage_perms_view(const StoragePerms *perms, StoragePermsView *out) {
        out->mode = perms->mode.set ? (int) perms->mode.v : -1;
        out->owner = perms->owner.set ? perms->owner.v : -1;
        out->group = perms->group.set ? perms->group.v : -1;
}

void pool_def_get_perms(const PoolDef *def, StoragePermsView *out) {
        storage_perms_view(&def->priv->perms, out);
}

void pool_def_get_iscsi_source(const PoolDef *def, PoolIscsiSourceView *out) {
        const PoolDefPrivate *p = def->priv;
        *out = (PoolIscsiSourceView) { .port = -1, .n_hosts = p->n_hosts, .n_devices = p->n_devices,
                                       .initiator_iqn = p->initiator_iqn, .chap_username = p->auth_username,
                                       .chap_secret_usage = p->auth_secret_usage,
                                       .chap_secret_uuid = p->auth_secret_uuid };
        if (p->n_hosts) {
                out->host = p->hosts[0].name;
                out->port = p->hosts[0].port.set ? p->hosts[0].port.v : -1;
        }
        if (p->n_devices)
                out->device = p->devices[0].path;
}

void pool_def_get_source(const PoolDef *def, PoolSourceView *out) {
        const PoolDefPrivate *p = def->priv;
        *out = (PoolSourceView) { .name = p->source_name, .format = p->source_format };
        for (size_t i = 0; i < p->n_devices && out->n_devices < 16; i++)
                if (p->devices[i].path)
                        out->devices[out->n_devices++] = p->devices[i].path;
}

int pool_def_set_source(PoolDef *def, const char *name, const char *format) {
        PoolDefPrivate *p = def->priv;
        char *n = name ? strdup(name) : NULL, *f = format ? strdup(format) : NULL;
        if ((name && !n) || (format && !f)) {
                free(n);
                free(f);
                return -ENOMEM;
        }
        if (name) {
                free(p->source_name);
                p->source_name = n;
        }
        if (format) {
                free(p->source_format);
                p->source_format = f;
        }
        return 0;
}

void storage_free_perms(StoragePerms *perms) {
        free(perms->label);
        perms->label = NULL;
}

int storage_parse_size(xmlNodePtr parent, const char *name, uint64_t *bytes, bool *present,
                       VbError *err) {
        xmlNodePtr node = xml_node_child(parent, name);
        if (present)
                *present = node != NULL;
        if (!node)
                return 0;
        char *text = xml_strip(xml_node_text(node));
        char *unit = xml_node_prop(node, "unit");
        uint64_t value;
        int r;
        if (!text || xml_parse_u64(text, &value) < 0)
                r = vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "malformed %s element", name);
        else
                r = xml_scale_u64(value, unit, 1, bytes, err);
        free(text);
        free(unit);
        return r;
}

void storage_format_size(XmlBuf *b, const char *name, uint64_t bytes) {
        xml_buf_indent(b);
        xml_buf_printf(b, "<%s unit='bytes'>%llu</%s>\n", name, (unsigned long long) bytes, name);
}

/* ---- pools ---- */

/* <auth type='chap' username='…'><secret usage='…'/></auth>: libvirt's iSCSI CHAP. The password
 * itself never appears in the XML: it is the value of the secret named here. */
static int pool_parse_auth(PoolDefPrivate *p, xmlNodePtr auth, VbError *err) {
        p->auth_type = xml_node_prop(auth, "type");
        if (!p->auth_type)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing auth type attribute");
        if (strcmp(p->auth_type, "chap") != 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "unknown auth type '%s'", p->auth_type);
        p->auth_username = xml_node_prop(auth, "username");
        if (!p->auth_username || !p->auth_username[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing username for auth");
        xmlNodePtr sec = xml_node_child(auth, "secret");
        if (!sec)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing auth secret node");
        p->auth_secret_usage = xml_node_prop(sec, "usage");
        p->auth_secret_uuid = xml_node_prop(sec, "uuid");
        uint8_t u[16];
        if (!p->auth_secret_usage == !p->auth_secret_uuid)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "either auth secret uuid or usage expected");
        if (p->auth_secret_uuid && uuid_parse(p->auth_secret_uuid, u) < 0)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "malformed auth secret uuid '%s'",
                                    p->auth_secret_uuid);
        return 0;
}

static void pool_format_auth(XmlBuf *c, const PoolDefPrivate *p) {
        XmlBuf s = XML_BUF_CHILD(c);
        xml_buf_open(&s, "secret");
        if (p->auth_secret_uuid)
                xml_buf_attr(&s, "uuid", p->auth_secret_uuid);
        else
                xml_buf_attr(&s, "usage", p->auth_secret_usage);
        xml_buf_close(&s, "secret", NULL, false);
        xml_buf_open(c, "auth");
        xml_buf_attr(c, "type", p->auth_type);
        xml_buf_attr(c, "username", p->auth_username);
        xml_buf_close(c, "auth", &s, false);
}

static int pool_parse_source(PoolDef *def, xmlNodePtr src, unsigned flags, VbError *err) {
        PoolDefPrivate *p = def->priv;
        if (xml_fields_parse(src, source_fields, XML_N(source_fields), p, flags, err) < 0)
                return -1;
        for (xmlNodePtr h = xml_node_child(src, "host"); h; h = xml_node_next_same(h)) {
                PoolSourceHost *host = conf_array_add(&p->hosts, &p->n_hosts, sizeof *host);
                if (!host)
                        return storage_oom(err);
                if (xml_fields_parse(h, host_fields, XML_N(host_fields), host, flags, err) < 0)
                        return -1;
        }
        for (xmlNodePtr d = xml_node_child(src, "device"); d; d = xml_node_next_same(d)) {
                PoolSourceDevice *dev = conf_array_add(&p->devices, &p->n_devices, sizeof *dev);
                if (!dev)
                        return storage_oom(err);
                if (xml_fields_parse(d, device_fields, XML_N(device_fields), dev, flags, err) < 0)
                        return -1;
        }
        xmlNodePtr ini = xml_node_child(src, "initiator");
        xmlNodePtr iqn = ini ? xml_node_child(ini, "iqn") : NULL;
        if (iqn && !(p->initiator_iqn = xml_node_prop(iqn, "name")))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "missing iqn name");
        xmlNodePtr auth = xml_node_child(src, "auth");
        return auth ? pool_parse_auth(p, auth, err) : 0;
}

static int pool_parse_root(PoolDef *def, xmlNodePtr root, unsigned flags, VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) &&
            xml_check_known(root, ENUM("type"),
                            ENUM("name", "uuid", "capacity", "allocation", "available", "source",
                                 "target"), err) < 0)
                return -1;
        def->type = xml_node_prop(root, "type");
        if (!def->type)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "Missing required attribute 'type' in element 'pool'");
        if (!str_in(def->type, pool_types))
                return xml_error_attr(err, root, "type", def->type, NULL);
        def->name = xml_child_text(root, "name");
        if (!def->name || !def->name[0])
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "missing pool source name element");
        char *uuid = xml_strip(xml_child_text(root, "uuid"));
        int r = uuid ? uuid_parse(uuid, def->uuid) : uuid_generate(def->uuid);
        free(uuid);
        if (r == -EINVAL)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "malformed uuid element");
        if (r < 0)
                return vb_error_errno(err, r, "uuid_generate");
        if (storage_parse_size(root, "capacity", &def->capacity, NULL, err) < 0 ||
            storage_parse_size(root, "allocation", &def->allocation, NULL, err) < 0 ||
            storage_parse_size(root, "available", &def->available, NULL, err) < 0)
                return -1;
        xmlNodePtr src = xml_node_child(root, "source");
        if (src && pool_parse_source(def, src, flags, err) < 0)
                return -1;
        xmlNodePtr target = xml_node_child(root, "target");
        if (target) {
                if ((flags & XML_FIELDS_VALIDATE) &&
                    xml_check_known(target, NULL, ENUM("path", "permissions"), err) < 0)
                        return -1;
                def->target_path = xml_child_text(target, "path");
                if (storage_parse_perms(&def->priv->perms, xml_node_child(target, "permissions"),
                                        flags, err) < 0)
                        return -1;
        }
        if (!def->target_path && str_in(def->type, pool_types_with_target))
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "missing storage pool target path");
        return 0;
}

PoolDef *pool_def_parse(const char *xml, size_t len, unsigned flags, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "pool", "storage_pool_definition", err);
        if (!doc)
                return NULL;
        PoolDef *def = calloc(1, sizeof *def);
        if (def)
                def->priv = calloc(1, sizeof *def->priv);
        if (!def || !def->priv) {
                free(def);
                xmlFreeDoc(doc);
                storage_oom(err);
                return NULL;
        }
        int r = pool_parse_root(def, xmlDocGetRootElement(doc), (flags & POOL_PARSE_VALIDATE) ? XML_FIELDS_VALIDATE : 0, err);
        xmlFreeDoc(doc);
        return r < 0 ? pool_def_free(def) : def;
}

static void pool_source_hook(XmlBuf *c, const char *child, const void *obj) {
        const PoolDefPrivate *p = obj;
        if (strcmp(child, "host") == 0)
                for (size_t i = 0; i < p->n_hosts; i++)
                        xml_fields_format(c, "host", host_fields, XML_N(host_fields), &p->hosts[i], NULL);
        else if (strcmp(child, "device") == 0)
                for (size_t i = 0; i < p->n_devices; i++)
                        xml_fields_format(c, "device", device_fields, XML_N(device_fields),
                                          &p->devices[i], NULL);
        else if (strcmp(child, "auth") == 0 && p->auth_type)
                pool_format_auth(c, p);
        else if (strcmp(child, "initiator") == 0 && p->initiator_iqn) {
                XmlBuf i = XML_BUF_CHILD(c);
                xml_buf_open(&i, "iqn");
                xml_buf_attr(&i, "name", p->initiator_iqn);
                xml_buf_close(&i, "iqn", NULL, false);
                xml_buf_open(c, "initiator");
                xml_buf_close(c, "initiator", &i, false);
        }
}

char *pool_def_format(const PoolDef *def, unsigned flags) {
        if (!def || !def->priv)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "pool");
        xml_buf_attr(&b, "type", def->type);
        xml_buf_puts(&b, ">\n");
        b.indent = 1;
        char uuid[UUID_STRING_LEN];
        uuid_format(def->uuid, uuid);
        xml_buf_text_element(&b, "name", def->name);
        xml_buf_text_element(&b, "uuid", uuid);
        storage_format_size(&b, "capacity", def->capacity);
        storage_format_size(&b, "allocation", def->allocation);
        storage_format_size(&b, "available", def->available);

        XmlBuf c = XML_BUF_CHILD(&b);
        xml_fields_format_children(&c, source_fields, XML_N(source_fields), def->priv, pool_source_hook);
        xml_buf_open(&b, "source");
        xml_buf_close(&b, "source", &c, true);

        c = (XmlBuf) XML_BUF_CHILD(&b);
        xml_buf_text_element(&c, "path", def->target_path);
        storage_format_perms(&c, &def->priv->perms);
        if (c.len) {
                xml_buf_open(&b, "target");
                xml_buf_close(&b, "target", &c, false);
        }
        b.indent = 0;
        xml_buf_puts(&b, "</pool>\n");
        return xml_buf_steal(&b);
}

PoolDef *pool_def_copy(const PoolDef *def) {
        char *xml = pool_def_format(def, 0);
        if (!xml)
                return NULL;
        PoolDef *copy = pool_def_parse(xml, strlen(xml), 0, NULL);
        free(xml);
        return copy;
}

PoolDef *pool_def_free(PoolDef *def) {
        if (!def)
                return NULL;
        free(def->type);
        free(def->name);
        free(def->target_path);
        PoolDefPrivate *p = def->priv;
        if (p) {
                for (size_t i = 0; i < p->n_hosts; i++)
                        xml_fields_free(host_fields, XML_N(host_fields), &p->hosts[i]);
                for (size_t i = 0; i < p->n_devices; i++)
                        xml_fields_free(device_fields, XML_N(device_fields), &p->devices[i]);
                free(p->hosts);
                free(p->devices);
                free(p->initiator_iqn);
                free(p->auth_type);
                free(p->auth_username);
                free(p->auth_secret_usage);
                free(p->auth_secret_uuid);
                xml_fields_free(source_fields, XML_N(source_fields), p);
                storage_free_perms(&p->perms);
                free(p);
        }
        free(def);
        return NULL;
}
