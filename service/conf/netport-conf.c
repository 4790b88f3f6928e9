/* netport-conf.c: libvirt's <networkport>: uuid, owner (name, uuid), group, mac, bandwidth, rxfilters and plug. */
#include "netport-conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uuid.h"
#include "xml-util.h"

static const char *const plug_types[] = { "network", "bridge", "direct", NULL };

static int bad(VbError *err, const char *fmt, const char *arg) {
        return vb_error_set(err, VB_ERR_XML_ERROR, VB_FROM_NETWORK, fmt, arg ? arg : "");
}

static int parse_u64_attr(xmlNodePtr node, const char *attr, uint64_t *out, VbError *err) {
        char *v = xml_node_prop(node, attr);
        int r = 0;
        if (v && xml_parse_u64(v, out) < 0)
                r = xml_error_attr(err, node, attr, v, "a non-negative integer");
        free(v);
        return r;
}

static int parse_rate(xmlNodePtr node, NetPortRate *rate, bool inbound, VbError *err) {
        if (!node)
                return 0;
        if (parse_u64_attr(node, "average", &rate->average, err) < 0 ||
            parse_u64_attr(node, "peak", &rate->peak, err) < 0 ||
            parse_u64_attr(node, "burst", &rate->burst, err) < 0 ||
            (inbound && parse_u64_attr(node, "floor", &rate->floor, err) < 0))
                return -1;
        if (!rate->average && !rate->floor)
                return bad(err, "Missing mandatory average or floor attributes%s", "");
        return 0;
}

static int parse_uuid_text(xmlNodePtr node, uint8_t uuid[16], VbError *err) {
        char *s = xml_strip(xml_node_text(node));
        int r = s && uuid_parse(s, uuid) == 0 ? 0 : bad(err, "Unable to parse UUID '%s'", s);
        free(s);
        return r;
}

static int parse_root(xmlNodePtr root, NetPortDef *def, VbError *err) {
        xmlNodePtr n = xml_node_child(root, "uuid");
        if (!n)
                return bad(err, "network port has no uuid%s", "");
        if (parse_uuid_text(n, def->uuid, err) < 0)
                return -1;
        xmlNodePtr owner = xml_node_child(root, "owner");
        def->owner_name = owner ? xml_strip(xml_child_text(owner, "name")) : NULL;
        if (!def->owner_name || !*def->owner_name)
                return bad(err, "network port has no owner name%s", "");
        n = xml_node_child(owner, "uuid");
        if (!n)
                return bad(err, "network port has no owner UUID%s", "");
        if (parse_uuid_text(n, def->owner_uuid, err) < 0)
                return -1;
        def->group = xml_strip(xml_child_text(root, "group"));
        n = xml_node_child(root, "mac");
        char *mac = n ? xml_node_prop(n, "address") : NULL;
        if (!mac)
                return bad(err, "network port has no mac%s", "");
        int r = mac_parse(mac, def->mac);
        if (r < 0)
                bad(err, "Unable to parse MAC '%s'", mac);
        free(mac);
        if (r < 0)
                return -1;
        xmlNodePtr bw = xml_node_child(root, "bandwidth");
        if (bw && (parse_rate(xml_node_child(bw, "inbound"), &def->in, true, err) < 0 ||
                   parse_rate(xml_node_child(bw, "outbound"), &def->out, false, err) < 0))
                return -1;
        n = xml_node_child(root, "rxfilters");
        char *trust = n ? xml_node_prop(n, "trustGuest") : NULL;
        def->trust_guest_rx = trust && strcmp(trust, "yes") == 0;
        if (trust && !def->trust_guest_rx && strcmp(trust, "no") != 0)
                r = xml_error_attr(err, n, "trustGuest", trust, "yes or no");
        free(trust);
        if (r < 0)
                return -1;
        xmlNodePtr plug = xml_node_child(root, "plug");
        if (!plug)
                return 0;
        def->plug_type = xml_node_prop(plug, "type");
        if (!def->plug_type)
                return bad(err, "Missing network port plug type%s", "");
        size_t i = 0;
        while (plug_types[i] && strcmp(plug_types[i], def->plug_type) != 0)
                i++;
        if (!plug_types[i])
                return xml_error_attr(err, plug, "type", def->plug_type, "network, bridge or direct");
        if (strcmp(def->plug_type, "direct") == 0) {
                def->plug_dev = xml_node_prop(plug, "dev");
                def->plug_mode = xml_node_prop(plug, "mode");
                return def->plug_dev ? 0 : bad(err, "Missing network port link device name%s", "");
        }
        def->plug_bridge = xml_node_prop(plug, "bridge");
        def->mac_table_manager = xml_node_prop(plug, "macTableManager");
        return def->plug_bridge ? 0 : bad(err, "Missing network port bridge name%s", "");
}

