/* domain-disk-seclabel.c: a disk's <source> with its per-device <seclabel model=… relabel=…><label>…</label></seclabel>s (what a security driver does to that one file). */
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

#define DISK_SECLABELS_MAX 4u   /* one per security driver */

int domain_disk_seclabels_parse(xmlNodePtr disk_node, DomainDisk *disk, VbError *err) {
        xmlNodePtr src = xml_node_child(disk_node, "source");
        for (xmlNodePtr s = src ? xml_node_child(src, "seclabel") : NULL; s; s = xml_node_next_same(s)) {
                if (disk->n_seclabels >= DISK_SECLABELS_MAX)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "a disk source has at most %u seclabels", DISK_SECLABELS_MAX);
                DomainSeclabel *l = conf_array_add(&disk->seclabels, &disk->n_seclabels, sizeof *l);
                if (!l)
                        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
                l->model = xml_node_prop(s, "model");
                l->relabel = xml_node_prop(s, "relabel");
                l->label = xml_strip(xml_child_text(s, "label"));
                if (l->relabel && strcmp(l->relabel, "yes") != 0 && strcmp(l->relabel, "no") != 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "invalid security relabel value '%s'", l->relabel);
                if (l->label && l->relabel && strcmp(l->relabel, "no") == 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
                                            "Cannot specify a label if relabelling is turned off. model=%s",
                                            l->model ? l->model : "");
        }
        return 0;
}

/* <source file|dev|pool|volume=…> and its seclabels, in libvirt's form: model, relabel, then
 * the label. Nothing at all when the disk has neither. */
void domain_disk_source_format(XmlBuf *b, const DomainDisk *disk) {
        if (!disk->source_file && !disk->source_dev && !disk->source_pool && !disk->source_volume &&
            !disk->n_seclabels)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t i = 0; i < disk->n_seclabels; i++) {
                const DomainSeclabel *l = &disk->seclabels[i];
                XmlBuf lc = XML_BUF_CHILD(&c);
                xml_buf_open(&c, "seclabel");
                xml_buf_attr(&c, "model", l->model);
                xml_buf_attr(&c, "relabel", l->relabel);
                xml_buf_text_element(&lc, "label", l->label);
                xml_buf_close(&c, "seclabel", &lc, false);
        }
        xml_buf_open(b, "source");
        xml_buf_attr(b, "file", disk->source_file);
        xml_buf_attr(b, "fdgroup", disk->source_fdgroup);
        xml_buf_attr(b, "dev", disk->source_dev);
        xml_buf_attr(b, "pool", disk->source_pool);
        xml_buf_attr(b, "volume", disk->source_volume);
        xml_buf_attr(b, "startupPolicy", disk->source_startup_policy);
        xml_buf_close(b, "source", &c, false);
}

void domain_disk_seclabels_free(DomainDisk *disk) {
        for (size_t i = 0; i < disk->n_seclabels; i++) {
                free(disk->seclabels[i].model);
                free(disk->seclabels[i].relabel);
                free(disk->seclabels[i].label);
        }
        free(disk->seclabels);
        disk->seclabels = NULL;
        disk->n_seclabels = 0;
}
