/* xml-util.c: hardened reading of untrusted XML and the tree helpers every conf/ parser uses. */
#include "xml-util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* ---- the raw pre-parse pass ---- */

static const char *bytes_find(const char *p, const char *end, const char *needle) {
        size_t n = strlen(needle);
        for (; p + n <= end; p++) {
                p = memchr(p, needle[0], (size_t) (end - p));
                if (!p || p + n > end)
                        return NULL;
                if (memcmp(p, needle, n) == 0)
                        return p;
        }
        return NULL;
}

static bool bytes_starts(const char *p, const char *end, const char *prefix) {
        size_t n = strlen(prefix);
        return (size_t) (end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* Returns 0 when the whole input was scanned, 1 when the scan stopped at something it cannot
 * follow (libxml2 must then fail at or before that point), -1 on refusal. The pass only needs
 * to agree with libxml2 on valid documents; on anything else it errs towards stopping, and
 * xml_read_untrusted refuses a document that libxml2 accepts but this pass could not follow. */
int xml_check_raw(const char *xml, size_t len, unsigned max_depth, const char *what, VbError *err) {
        if (len > XML_MAX_SIZE)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "(%s): document of %zu bytes exceeds the limit of %u bytes",
                                    what, len, XML_MAX_SIZE);
        const char *p = xml, *end = xml + len;
        unsigned depth = 0;
        while (p < end) {
                p = memchr(p, '<', (size_t) (end - p));
                if (!p || ++p >= end)
                        return 0;
                if (*p == '!') {
                        const char *close;
                        if (bytes_starts(p, end, "!--"))
                                close = bytes_find(p + 3, end, "-->");
                        else if (bytes_starts(p, end, "![CDATA["))
                                close = bytes_find(p + 8, end, "]]>");
                        else
                                /* Only a DTD uses any other "<!": entities, external subsets,
                                 * attribute defaults. None of it is wanted from a client. */
                                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                                    "(%s): %s", what,
                                                    bytes_starts(p, end, "!DOCTYPE")
                                                    ? "DOCTYPE is not allowed"
                                                    : "markup declarations are not allowed");
                        if (!close)
                                return 1;
                        p = close + 3;
                } else if (*p == '?') {
                        const char *close = bytes_find(p + 1, end, "?>");
                        if (!close)
                                return 1;
                        p = close + 2;
                } else if (*p == '/') {
                        const char *close = memchr(p, '>', (size_t) (end - p));
                        if (!close)
                                return 1;
                        if (depth > 0)
                                depth--;
                        p = close + 1;
                } else {
                        /* A start tag: '>' may hide in quoted attribute values; '<' may not
                         * appear anywhere inside a tag. */
                        char quote = 0;
                        const char *q = p;
                        for (; q < end; q++) {
                                if (*q == '<')
                                        return 1;
                                if (quote) {
                                        if (*q == quote)
                                                quote = 0;
                                } else if (*q == '"' || *q == '\'') {
                                        quote = *q;
                                } else if (*q == '>') {
                                        break;
                                }
                        }
                        if (q >= end)
                                return 1;
                        if (depth + 1 > max_depth)
                                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                                    "(%s): elements nest deeper than %u levels",
                                                    what, max_depth);
                        if (q[-1] != '/')
                                depth++;
                        p = q + 1;
                }
        }
        return 0;
}

/* ---- libxml2 with captured errors ---- */

typedef struct XmlErrorCapture {
        bool have;
        int line, column;
        char message[512];
} XmlErrorCapture;

/* Keep the first error only: later ones are consequences of it (as libvirt reports). */
static void xml_capture_error(void *data, xmlErrorPtr e) {
        xmlParserCtxtPtr ctxt = data;
        XmlErrorCapture *cap = ctxt ? ctxt->_private : NULL;
        if (!cap || cap->have || !e || e->level < XML_ERR_ERROR)
                return;
        cap->have = true;
        cap->line = e->line;
        cap->column = e->int2;
        snprintf(cap->message, sizeof cap->message, "%s", e->message ? e->message : "parse error");
        size_t n = strlen(cap->message);
        while (n > 0 && (cap->message[n - 1] == '\n' || cap->message[n - 1] == ' '))
                cap->message[--n] = '\0';
}

