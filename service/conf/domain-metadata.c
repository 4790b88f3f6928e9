/* domain-metadata.c: <metadata> kept verbatim per namespace, and libvirt's Get/SetMetadata on title, description and metadata. */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlstring.h>

#include "domain-priv.h"

static int metadata_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

static xmlNodePtr metadata_root(const DomainDefPrivate *p) {
        return p->metadata ? xmlDocGetRootElement(p->metadata) : NULL;
}

static xmlNodePtr metadata_root_ensure(DomainDefPrivate *p) {
        if (p->metadata)
                return xmlDocGetRootElement(p->metadata);
        xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "metadata", NULL) : NULL;
        if (!root) {
                xmlFreeDoc(doc);
                return NULL;
        }
        xmlDocSetRootElement(doc, root);
        p->metadata = doc;
        return root;
}

/* An empty <metadata> is not written, so it is not kept either. */
static void metadata_drop_if_empty(DomainDefPrivate *p) {
        if (p->metadata && !xml_node_child(metadata_root(p), NULL)) {
                xmlFreeDoc(p->metadata);
                p->metadata = NULL;
        }
}

static xmlNodePtr metadata_find(const DomainDefPrivate *p, const char *uri) {
        for (xmlNodePtr c = xml_node_child(metadata_root(p), NULL); c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
                    xmlStrEqual(c->ns->href, BAD_CAST uri))
                        return c;
        return NULL;
}

/* Each application owns one namespace and one element in it (libvirt's rule): content without
 * a namespace, or a second element of the same namespace, is dropped. The copy carries the
 * namespace declarations it needs, wherever the original document had put them. */
int domain_metadata_parse(DomainDefPrivate *p, xmlNodePtr node, VbError *err) {
        for (xmlNodePtr c = xml_node_child(node, NULL); c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE || !c->ns || !c->ns->href)
                        continue;
                if (metadata_find(p, (const char *) c->ns->href))
                        continue;
                xmlNodePtr root = metadata_root_ensure(p);
                xmlNodePtr copy = root ? xmlDocCopyNode(c, p->metadata, 1) : NULL;
                if (!copy)
                        return metadata_oom(err);
                xmlAddChild(root, copy);
        }
        return 0;
}

static char *metadata_dump(xmlDocPtr doc, xmlNodePtr node, int level, int format) {
        xmlBufferPtr xb = xmlBufferCreate();
        if (!xb)
                return NULL;
        char *r = NULL;
        if (xmlNodeDump(xb, doc, node, level, format) >= 0)
                r = strdup((const char *) xmlBufferContent(xb));
        xmlBufferFree(xb);
        return r;
}

void domain_metadata_format(XmlBuf *b, const DomainDefPrivate *p) {
        xmlNodePtr root = metadata_root(p);
        if (!xml_node_child(root, NULL))
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (xmlNodePtr n = root->children; n; n = n->next) {
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                /* libxml2 indents the inner lines from the level; the first is ours to indent. */
                char *s = metadata_dump(p->metadata, n, (int) c.indent, 1);
                if (!s) {
                        c.oom = true;
                        break;
                }
                xml_buf_indent(&c);
                xml_buf_puts(&c, s);
                xml_buf_puts(&c, "\n");
                free(s);
        }
        xml_buf_open(b, "metadata");
        xml_buf_close(b, "metadata", &c, false);
}

/* libvirt hands an element back without the namespace it is filed under: the client named
 * that namespace in the call, and gets <foo/> for what it set as <foo/>. */
static void metadata_strip_ns(xmlNodePtr node, const char *uri) {
        if (node->ns && node->ns->href && strcmp((const char *) node->ns->href, uri) == 0)
                node->ns = NULL;
        for (xmlNsPtr *pp = &node->nsDef; *pp;) {
                xmlNsPtr ns = *pp;
                if (ns->href && strcmp((const char *) ns->href, uri) == 0) {
                        *pp = ns->next;
                        ns->next = NULL;
                        xmlFreeNs(ns);
                } else {
                        pp = &ns->next;
                }
        }
        for (xmlNodePtr c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        metadata_strip_ns(c, uri);
}

static char *metadata_export(xmlNodePtr node, const char *uri) {
        xmlDocPtr doc = xmlNewDoc((const xmlChar *) "1.0");
        if (!doc)
                return NULL;
        xmlNodePtr copy = xmlDocCopyNode(node, doc, 1);
        char *r = NULL;
        if (copy) {
                xmlDocSetRootElement(doc, copy);
                /* The copy carries the namespaces it uses as its own declarations. */
                xmlReconciliateNs(doc, copy);
                metadata_strip_ns(copy, uri);
                r = metadata_dump(doc, copy, 0, 1);
        }
        xmlFreeDoc(doc);
        return r;
}

static int metadata_missing(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_DOMAIN_METADATA, VB_FROM_DOMAIN,
                            "Requested metadata element is not present");
}

