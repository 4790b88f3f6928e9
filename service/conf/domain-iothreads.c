/* domain-iothreads.c: a domain's IOThreads: <iothreads>N</iothreads>, <iothreadids> and <cputune><iothreadpin>, parsed, checked and written as libvirt does, and the small edits the iothread calls make. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "domain-priv.h"

static int iothreads_oom(VbError *err) {
        return vb_error_set(err, VB_ERR_NO_MEMORY, VB_FROM_DOMAIN, NULL);
}

const DomainIothreadId *domain_iothread_find(const DomainDef *def, unsigned id) {
        for (size_t i = 0; def && def->priv && i < def->priv->n_iothreadids; i++)
                if (def->priv->iothreadids[i].id == id)
                        return &def->priv->iothreadids[i];
        return NULL;
}

const DomainDisk *domain_iothread_user(const DomainDef *def, unsigned id) {
        const DomainDevices *dev = &def->priv->devices;
        for (size_t i = 0; i < dev->n_disks; i++)
                if (dev->disks[i].driver_iothread.set && dev->disks[i].driver_iothread.v == (long long) id)
                        return &dev->disks[i];
        return NULL;
}

static DomainIothreadPin *pin_find(const DomainCputune *t, unsigned id) {
        for (size_t i = 0; i < t->n_iothreadpins; i++)
                if (t->iothreadpins[i].iothread == id)
                        return &t->iothreadpins[i];
        return NULL;
}

const char *domain_iothread_pin_of(const DomainDef *def, unsigned id) {
        const DomainIothreadPin *p = pin_find(&def->priv->cputune, id);
        return p ? p->cpuset : NULL;
}

/* An unsigned number of the XML: 0 with *out, or -1 (absent, junk or beyond UINT_MAX). */
static int parse_uint(const char *s, unsigned *out) {
        uint64_t v;
        if (!s || xml_parse_u64(s, &v) < 0 || v > UINT_MAX)
                return -1;
        *out = (unsigned) v;
        return 0;
}

static int add_id(DomainDefPrivate *p, unsigned id, bool autofill, VbError *err) {
        DomainIothreadId *e = conf_array_add(&p->iothreadids, &p->n_iothreadids, sizeof *e);
        if (!e)
                return iothreads_oom(err);
        *e = (DomainIothreadId) { .id = id, .autofill = autofill };
        return 0;
}

static int parse_ids(DomainDef *def, xmlNodePtr ids, VbError *err) {
        for (xmlNodePtr n = ids ? xml_node_child(ids, "iothread") : NULL; n; n = xml_node_next_same(n)) {
                char *s = xml_node_prop(n, "id");
                unsigned id = 0;
                int r = parse_uint(s, &id);
                free(s);
                if (r < 0 || id == 0)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "Invalid value for attribute 'id' in element 'iothread': %s",
                                            r < 0 ? "Expected non-negative integer value" : "Zero is not permitted");
                if (domain_iothread_find(def, id))
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "duplicate iothread id '%u' found", id);
                if (def->priv->n_iothreadids >= DOMAIN_IOTHREADS_MAX)
                        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "too many IOThreads: at most %u", DOMAIN_IOTHREADS_MAX);
                if (add_id(def->priv, id, false, err) < 0)
                        return -1;
        }
        return 0;
}

static int parse_pins(DomainDef *def, xmlNodePtr cputune, VbError *err) {
        DomainCputune *t = &def->priv->cputune;
        for (xmlNodePtr n = cputune ? xml_node_child(cputune, "iothreadpin") : NULL; n; n = xml_node_next_same(n)) {
                char *s = xml_node_prop(n, "iothread"), *cpuset = xml_node_prop(n, "cpuset");
                unsigned id = 0;
                int r = parse_uint(s, &id);
                free(s);
                if (r < 0 || id == 0)
                        r = xml_error_attr(err, n, "iothread", NULL, "a non-zero IOThread id");
                else if (!cpuset)
                        r = vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_XML, "missing cpuset for iothreadpin");
                else if (!domain_iothread_find(def, id))
                        r = vb_error_set(err, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_XML, "Cannot find 'iothread' : %u", id);
                else if (pin_find(t, id))
                        r = vb_error_set(err, VB_ERR_INTERNAL_ERROR, VB_FROM_XML, "duplicate iothreadpin for same iothread '%u'", id);
                if (r < 0) {
                        free(cpuset);
                        return -1;
                }
                DomainIothreadPin *p = conf_array_add(&t->iothreadpins, &t->n_iothreadpins, sizeof *p);
                if (!p) {
                        free(cpuset);
                        return iothreads_oom(err);
                }
                *p = (DomainIothreadPin) { .iothread = id, .cpuset = cpuset };
        }
        return 0;
}

