/* xml-util.h: hardened XML reading (no DOCTYPE, no network, size and depth limits) and small helpers shared by conf/. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>

#include "error.h"

#define XML_MAX_SIZE (4u * 1024u * 1024u)  /* bytes */
#define XML_MAX_DEPTH 64u                  /* element nesting */

/* Parse an untrusted document. Size and depth are checked on the raw bytes before any tree is
 * built; a DOCTYPE is refused; no entity expansion, no network. root_name: expected root element.
 * what: names the document in messages ("domain_definition"). */
xmlDocPtr xml_read_untrusted(const char *xml, size_t len, const char *root_name,
                             const char *what, VbError *err);

/* The cheap pre-parse pass of xml_read_untrusted: 0, or -1 with err set when the bytes are
 * too large, nest deeper than max_depth, or carry a DOCTYPE / markup declaration. */
int xml_check_raw(const char *xml, size_t len, unsigned max_depth, const char *what, VbError *err);

/* ---- reading a tree ---- */

/* First element child of node called name (any name when name is NULL), or NULL. */
xmlNodePtr xml_node_child(xmlNodePtr node, const char *name);
/* The next element sibling after node with the same name as node (for iterating repeats). */
xmlNodePtr xml_node_next_same(xmlNodePtr node);
/* Count the element children called name. */
size_t xml_node_count(xmlNodePtr node, const char *name);
/* Attribute (without namespace) as a malloc'ed string, or NULL when absent. */
char *xml_node_prop(xmlNodePtr node, const char *name);
/* Text content as a malloc'ed string ("" for an empty element; NULL only on OOM or NULL node). */
char *xml_node_text(xmlNodePtr node);
/* The text of child `name`, malloc'ed, or NULL when the child is absent. */
char *xml_child_text(xmlNodePtr node, const char *name);
/* libvirt-style location of node for messages: "./cputune/shares[1]". */
void xml_node_path(xmlNodePtr node, char *out, size_t size);

/* Trim surrounding whitespace in place (numbers in element text may be pretty-printed);
 * returns s. NULL stays NULL. */
char *xml_strip(char *s);
/* Strict decimal numbers: optional leading sign only for the signed form, no spaces, no junk. */
int xml_parse_u64(const char *s, uint64_t *out);
int xml_parse_i64(const char *s, int64_t *out);
/* value * (unit's scale); unit NULL or "" means default_scale. libvirt's unit names (b, bytes,
 * k, KiB, KB, M, MiB, MB, G, GiB, GB, T, TiB, TB, P, PiB, PB, E, EiB, EB). Refuses unknown units
 * (VB_ERR_INVALID_ARG "unknown suffix") and overflow. */
int xml_scale_u64(uint64_t value, const char *unit, uint64_t default_scale, uint64_t *out,
                  VbError *err);

/* Errors every parser reports the same way (VB_ERR_XML_ERROR from VB_FROM_XML). */
int xml_error_attr(VbError *err, xmlNodePtr node, const char *attr, const char *value,
                   const char *expected);
int xml_error_value(VbError *err, xmlNodePtr node, const char *value);

/* Grow *array (of elements of size `size`, *n of them) by one zeroed element; NULL on OOM. */
void *conf_array_add(void *array_ptr, size_t *n, size_t size);
/* strdup that keeps NULL. -1 on OOM. */
int conf_strdup(char **dst, const char *src);

/* ---- formatting ---- */

/* A growing output buffer. indent counts levels of two spaces. Allocation failure is sticky:
 * later writes are ignored and xml_buf_steal returns NULL. */
typedef struct XmlBuf {
        char *data;
        size_t len, cap;
        unsigned indent;
        bool oom;
} XmlBuf;

#define XML_BUF_INIT { NULL, 0, 0, 0, false }
/* An empty buffer for the child elements of an element being written at b's level. */
#define XML_BUF_CHILD(b) { NULL, 0, 0, (b)->indent + 1, false }