/* libvirt shows the failing line and a caret under the column; so do we. */
static void xml_error_context(const char *xml, size_t len, int line, int column, char *out,
                              size_t size) {
        out[0] = '\0';
        if (line < 1)
                return;
        const char *p = xml, *end = xml + len;
        for (int l = 1; l < line && p < end; l++) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (!nl)
                        return;
                p = nl + 1;
        }
        const char *eol = memchr(p, '\n', (size_t) (end - p));
        size_t n = (size_t) ((eol ? eol : end) - p);
        size_t col = column > 0 ? (size_t) column - 1 : 0;
        if (col > n)
                col = n;
        /* An 80-column window that keeps the caret in view on long lines. */
        size_t start = col > 70 ? col - 70 : 0;
        p += start;
        n -= start;
        col -= start;
        if (n > 80)
                n = 80;
        char dashes[81];
        memset(dashes, '-', col);
        dashes[col] = '\0';
        /* Raw bytes may be what broke the parse: keep the message printable ASCII so that it
         * stays valid UTF-8 on the bus. */
        char line_text[81];
        for (size_t i = 0; i < n; i++)
                line_text[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
        line_text[n] = '\0';
        snprintf(out, size, "\n%s\n%s^", line_text, dashes);
}

xmlDocPtr xml_read_untrusted(const char *xml, size_t len, const char *root_name,
                             const char *what, VbError *err) {
        if (!xml)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_XML, "no XML document"), NULL;
        int scan = xml_check_raw(xml, len, XML_MAX_DEPTH, what, err);
        if (scan < 0)
                return NULL;

        xmlInitParser();
        xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
        if (!ctxt)
                return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_XML, NULL), NULL;
        XmlErrorCapture cap = { 0 };
        ctxt->_private = &cap;
        /* A structured handler on the context wins over any process-wide handler, so nothing
         * reaches stderr and nothing depends on global state. */
        ctxt->sax->serror = xml_capture_error;

        /* No NOENT (entities stay unexpanded), no DTDLOAD, no network. The encoding is fixed
         * to UTF-8 so that libxml2 sees the same bytes the raw pass counted. NOBLANKS lets
         * metadata be re-indented the way libvirt writes it. */
        int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                      XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS | XML_PARSE_IGNORE_ENC;
        char url[64];
        snprintf(url, sizeof url, "%s.xml", what);
        xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int) len, url, "UTF-8", options);
        bool well_formed = ctxt->wellFormed;
        xmlFreeParserCtxt(ctxt);
        xmlResetLastError();

        if (!doc || !well_formed || cap.have) {
                char context[200];
                xml_error_context(xml, len, cap.line, cap.column, context, sizeof context);
                vb_error_set_raw(err, VB_ERR_XML_DETAIL, VB_FROM_XML, "(%s):%d: %s%s", what,
                                 cap.line, cap.have ? cap.message : "malformed document", context);
                xmlFreeDoc(doc);
                return NULL;
        }
        /* Belt and braces: neither can happen when the raw pass did its job. */
        if (scan > 0 || doc->intSubset || doc->extSubset) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "(%s): %s", what,
                             scan > 0 ? "document structure could not be checked"
                                      : "DOCTYPE is not allowed");
                xmlFreeDoc(doc);
                return NULL;
        }
        xmlNodePtr root = xmlDocGetRootElement(doc);
        if (!root) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "(%s): missing root element", what);
                xmlFreeDoc(doc);
                return NULL;
        }
        if (root_name && !xmlStrEqual(root->name, BAD_CAST root_name)) {
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                             "expecting root element of '%s', not '%s'", root_name,
                             (const char *) root->name);
                xmlFreeDoc(doc);
                return NULL;
        }
        return doc;
}

void *conf_array_add(void *array_ptr, size_t *n, size_t size) {
        void **array = array_ptr;
        char *grown = realloc(*array, (*n + 1) * size);
        if (!grown)
                return NULL;
        *array = grown;
        memset(grown + *n * size, 0, size);
        return grown + (*n)++ * size;
}

int conf_strdup(char **dst, const char *src) {
        *dst = NULL;
        if (!src)
                return 0;
        *dst = strdup(src);
        return *dst ? 0 : -1;
}

/* ---- tree helpers ---- */

xmlNodePtr xml_node_child(xmlNodePtr node, const char *name) {
        if (!node)
                return NULL;
        for (xmlNodePtr c = node->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && (!name || xmlStrEqual(c->name, BAD_CAST name)))
                        return c;
        return NULL;
}