int domain_iothreads_parse(DomainDef *def, xmlNodePtr root, VbError *err) {
        unsigned count = 0;
        xmlNodePtr n = xml_node_child(root, "iothreads");
        if (n) {
                char *s = xml_strip(xml_node_text(n));
                int r = parse_uint(s, &count);
                if (r < 0)
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "invalid iothreads count '%s'", s ? s : "");
                else if (count > DOMAIN_IOTHREADS_MAX)
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML, "too many IOThreads: at most %u", DOMAIN_IOTHREADS_MAX);
                free(s);
                if (r < 0 || count > DOMAIN_IOTHREADS_MAX)
                        return -1;
        }
        if (parse_ids(def, xml_node_child(root, "iothreadids"), err) < 0)
                return -1;
        /* <iothreads> larger than the list: the lowest free ids make up the count */
        for (unsigned id = 1; def->priv->n_iothreadids < count; id++)
                if (!domain_iothread_find(def, id) && add_id(def->priv, id, true, err) < 0)
                        return -1;
        return parse_pins(def, xml_node_child(root, "cputune"), err);
}

/* <iothreads> and, when an id was given rather than numbered, every id. */
void domain_iothreads_format(XmlBuf *b, const DomainDefPrivate *p) {
        if (!p->n_iothreadids)
                return;
        xml_buf_indent(b);
        xml_buf_printf(b, "<iothreads>%zu</iothreads>\n", p->n_iothreadids);
        bool all_auto = true;
        for (size_t i = 0; i < p->n_iothreadids; i++)
                all_auto = all_auto && p->iothreadids[i].autofill;
        if (all_auto)
                return;
        XmlBuf c = XML_BUF_CHILD(b);
        for (size_t i = 0; i < p->n_iothreadids; i++) {
                xml_buf_open(&c, "iothread");
                xml_buf_attr_uint(&c, "id", p->iothreadids[i].id);
                xml_buf_puts(&c, "/>\n");
        }
        xml_buf_open(b, "iothreadids");
        xml_buf_close(b, "iothreadids", &c, false);
}

void domain_iothreadpins_format(XmlBuf *c, const DomainCputune *t) {
        for (size_t i = 0; i < t->n_iothreadpins; i++) {
                xml_buf_open(c, "iothreadpin");
                xml_buf_attr_uint(c, "iothread", t->iothreadpins[i].iothread);
                xml_buf_attr(c, "cpuset", t->iothreadpins[i].cpuset);
                xml_buf_puts(c, "/>\n");
        }
}

void domain_iothreads_free(DomainDefPrivate *p) {
        for (size_t i = 0; i < p->cputune.n_iothreadpins; i++)
                free(p->cputune.iothreadpins[i].cpuset);
        free(p->cputune.iothreadpins);
        free(p->iothreadids);
        p->cputune.iothreadpins = NULL;
        p->iothreadids = NULL;
        p->cputune.n_iothreadpins = p->n_iothreadids = 0;
}

/* ---- the calls' edits ---- */

int domain_iothread_add(DomainDef *def, unsigned id, VbError *err) {
        if (id == 0)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "invalid value of 0 for iothread_id");
        if (domain_iothread_find(def, id))
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "an IOThread is already using iothread_id '%u'", id);
        if (def->priv->n_iothreadids >= DOMAIN_IOTHREADS_MAX)
                return vb_error_set(err, VB_ERR_INVALID_ARG, VB_FROM_DOMAIN, "too many IOThreads: at most %u", DOMAIN_IOTHREADS_MAX);
        return add_id(def->priv, id, false, err);
}

void domain_iothread_del(DomainDef *def, unsigned id) {
        DomainDefPrivate *p = def->priv;
        for (size_t i = 0; i < p->n_iothreadids; i++)
                if (p->iothreadids[i].id == id) {
                        memmove(&p->iothreadids[i], &p->iothreadids[i + 1], (p->n_iothreadids - i - 1) * sizeof *p->iothreadids);
                        p->n_iothreadids--;
                        break;
                }
        DomainCputune *t = &p->cputune;
        DomainIothreadPin *pin = pin_find(t, id);
        if (pin) {
                free(pin->cpuset);
                size_t i = (size_t) (pin - t->iothreadpins);
                memmove(pin, pin + 1, (t->n_iothreadpins - i - 1) * sizeof *pin);
                t->n_iothreadpins--;
        }
        /* the ids that were numbered are now a list the user changed: write them all */
        for (size_t i = 0; i < p->n_iothreadids; i++)
                p->iothreadids[i].autofill = false;
}

int domain_iothread_set_pin(DomainDef *def, unsigned id, const char *cpuset, VbError *err) {
        DomainCputune *t = &def->priv->cputune;
        DomainIothreadPin *pin = pin_find(t, id);
        char *copy = NULL;
        if (!cpuset && !pin)
                return 0;
        if (cpuset && conf_strdup(&copy, cpuset) < 0)
                return iothreads_oom(err);
        if (pin) {
                free(pin->cpuset);
                pin->cpuset = copy;
                return 0;
        }
        pin = conf_array_add(&t->iothreadpins, &t->n_iothreadpins, sizeof *pin);
        if (!pin) {
                free(copy);
                return iothreads_oom(err);
        }
        *pin = (DomainIothreadPin) { .iothread = id, .cpuset = copy };
        return 0;
}