void xml_buf_add(XmlBuf *b, const char *s, size_t n);
void xml_buf_puts(XmlBuf *b, const char *s);
void xml_buf_printf(XmlBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xml_buf_escape(XmlBuf *b, const char *s);
void xml_buf_indent(XmlBuf *b);
/* "<name" at the current indent. */
void xml_buf_open(XmlBuf *b, const char *name);
/* " name='value'" (escaped) when value is not NULL. */
void xml_buf_attr(XmlBuf *b, const char *name, const char *value);
void xml_buf_attr_int(XmlBuf *b, const char *name, long long value);
void xml_buf_attr_uint(XmlBuf *b, const char *name, unsigned long long value);
/* End an element opened with xml_buf_open: "/>" when children is empty, otherwise ">", the
 * children and "</name>". pair forces the open/close form even without children (libvirt
 * writes <source>\n</source> for pools). children is consumed (may be NULL). */
void xml_buf_close(XmlBuf *b, const char *name, XmlBuf *children, bool pair);
/* "<name>text</name>" line when text is not NULL. */
void xml_buf_text_element(XmlBuf *b, const char *name, const char *text);
/* Append another buffer's content, consuming it. */
void xml_buf_append(XmlBuf *b, XmlBuf *other);
void xml_buf_reset(XmlBuf *b);
/* The NUL-terminated result (never NULL for an empty buffer), or NULL after OOM. */
char *xml_buf_steal(XmlBuf *b);

/* ---- declarative fields ---- */

/* An optional integer: drivers test .set before reading .v. */
typedef struct ConfInt {
        bool set;
        long long v;
} ConfInt;

typedef enum XmlFieldKind {
        XF_STR,         /* char *: any text */
        XF_ENUM,        /* char *: one of values[] */
        XF_INT,         /* ConfInt: signed decimal */
        XF_UINT,        /* ConfInt: non-negative decimal */
        XF_FLAG,        /* bool: the child element is present (<readonly/>); attr must be NULL */
        XF_KNOWN,       /* nothing stored: a child/attribute the caller handles itself */
} XmlFieldKind;

/* One attribute or text of an element or of one of its child elements. A table lists them in
 * libvirt's output order; consecutive entries with the same child form one child element. */
typedef struct XmlField {
        const char *child;              /* child element name, NULL = the element itself */
        const char *attr;               /* attribute name, NULL = the element's text */
        XmlFieldKind kind;
        size_t offset;                  /* in the struct the table describes */
        const char *const *values;      /* XF_ENUM: allowed values, NULL-terminated */
} XmlField;

#define XML_FIELDS_VALIDATE 1u   /* refuse attributes and children the table does not know */

extern const char *const xml_values_yes_no[];
extern const char *const xml_values_on_off[];

/* Called for each XF_KNOWN child group while formatting, to write what the caller handles. */
typedef void (*XmlFieldHook)(XmlBuf *children, const char *child, const void *obj);

int xml_fields_parse(xmlNodePtr node, const XmlField *t, size_t n, void *obj, unsigned flags,
                     VbError *err);
void xml_fields_free(const XmlField *t, size_t n, void *obj);
void xml_fields_format_attrs(XmlBuf *b, const XmlField *t, size_t n, const void *obj);
void xml_fields_format_children(XmlBuf *children, const XmlField *t, size_t n, const void *obj,
                                XmlFieldHook hook);
/* The whole element: attributes, text or child elements (hook writes XF_KNOWN children). */
void xml_fields_format(XmlBuf *b, const char *name, const XmlField *t, size_t n, const void *obj,
                       XmlFieldHook hook);
/* Whether any field of the table has a value (to omit empty optional sections). */
bool xml_fields_any_set(const XmlField *t, size_t n, const void *obj);
/* Refuse attributes of node outside attrs[] and child elements outside children[] (both
 * NULL-terminated, either may be NULL), with the schema validation message. */
int xml_check_known(xmlNodePtr node, const char *const *attrs, const char *const *children,
                    VbError *err);

#define XML_N(t) (sizeof(t) / sizeof((t)[0]))