int domain_def_get_metadata(const DomainDef *def, int type, const char *uri, char **out,
                            VbError *err) {
        *out = NULL;
        const char *text;
        switch (type) {
        case DOMAIN_METADATA_DESCRIPTION:
        case DOMAIN_METADATA_TITLE:
                text = type == DOMAIN_METADATA_TITLE ? def->title : def->description;
                if (!text)
                        return metadata_missing(err);
                *out = strdup(text);
                return *out ? 0 : metadata_oom(err);
        case DOMAIN_METADATA_ELEMENT: {
                if (!uri)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "a namespace URI is required for element metadata");
                xmlNodePtr node = metadata_find(def->priv, uri);
                if (!node)
                        return metadata_missing(err);
                *out = metadata_export(node, uri);
                return *out ? 0 : metadata_oom(err);
        }
        default:
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "unknown metadata type '%d'", type);
        }
}

/* The element the client gave, and its descendants without a namespace of their own, move
 * into (key, uri): that is how the client's element becomes findable by its URI. */
static void metadata_apply_ns(xmlNodePtr node, xmlNsPtr ns, bool top) {
        if (top || !node->ns)
                node->ns = ns;
        for (xmlNodePtr c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE)
                        metadata_apply_ns(c, ns, false);
}

static int metadata_prepare_element(DomainDefPrivate *p, const char *xml, const char *key,
                                    const char *uri, xmlNodePtr *out, VbError *err) {
        if (!key)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "a namespace prefix (key) is required for element metadata");
        if (xmlValidateNCName(BAD_CAST key, 0) != 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "failed to validate prefix for a new XML namespace '%s'", key);
        xmlDocPtr doc = xml_read_untrusted(xml, strlen(xml), NULL, "metadata_xml", err);
        if (!doc)
                return -1;
        xmlNodePtr root = metadata_root_ensure(p);
        xmlNodePtr copy = root ? xmlDocCopyNode(xmlDocGetRootElement(doc), p->metadata, 1) : NULL;
        xmlFreeDoc(doc);
        if (!copy) {
                metadata_drop_if_empty(p);
                return metadata_oom(err);
        }
        xmlNsPtr ns = NULL;
        for (xmlNsPtr d = copy->nsDef; d; d = d->next)
                if (d->prefix && xmlStrEqual(d->prefix, BAD_CAST key))
                        ns = d;
        if (ns && !xmlStrEqual(ns->href, BAD_CAST uri)) {
                xmlFreeNode(copy);
                metadata_drop_if_empty(p);
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "namespace prefix '%s' is already bound to another URI", key);
        }
        if (!ns)
                ns = xmlNewNs(copy, BAD_CAST uri, BAD_CAST key);
        if (!ns) {
                xmlFreeNode(copy);
                metadata_drop_if_empty(p);
                return metadata_oom(err);
        }
        metadata_apply_ns(copy, ns, true);
        *out = copy;
        return 0;
}

int domain_def_set_metadata(DomainDef *def, int type, const char *text, const char *key,
                            const char *uri, VbError *err) {
        bool remove = !text || !*text;
        char **slot;
        /* The remote door passes strings unchecked; what is stored must format as XML. */
        if (!remove && !xmlCheckUTF8(BAD_CAST text))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "metadata text is not valid UTF-8");
        switch (type) {
        case DOMAIN_METADATA_TITLE:
                if (!remove && strchr(text, '\n'))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "Domain title can't contain newlines");
                slot = &def->title;
                break;
        case DOMAIN_METADATA_DESCRIPTION:
                slot = &def->description;
                break;
        case DOMAIN_METADATA_ELEMENT: {
                if (!uri)
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                            "a namespace URI is required for element metadata");
                DomainDefPrivate *p = def->priv;
                xmlNodePtr fresh = NULL;
                if (!remove && metadata_prepare_element(p, text, key, uri, &fresh, err) < 0)
                        return -1;
                for (xmlNodePtr old; (old = metadata_find(p, uri));) {
                        xmlUnlinkNode(old);
                        xmlFreeNode(old);
                }
                if (fresh)
                        xmlAddChild(metadata_root(p), fresh);
                metadata_drop_if_empty(p);
                return 0;
        }
        default:
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN,
                                    "unknown metadata type '%d'", type);
        }
        char *copy = NULL;
        if (!remove && !(copy = strdup(text)))
                return metadata_oom(err);
        free(*slot);
        *slot = copy;
        return 0;
}
