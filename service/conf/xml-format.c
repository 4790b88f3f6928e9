/* xml-format.c: the output buffer that writes libvirt's XML layout (two-space indent, single quotes). */
#include "xml-util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool xml_buf_reserve(XmlBuf *b, size_t extra) {
        if (b->oom)
                return false;
        if (b->len + extra + 1 <= b->cap)
                return true;
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1)
                cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
                b->oom = true;
                return false;
        }
        b->data = d;
        b->cap = cap;
        return true;
}

void xml_buf_add(XmlBuf *b, const char *s, size_t n) {
        if (!n || !xml_buf_reserve(b, n))
                return;
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void xml_buf_puts(XmlBuf *b, const char *s) {
        if (s)
                xml_buf_add(b, s, strlen(s));
}

void xml_buf_printf(XmlBuf *b, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n <= 0 || !xml_buf_reserve(b, (size_t) n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t) n;
}

/* libvirt escapes the same five characters in text and in attributes. Other control
 * characters cannot appear in XML 1.0 at all, not even as references, so they are dropped;
 * in attributes, whitespace other than the space is written as a reference because a parser
 * would otherwise normalise it to a space and the value would not survive a round trip. */
static void xml_buf_escape_mode(XmlBuf *b, const char *s, bool attr) {
        if (!s)
                return;
        const char *run = s;
        for (const char *p = s; *p; p++) {
                const char *rep = NULL;
                switch (*p) {
                case '<': rep = "&lt;"; break;
                case '>': rep = "&gt;"; break;
                case '&': rep = "&amp;"; break;
                case '\'': rep = "&apos;"; break;
                case '"': rep = "&quot;"; break;
                case '\n': rep = attr ? "&#10;" : NULL; break;
                case '\t': rep = attr ? "&#9;" : NULL; break;
                case '\r': rep = "&#13;"; break;
                default:
                        if ((unsigned char) *p < 0x20)
                                rep = "";
                }
                if (!rep)
                        continue;
                xml_buf_add(b, run, (size_t) (p - run));
                xml_buf_puts(b, rep);
                run = p + 1;
        }
        xml_buf_puts(b, run);
}

void xml_buf_escape(XmlBuf *b, const char *s) {
        xml_buf_escape_mode(b, s, false);
}

void xml_buf_indent(XmlBuf *b) {
        static const char spaces[] = "                                                                ";
        size_t n = (size_t) b->indent * 2;
        while (n > 0) {
                size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
                xml_buf_add(b, spaces, k);
                n -= k;
        }
}

void xml_buf_open(XmlBuf *b, const char *name) {
        xml_buf_indent(b);
        xml_buf_printf(b, "<%s", name);
}

void xml_buf_attr(XmlBuf *b, const char *name, const char *value) {
        if (!value)
                return;
        xml_buf_printf(b, " %s='", name);
        xml_buf_escape_mode(b, value, true);
        xml_buf_puts(b, "'");
}

void xml_buf_attr_int(XmlBuf *b, const char *name, long long value) {
        xml_buf_printf(b, " %s='%lld'", name, value);
}

void xml_buf_attr_uint(XmlBuf *b, const char *name, unsigned long long value) {
        xml_buf_printf(b, " %s='%llu'", name, value);
}

void xml_buf_close(XmlBuf *b, const char *name, XmlBuf *children, bool pair) {
        if (children && children->oom)
                b->oom = true;
        if ((!children || children->len == 0) && !pair) {
                xml_buf_puts(b, "/>\n");
        } else {
                xml_buf_puts(b, ">\n");
                if (children)
                        xml_buf_add(b, children->data, children->len);
                xml_buf_indent(b);
                xml_buf_printf(b, "</%s>\n", name);
        }
        if (children)
                xml_buf_reset(children);
}

void xml_buf_text_element(XmlBuf *b, const char *name, const char *text) {
        if (!text)
                return;
        xml_buf_open(b, name);
        xml_buf_puts(b, ">");
        xml_buf_escape(b, text);
        xml_buf_printf(b, "</%s>\n", name);
}

void xml_buf_append(XmlBuf *b, XmlBuf *other) {
        if (other->oom)
                b->oom = true;
        xml_buf_add(b, other->data, other->len);
        xml_buf_reset(other);
}

void xml_buf_reset(XmlBuf *b) {
        free(b->data);
        b->data = NULL;
        b->len = b->cap = 0;
        b->oom = false;
}

char *xml_buf_steal(XmlBuf *b) {
        if (b->oom) {
                xml_buf_reset(b);
                return NULL;
        }
        char *r = b->data ? b->data : strdup("");
        b->data = NULL;
        b->len = b->cap = 0;
        return r;
}