xmlNodePtr xml_node_next_same(xmlNodePtr node) {
        for (xmlNodePtr c = node ? node->next : NULL; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, node->name))
                        return c;
        return NULL;
}

size_t xml_node_count(xmlNodePtr node, const char *name) {
        size_t n = 0;
        for (xmlNodePtr c = xml_node_child(node, name); c; c = xml_node_next_same(c))
                n++;
        return n;
}

/* Strings leave here malloc'ed so that conf/ frees everything with free(). */
static char *xml_strdup_free(xmlChar *s) {
        if (!s)
                return NULL;
        char *r = strdup((const char *) s);
        xmlFree(s);
        return r;
}

char *xml_node_prop(xmlNodePtr node, const char *name) {
        return node ? xml_strdup_free(xmlGetNoNsProp(node, BAD_CAST name)) : NULL;
}

char *xml_node_text(xmlNodePtr node) {
        if (!node)
                return NULL;
        xmlChar *s = xmlNodeGetContent(node);
        return s ? xml_strdup_free(s) : strdup("");
}

char *xml_child_text(xmlNodePtr node, const char *name) {
        xmlNodePtr c = xml_node_child(node, name);
        return c ? xml_node_text(c) : NULL;
}

void xml_node_path(xmlNodePtr node, char *out, size_t size) {
        const char *names[16];
        size_t n = 0;
        for (xmlNodePtr p = node; p && p->type == XML_ELEMENT_NODE && p->parent &&
             p->parent->type == XML_ELEMENT_NODE && n < 16; p = p->parent)
                names[n++] = (const char *) p->name;
        size_t used = (size_t) snprintf(out, size, ".");
        while (n > 0 && used < size)
                used += (size_t) snprintf(out + used, size - used, "/%s", names[--n]);
        if (used < size)
                snprintf(out + used, size - used, "[1]");
}

char *xml_strip(char *s) {
        if (!s)
                return NULL;
        size_t start = strspn(s, " \t\r\n"), n = strlen(s);
        while (n > start && strchr(" \t\r\n", s[n - 1]))
                n--;
        memmove(s, s + start, n - start);
        s[n - start] = '\0';
        return s;
}

int xml_parse_u64(const char *s, uint64_t *out) {
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *out = v;
        return 0;
}

int xml_parse_i64(const char *s, int64_t *out) {
        if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
                return -EINVAL;
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno || *end || end == s)
                return -EINVAL;
        *out = v;
        return 0;
}

/* libvirt's rule: "b"/"bytes" are bytes; a single letter or "<letter>iB" is binary and
 * "<letter>B" decimal, in any case. */
int xml_scale_u64(uint64_t value, const char *unit, uint64_t default_scale, uint64_t *out,
                  VbError *err) {
        uint64_t scale = default_scale;
        if (unit && *unit) {
                size_t n = strlen(unit);
                const char *pos = strchr("kmgtpe", tolower((unsigned char) unit[0]));
                unsigned base = 0;
                if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "bytes") == 0)
                        base = 1;
                else if (n == 1 || (n == 3 && strcasecmp(unit + 1, "iB") == 0))
                        base = 1024;
                else if (n == 2 && tolower((unsigned char) unit[1]) == 'b')
                        base = 1000;
                if (!base || (base > 1 && !pos))
                        return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_XML,
                                            "unknown suffix '%s'", unit);
                scale = 1;
                if (base > 1)
                        for (const char *l = "kmgtpe"; l <= pos; l++)
                                scale *= base;
        }
        if (scale && value > UINT64_MAX / scale)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "value too large: %llu%s", (unsigned long long) value,
                                    unit ? unit : "");
        *out = value * scale;
        return 0;
}

int xml_error_attr(VbError *err, xmlNodePtr node, const char *attr, const char *value,
                   const char *expected) {
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                            "Invalid value for attribute '%s' in element '%s': '%s'.%s%s%s",
                            attr, node ? (const char *) node->name : "?", value ? value : "",
                            expected ? " Expected " : "", expected ? expected : "",
                            expected ? " value" : "");
}

int xml_error_value(VbError *err, xmlNodePtr node, const char *value) {
        char path[256];
        xml_node_path(node, path, sizeof path);
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                            "Invalid value '%s' for element or attribute '%s'",
                            value ? value : "", path);
}
