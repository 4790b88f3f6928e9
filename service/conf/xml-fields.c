/* xml-fields.c: table-driven parsing, validation and formatting of flat XML elements, so each
 * element's layout is written once, in libvirt's order, and parse and format cannot drift apart. */
#include "xml-util.h"

#include <stdlib.h>
#include <string.h>

const char *const xml_values_yes_no[] = { "yes", "no", NULL };
const char *const xml_values_on_off[] = { "on", "off", NULL };

static bool str_eq(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static bool same_child(const char *a, const char *b) {
        return (!a && !b) || str_eq(a, b);
}

static char **field_str(const XmlField *f, void *obj) {
        return (char **) ((char *) obj + f->offset);
}

static char *const *field_cstr(const XmlField *f, const void *obj) {
        return (char *const *) ((const char *) obj + f->offset);
}

static const ConfInt *field_cint(const XmlField *f, const void *obj) {
        return (const ConfInt *) ((const char *) obj + f->offset);
}

static bool field_is_set(const XmlField *f, const void *obj) {
        switch (f->kind) {
        case XF_STR:
        case XF_ENUM:
                return *field_cstr(f, obj) != NULL;
        case XF_INT:
        case XF_UINT:
                return field_cint(f, obj)->set;
        case XF_FLAG:
                return *(const bool *) ((const char *) obj + f->offset);
        case XF_KNOWN:
                return false;
        }
        return false;
}

static int schema_error_attr(VbError *err, xmlNodePtr node, const xmlChar *attr) {
        return vb_error_set(err, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
                            "Invalid attribute %s for element %s", (const char *) attr,
                            (const char *) node->name);
}

static int schema_error_child(VbError *err, xmlNodePtr node, xmlNodePtr child) {
        return vb_error_set(err, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
                            "Element %s has extra content: %s", (const char *) node->name,
                            (const char *) child->name);
}

int xml_check_known(xmlNodePtr node, const char *const *attrs, const char *const *children,
                    VbError *err) {
        for (xmlAttrPtr a = node->properties; a; a = a->next) {
                bool ok = false;
                for (size_t i = 0; attrs && attrs[i] && !ok; i++)
                        ok = str_eq(attrs[i], (const char *) a->name);
                if (!ok)
                        return schema_error_attr(err, node, a->name);
        }
        for (xmlNodePtr c = xml_node_child(node, NULL); c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                bool ok = false;
                for (size_t i = 0; children && children[i] && !ok; i++)
                        ok = str_eq(children[i], (const char *) c->name);
                if (!ok)
                        return schema_error_child(err, node, c);
        }
        return 0;
}

/* Is `attr` (NULL for the text) of `child` (NULL for the element itself) in the table?
 * *free_form is set when the caller handles that child itself (XF_KNOWN without attr). */
static bool table_knows(const XmlField *t, size_t n, const char *child, const char *attr,
                        bool *free_form) {
        bool known = false;
        for (size_t i = 0; i < n; i++) {
                if (!same_child(t[i].child, child))
                        continue;
                if (t[i].kind == XF_KNOWN && !t[i].attr && child) {
                        if (free_form)
                                *free_form = true;
                        return true;
                }
                if (!attr || str_eq(t[i].attr, attr))
                        known = true;
        }
        return known;
}

static int table_validate(xmlNodePtr node, const XmlField *t, size_t n, VbError *err) {
        for (xmlAttrPtr a = node->properties; a; a = a->next)
                if (!table_knows(t, n, NULL, (const char *) a->name, NULL))
                        return schema_error_attr(err, node, a->name);
        for (xmlNodePtr c = node->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                        continue;
                bool free_form = false;
                if (!table_knows(t, n, (const char *) c->name, NULL, &free_form))
                        return schema_error_child(err, node, c);
                if (free_form)
                        continue;
                for (xmlAttrPtr a = c->properties; a; a = a->next)
                        if (!table_knows(t, n, (const char *) c->name, (const char *) a->name, NULL))
                                return schema_error_attr(err, c, a->name);
                xmlNodePtr g = xml_node_child(c, NULL);
                if (g)
                        return schema_error_child(err, c, g);
        }
        return 0;
}

static int field_parse(xmlNodePtr target, const XmlField *f, void *obj, VbError *err) {
        if (f->kind == XF_KNOWN)
                return 0;
        if (f->kind == XF_FLAG) {
                *(bool *) ((char *) obj + f->offset) = true;
                return 0;
        }
        char *value = f->attr ? xml_node_prop(target, f->attr) : xml_node_text(target);
        if (!value)
                return 0;
        /* Numbers in element text may be pretty-printed over lines; strings are verbatim. */
        if (!f->attr && (f->kind == XF_INT || f->kind == XF_UINT))
                xml_strip(value);
        int r = 0;
        switch (f->kind) {
        case XF_ENUM: {
                bool ok = false;
                for (size_t i = 0; f->values && f->values[i] && !ok; i++)
                        ok = strcmp(f->values[i], value) == 0;
                if (!ok) {
                        r = f->attr ? xml_error_attr(err, target, f->attr, value, NULL)
                                    : xml_error_value(err, target, value);
                        break;
                }
        }
                /* fall through */
        case XF_STR: {
                char **slot = field_str(f, obj);
                free(*slot);
                *slot = value;
                return 0;
        }
        case XF_INT:
        case XF_UINT: {
                ConfInt *slot = (ConfInt *) ((char *) obj + f->offset);
                int64_t v;
                uint64_t u;
                bool ok = f->kind == XF_INT ? xml_parse_i64(value, &v) == 0
                                            : xml_parse_u64(value, &u) == 0 && u <= INT64_MAX;
                if (!ok) {
                        r = f->attr ? xml_error_attr(err, target, f->attr, value,
                                                     f->kind == XF_INT ? "integer"
                                                                       : "non-negative integer")
                                    : xml_error_value(err, target, value);
                        break;
                }
                slot->set = true;
                slot->v = f->kind == XF_INT ? (long long) v : (long long) u;
                break;
        }
        default:
                break;
        }
        free(value);
        return r;
}

int xml_fields_parse(xmlNodePtr node, const XmlField *t, size_t n, void *obj, unsigned flags,
                     VbError *err) {
        if ((flags & XML_FIELDS_VALIDATE) && table_validate(node, t, n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                xmlNodePtr target = t[i].child ? xml_node_child(node, t[i].child) : node;
                if (target && field_parse(target, &t[i], obj, err) < 0)
                        return -1;
        }
        return 0;
}

void xml_fields_free(const XmlField *t, size_t n, void *obj) {
        for (size_t i = 0; i < n; i++) {
                if (t[i].kind != XF_STR && t[i].kind != XF_ENUM)
                        continue;
                char **slot = field_str(&t[i], obj);
                free(*slot);
                *slot = NULL;
        }
}

static void field_format_attr(XmlBuf *b, const XmlField *f, const void *obj) {
        if (f->kind == XF_STR || f->kind == XF_ENUM)
                xml_buf_attr(b, f->attr, *field_cstr(f, obj));
        else if ((f->kind == XF_INT || f->kind == XF_UINT) && field_cint(f, obj)->set)
                xml_buf_attr_int(b, f->attr, field_cint(f, obj)->v);
}

static void field_format_text(XmlBuf *b, const XmlField *f, const void *obj) {
        if (f->kind == XF_STR || f->kind == XF_ENUM)
                xml_buf_escape(b, *field_cstr(f, obj));
        else if (f->kind == XF_INT || f->kind == XF_UINT)
                xml_buf_printf(b, "%lld", field_cint(f, obj)->v);
}

/* Attributes and text of the fields [from, to) that all address the same element. */
static void group_format(XmlBuf *b, const char *name, const XmlField *t, size_t from, size_t to,
                         const void *obj, XmlBuf *children) {
        const XmlField *text = NULL;
        xml_buf_open(b, name);
        for (size_t i = from; i < to; i++) {
                if (!t[i].attr && (t[i].kind != XF_FLAG && t[i].kind != XF_KNOWN)) {
                        if (field_is_set(&t[i], obj))
                                text = &t[i];
                } else if (t[i].attr) {
                        field_format_attr(b, &t[i], obj);
                }
        }
        if (text) {
                xml_buf_puts(b, ">");
                field_format_text(b, text, obj);
                xml_buf_printf(b, "</%s>\n", name);
                if (children)
                        xml_buf_reset(children);
        } else {
                xml_buf_close(b, name, children, false);
        }
}

void xml_fields_format_attrs(XmlBuf *b, const XmlField *t, size_t n, const void *obj) {
        for (size_t i = 0; i < n; i++)
                if (!t[i].child && t[i].attr)
                        field_format_attr(b, &t[i], obj);
}

void xml_fields_format_children(XmlBuf *c, const XmlField *t, size_t n, const void *obj,
                                XmlFieldHook hook) {
        size_t i = 0;
        while (i < n) {
                if (!t[i].child) {
                        i++;
                        continue;
                }
                size_t j = i;
                bool any = false, custom = false;
                while (j < n && same_child(t[j].child, t[i].child)) {
                        any = any || field_is_set(&t[j], obj);
                        custom = custom || (t[j].kind == XF_KNOWN && !t[j].attr);
                        j++;
                }
                if (custom) {
                        if (hook)
                                hook(c, t[i].child, obj);
                } else if (any) {
                        group_format(c, t[i].child, t, i, j, obj, NULL);
                }
                i = j;
        }
}

void xml_fields_format(XmlBuf *b, const char *name, const XmlField *t, size_t n, const void *obj,
                       XmlFieldHook hook) {
        XmlBuf children = XML_BUF_CHILD(b);
        xml_fields_format_children(&children, t, n, obj, hook);
        size_t self_end = 0;
        XmlField self[32];
        for (size_t i = 0; i < n && self_end < XML_N(self); i++)
                if (!t[i].child)
                        self[self_end++] = t[i];
        group_format(b, name, self, 0, self_end, obj, &children);
}

bool xml_fields_any_set(const XmlField *t, size_t n, const void *obj) {
        for (size_t i = 0; i < n; i++)
                if (field_is_set(&t[i], obj))
                        return true;
        return false;
}
