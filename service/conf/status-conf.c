/* status-conf.c: <domstatus> (state, reason, id and the running definition) read and written, one pair for every driver that keeps status files. */
#include "status-conf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "xml-util.h"

static const char *const state_names[DOMAIN_STATUS_N_STATES] = {
        "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended",
};

const char *domain_status_state_name(int state) {
        return state >= 0 && state < DOMAIN_STATUS_N_STATES ? state_names[state] : NULL;
}

int domain_status_state_from_name(const char *name) {
        for (int i = 0; name && i < DOMAIN_STATUS_N_STATES; i++)
                if (strcmp(name, state_names[i]) == 0)
                        return i;
        return -1;
}

char *domain_status_format(const DomainStatus *st) {
        const char *state = domain_status_state_name(st->state);
        if (!state || !st->def)
                return NULL;
        char *def = domain_def_format(st->def, DOMAIN_FORMAT_SECURE);
        if (!def)
                return NULL;
        XmlBuf b = XML_BUF_INIT;
        xml_buf_open(&b, "domstatus");
        xml_buf_attr(&b, "state", state);
        xml_buf_attr_int(&b, "reason", st->reason);
        xml_buf_attr_int(&b, "id", st->id);
        xml_buf_puts(&b, ">\n");
        xml_buf_puts(&b, def);
        xml_buf_puts(&b, "</domstatus>\n");
        free(def);
        return xml_buf_steal(&b);
}

/* A required integer attribute of root within [min, INT_MAX]. */
static int status_int_attr(xmlNodePtr root, const char *name, int min, int *out, VbError *err) {
        char *v = xml_node_prop(root, name);
        int64_t n;
        if (!v)
                return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                    "(domain_status): missing attribute '%s' of <domstatus>", name);
        if (xml_parse_i64(v, &n) < 0 || n < min || n > INT_MAX) {
                xml_error_attr(err, root, name, v, NULL);
                free(v);
                return -1;
        }
        free(v);
        *out = (int) n;
        return 0;
}

int domain_status_parse(const char *xml, size_t len, DomainStatus *out, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "domstatus", "domain_status", err);
        if (!doc)
                return -1;
        xmlNodePtr root = xmlDocGetRootElement(doc);
        DomainStatus st = { .id = -1 };
        int r = -1;
        char *state = xml_node_prop(root, "state");
        st.state = domain_status_state_from_name(state);
        if (!state)
                vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                             "(domain_status): missing attribute 'state' of <domstatus>");
        else if (st.state < 0)
                xml_error_attr(err, root, "state", state,
                               "'nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', "
                               "'crashed' or 'pmsuspended'");
        else if (status_int_attr(root, "reason", 0, &st.reason, err) == 0 &&
                 status_int_attr(root, "id", -1, &st.id, err) == 0) {
                xmlNodePtr dn = xml_node_child(root, "domain");
                if (!dn)
                        vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_XML,
                                     "(domain_status): <domstatus> has no <domain>");
                else if ((st.def = domain_def_parse_node(dn, DOMAIN_PARSE_STATUS, err)))
                        r = 0;
        }
        free(state);
        xmlFreeDoc(doc);
        if (r == 0)
                *out = st;
        return r;
}

void domain_status_clear(DomainStatus *st) {
        st->def = domain_def_free(st->def);
}