NetPortDef *netport_def_parse(const char *xml, size_t len, VbError *err) {
        xmlDocPtr doc = xml_read_untrusted(xml, len, "networkport", "network_port_definition", err);
        if (!doc)
                return NULL;
        NetPortDef *def = calloc(1, sizeof *def);
        if (!def)
                vb_error_errno(err, -ENOMEM, "netport_def_parse");
        else if (parse_root(xmlDocGetRootElement(doc), def, err) < 0)
                def = netport_def_free(def);
        xmlFreeDoc(doc);
        return def;
}

static void format_rate(XmlBuf *b, const char *name, const NetPortRate *r) {
        if (!r->average && !r->floor)
                return;
        xml_buf_open(b, name);
        if (r->average)
                xml_buf_attr_uint(b, "average", r->average);
        if (r->peak)
                xml_buf_attr_uint(b, "peak", r->peak);
        if (r->floor)
                xml_buf_attr_uint(b, "floor", r->floor);
        if (r->burst)
                xml_buf_attr_uint(b, "burst", r->burst);
        xml_buf_puts(b, "/>\n");
}

char *netport_def_format(const NetPortDef *def) {
        XmlBuf b = XML_BUF_INIT;
        char uuid[UUID_STRING_LEN], owner_uuid[UUID_STRING_LEN], mac[18];
        uuid_format(def->uuid, uuid);
        uuid_format(def->owner_uuid, owner_uuid);
        mac_format(def->mac, mac);
        xml_buf_puts(&b, "<networkport>\n");
        b.indent = 1;
        xml_buf_text_element(&b, "uuid", uuid);
        xml_buf_indent(&b);
        xml_buf_puts(&b, "<owner>\n");
        b.indent = 2;
        xml_buf_text_element(&b, "name", def->owner_name);
        xml_buf_text_element(&b, "uuid", owner_uuid);
        b.indent = 1;
        xml_buf_indent(&b);
        xml_buf_puts(&b, "</owner>\n");
        xml_buf_text_element(&b, "group", def->group);
        xml_buf_open(&b, "mac");
        xml_buf_attr(&b, "address", mac);
        xml_buf_puts(&b, "/>\n");
        XmlBuf bw = XML_BUF_CHILD(&b);
        format_rate(&bw, "inbound", &def->in);
        format_rate(&bw, "outbound", &def->out);
        if (bw.len) {
                xml_buf_open(&b, "bandwidth");
                xml_buf_close(&b, "bandwidth", &bw, false);
        } else {
                xml_buf_reset(&bw);
        }
        if (def->trust_guest_rx)
                xml_buf_puts(&b, "  <rxfilters trustGuest='yes'/>\n");
        if (def->plug_type) {
                xml_buf_open(&b, "plug");
                xml_buf_attr(&b, "type", def->plug_type);
                xml_buf_attr(&b, "bridge", def->plug_bridge);
                xml_buf_attr(&b, "macTableManager", def->mac_table_manager);
                xml_buf_attr(&b, "dev", def->plug_dev);
                xml_buf_attr(&b, "mode", def->plug_mode);
                xml_buf_puts(&b, "/>\n");
        }
        b.indent = 0;
        xml_buf_puts(&b, "</networkport>\n");
        return xml_buf_steal(&b);
}

NetPortDef *netport_def_free(NetPortDef *def) {
        if (!def)
                return NULL;
        free(def->owner_name);
        free(def->group);
        free(def->plug_type);
        free(def->plug_bridge);
        free(def->plug_dev);
        free(def->plug_mode);
        free(def->mac_table_manager);
        free(def);
        return NULL;
}
