/* domain-devices-other.c: device elements libvirt knows that the model does not describe yet, kept as written so none is dropped silently. */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "domain-priv.h"

/* libvirt's device elements (its domain schema) that domain-devices.c has no table for. */
static const char *const other_device_names[] = {
        "lease", "filesystem", "smartcard", "parallel", "audio", "hostdev", "redirfilter",
        "shmem", "memory", "iommu", "vsock", "crypto", "nvram", NULL,
};

bool domain_other_device_known(const char *name) {
        for (size_t i = 0; other_device_names[i]; i++)
                if (strcmp(name, other_device_names[i]) == 0)
                        return true;
        return false;
}

/* Whitespace between elements goes, so the copy can be written at any indentation. */
static void strip_blanks(xmlNodePtr node) {
        xmlNodePtr c = node->children;
        while (c) {
                xmlNodePtr next = c->next;
                if (c->type == XML_TEXT_NODE && xmlIsBlankNode(c)) {
                        xmlUnlinkNode(c);
                        xmlFreeNode(c);
                } else if (c->type == XML_ELEMENT_NODE) {
                        strip_blanks(c);
                } else if (c->type == XML_COMMENT_NODE) {
                        xmlUnlinkNode(c);
                        xmlFreeNode(c);
                }
                c = next;
        }
}

int domain_other_device_add(DomainDevices *d, xmlNodePtr node) {
        xmlNodePtr copy = xmlDocCopyNode(node, node->doc, 1);
        xmlBufferPtr buf = xmlBufferCreate();
        int r = -1;
        if (!copy || !buf)
                goto out;
        strip_blanks(copy);
        if (xmlNodeDump(buf, node->doc, copy, 0, 1) < 0)
                goto out;
        DomainOtherDevice *o = conf_array_add(&d->others, &d->n_others, sizeof *o);
        if (!o)
                goto out;
        o->name = strdup((const char *) node->name);
        o->xml = strdup((const char *) xmlBufferContent(buf));
        if (o->name && o->xml)
                r = 0;
out:
        xmlBufferFree(buf);
        xmlFreeNode(copy);
        return r;
}

/* Each line of the kept element at the buffer's indentation. */
void domain_other_devices_format(XmlBuf *b, const DomainDevices *d) {
        for (size_t i = 0; i < d->n_others; i++) {
                const char *s = d->others[i].xml;
                while (*s) {
                        const char *nl = strchr(s, '\n');
                        size_t n = nl ? (size_t) (nl - s) : strlen(s);
                        xml_buf_indent(b);
                        xml_buf_add(b, s, n);
                        xml_buf_puts(b, "\n");
                        s += n + (nl ? 1 : 0);
                }
        }
}

void domain_other_devices_free(DomainDevices *d) {
        for (size_t i = 0; i < d->n_others; i++) {
                free(d->others[i].name);
                free(d->others[i].xml);
        }
        free(d->others);
        d->others = NULL;
        d->n_others = 0;
}
