/* test-network-storage.c: <network>, <pool> and <volume>: typed fields, defaults and refusals with libvirt's texts. */
#include "conf-test.h"

#include "network-conf.h"
#include "network-priv.h"
#include "storage-conf.h"
#include "storage-priv.h"
#include "uuid.h"

typedef enum { KIND_NETWORK, KIND_POOL, KIND_VOL } Kind;

typedef struct Refusal {
        Kind kind;
        const char *xml;
        int code, from;
        const char *message;
} Refusal;

static const Refusal refusals[] = {
        { KIND_NETWORK, "<network><uuid>0a5c1e3e-3f43-4b46-9d0b-8d3c7b7f1a11</uuid></network>",
          VB_ERR_NO_NAME, VB_FROM_NETWORK, "missing name information" },
        { KIND_NETWORK, "<network><name>x</name><forward mode='bogus'/></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK, "unsupported configuration: unknown forwarding type 'bogus'" },
        { KIND_NETWORK, "<network><name>x</name><ip address='1.2.3.x' prefix='24'/></network>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid address '1.2.3.x' in network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><ip address='1.2.3.4' prefix='44'/></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK, "unsupported configuration: Invalid IPv4 prefix '44' in network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><ip address='1.2.3.4' prefix='24' netmask='255.255.255.0'/></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NETWORK,
          "unsupported configuration: Network 'x' IP address cannot have both a prefix and a netmask" },
        { KIND_NETWORK, "<network><name>x</name><ip family='ipv6' address='10.0.0.1' prefix='64'/></network>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid address '10.0.0.1' in network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><ip address='1.2.3.4' prefix='24'><dhcp>"
                        "<host mac='zz' ip='1.2.3.5'/></dhcp></ip></network>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Cannot parse MAC address 'zz' in network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><ip address='1.2.3.4' prefix='24'><dhcp>"
                        "<range start='1.2.3.10'/></dhcp></ip></network>",
          VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Missing 'start' or 'end' attribute in dhcp range for network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><mac address='zz'/></network>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid bridge mac address 'zz' in network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><mtu size='big'/></network>", VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value for attribute 'size' in element 'mtu': 'big'. Expected non-negative integer value" },
        { KIND_NETWORK, "<domain type='test'/>", VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: expecting root element of 'network', not 'domain'" },
        { KIND_NETWORK, "<network><name>x</name><bogus/></network>", VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element network has extra content: bogus" },
        { KIND_NETWORK, "<network><name>x</name><portgroup/></network>", VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Missing required name attribute in portgroup" },
        { KIND_NETWORK, "<network><name>x</name><bandwidth><inbound average='abc'/></bandwidth></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE, "unsupported configuration: could not convert bandwidth average value 'abc'" },
        { KIND_NETWORK, "<network><name>x</name><bandwidth><outbound average='-1'/></bandwidth></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE, "unsupported configuration: could not convert bandwidth average value '-1'" },
        { KIND_NETWORK, "<network><name>x</name><bandwidth><inbound peak='10'/></bandwidth></network>",
          VB_ERR_XML_DETAIL, VB_FROM_NONE, "Missing mandatory average or floor attributes" },
        { KIND_NETWORK, "<network><name>x</name><bandwidth><inbound average='5' floor='10'/></bandwidth></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE, "unsupported configuration: floor attribute is not supported for this config" },
        { KIND_NETWORK, "<network><name>x</name><portgroup name='p'><bandwidth><outbound floor='1'/></bandwidth></portgroup></network>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_NONE, "unsupported configuration: 'floor' attribute allowed only in <inbound> element" },
        { KIND_NETWORK, "<network><name>x</name><dns enable='no'><txt name='a' value='b'/></dns></network>",
          VB_ERR_XML_ERROR, VB_FROM_NETWORK, "XML error: Extra data in disabled network 'x'" },
        { KIND_NETWORK, "<network><name>x</name><dns><host ip='10.0.0.1'/></dns></network>",
          VB_ERR_XML_ERROR, VB_FROM_NETWORK, "XML error: Missing hostname in network 'x' DNS HOST record" },
        { KIND_NETWORK, "<network><name>x</name><dns><forwarder/></dns></network>", VB_ERR_XML_ERROR,
          VB_FROM_NETWORK, "XML error: Invalid forwarder element, must contain at least one of addr or domain" },
        { KIND_NETWORK, "<network><name>x</name><dns><srv service='ldap' protocol='sctp'/></dns></network>",
          VB_ERR_XML_ERROR, VB_FROM_NETWORK,
          "XML error: invalid protocol 'sctp' in DNS SRV record of network 'x' (tcp or udp)" },
        { KIND_POOL, "<pool type='dir'><target><path>/x</path></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: missing pool source name element" },
        { KIND_POOL, "<pool><name>p</name><target><path>/x</path></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Missing required attribute 'type' in element 'pool'" },
        { KIND_POOL, "<pool type='zzz'><name>p</name><target><path>/x</path></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid value for attribute 'type' in element 'pool': 'zzz'." },
        { KIND_POOL, "<pool type='dir'><name>p</name></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: missing storage pool target path" },
        { KIND_POOL, "<pool type='dir'><name>p</name><capacity>abc</capacity><target><path>/x</path></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed capacity element" },
        { KIND_POOL, "<pool type='dir'><name>p</name><target><path>/x</path><permissions><mode>999</mode>"
                     "</permissions></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed octal mode" },
        { KIND_POOL, "<pool type='dir'><name>p</name><target><path>/x</path><permissions><owner>root</owner>"
                     "</permissions></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed owner element" },
        { KIND_POOL, "<pool type='dir'><name>p</name><uuid>nope</uuid><target><path>/x</path></target></pool>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed uuid element" },
        { KIND_POOL, "<pool type='dir'><name>p</name><target><path>/x</path><bogus/></target></pool>",
          VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element target has extra content: bogus" },
        { KIND_VOL, "<volume><capacity>1</capacity></volume>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: missing volume name element" },
        { KIND_VOL, "<volume><name>q</name></volume>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: missing capacity element" },
        { KIND_VOL, "<volume><name>q</name><capacity>zz</capacity></volume>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: malformed capacity element" },
        { KIND_VOL, "<volume><name>q</name><capacity unit='QB'>1</capacity></volume>",
          VB_ERR_INVALID_ARG, VB_FROM_XML, "invalid argument: unknown suffix 'QB'" },
        { KIND_VOL, "<volume type='zz'><name>q</name><capacity>1</capacity></volume>",
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_STORAGE, "unsupported configuration: unknown volume type 'zz'" },
        { KIND_VOL, "<volume><name>q</name><capacity>1</capacity><allocation unit='EiB'>99</allocation></volume>",
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: value too large: 99EiB" },
        { KIND_VOL, "<volume><name>q</name><capacity>1</capacity><physical>1</physical><foo/></volume>",
          VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element volume has extra content: foo" },
};

static bool parse_kind(Kind kind, const char *xml, unsigned validate, VbError *err) {
        size_t n = strlen(xml);
        switch (kind) {
        case KIND_NETWORK: {
                NetworkDef *d = network_def_parse(xml, n, validate ? NETWORK_PARSE_VALIDATE : 0, err);
                network_def_free(d);
                return d != NULL;
        }
        case KIND_POOL: {
                PoolDef *d = pool_def_parse(xml, n, validate ? POOL_PARSE_VALIDATE : 0, err);
                pool_def_free(d);
                return d != NULL;
        }
        case KIND_VOL: {
                VolDef *d = vol_def_parse(xml, n, validate ? VOL_PARSE_VALIDATE : 0, err);
                vol_def_free(d);
                return d != NULL;
        }
        }
        return false;
}

static void test_refusals(void **state) {
        for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
                const Refusal *r = &refusals[i];
                VbError err = { 0 };
                /* schema refusals only with VALIDATE; everything else refused either way */
                bool schema = r->code == VB_ERR_XML_INVALID_SCHEMA;
                if (parse_kind(r->kind, r->xml, 1, &err))
                        print_error("accepted: %s\n", r->xml);
                assert_vb_error(&err, r->code, r->from, r->message);
                vb_error_clear(&err);
                assert_int_equal(parse_kind(r->kind, r->xml, 0, &err), schema);
        }
}

static void test_network_fields(void **state) {
        char *xml = conf_test_read("network-nat.in.xml");
        VbError err = { 0 };
        NetworkDef *def = network_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_string_equal(def->name, "natnet");
        assert_string_equal(def->bridge, "virbr5");
        assert_string_equal(def->forward_mode, "nat");
        const NetworkDefPrivate *p = def->priv;
        assert_string_equal(p->mac, "52:54:00:0a:0b:0c");      /* normalised */
        assert_int_equal(p->mtu.v, 9000);
        assert_int_equal(p->nat_port_start.v, 1024);
        assert_int_equal(p->n_ips, 2);
        assert_int_equal(p->ips[0].n_ranges, 2);
        assert_int_equal(p->ips[0].n_hosts, 2);
        assert_string_equal(p->ips[0].hosts[0].name, "web");
        assert_string_equal(p->ips[1].family, "ipv6");
        assert_int_equal(p->ips[1].prefix.v, 64);
        network_def_free(def);
        free(xml);
}

static void test_network_defaults(void **state) {
        VbError err = { 0 };
        const char *xml = "<network><name>n</name><forward/><bridge name='virbr3'/></network>";
        NetworkDef *def = network_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_false(uuid_is_null(def->uuid));
        assert_string_equal(def->forward_mode, "nat");         /* <forward/> means NAT */
        char *out = network_def_format(def, 0);
        assert_non_null(strstr(out, "  <forward mode='nat'/>\n  <bridge name='virbr3' stp='on' delay='0'/>\n"));
        free(out);
        network_def_free(def);

        const char *iso = "<network><name>i</name></network>";
        def = network_def_parse(iso, strlen(iso), 0, &err);
        assert_null(def->forward_mode);
        assert_null(def->bridge);
        network_def_free(def);
}

static void test_pool_fields(void **state) {
        char *xml = conf_test_read("pool-dir.in.xml");
        VbError err = { 0 };
        PoolDef *def = pool_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_string_equal(def->type, "dir");
        assert_int_equal(def->capacity, 107374182400ull);      /* 100 GiB */
        assert_int_equal(def->allocation, 0);
        assert_string_equal(def->target_path, "/var/lib/libvirt/images");
        assert_int_equal(def->priv->perms.mode.v, 0711);
        pool_def_free(def);
        free(xml);

        xml = conf_test_read("pool-netfs.in.xml");
        def = pool_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_string_equal(def->priv->hosts[0].name, "nfs.example.com");
        assert_int_equal(def->priv->hosts[0].port.v, 2049);
        assert_string_equal(def->priv->source_dir, "/export");
        assert_string_equal(def->priv->source_format, "nfs");
        pool_def_free(def);
        free(xml);
}

/* iscsi-direct's source: host, target IQN and initiator IQN survive a format round trip. */
static void test_pool_iscsi_source(void **state) {
        static const char xml[] =
                "<pool type='iscsi-direct'><name>t</name><source><host name='127.0.0.1' port='3260'/>"
                "<device path='iqn.2026-12.test:tgt'/><initiator><iqn name='iqn.2026-12.test:me'/></initiator>"
                "</source></pool>";
        VbError err = { 0 };
        PoolDef *def = pool_def_parse(xml, sizeof xml - 1, POOL_PARSE_VALIDATE, &err);
        assert_non_null(def);
        char *out = pool_def_format(def, 0);
        assert_non_null(strstr(out, "<initiator>\n"));
        assert_non_null(strstr(out, "<iqn name='iqn.2026-12.test:me'/>"));
        PoolDef *again = pool_def_parse(out, strlen(out), POOL_PARSE_VALIDATE, &err);
        assert_non_null(again);
        PoolIscsiSourceView v;
        pool_def_get_iscsi_source(again, &v);
        assert_string_equal(v.host, "127.0.0.1");
        assert_int_equal(v.port, 3260);
        assert_string_equal(v.device, "iqn.2026-12.test:tgt");
        assert_string_equal(v.initiator_iqn, "iqn.2026-12.test:me");
        assert_int_equal(v.n_hosts, 1);
        pool_def_free(again);
        pool_def_free(def);
        free(out);
        /* <iqn> without its name is an error, not an empty initiator */
        static const char bad[] = "<pool type='iscsi-direct'><name>t</name><source><initiator><iqn/></initiator>"
                                  "</source></pool>";
        assert_null(pool_def_parse(bad, sizeof bad - 1, 0, &err));
        assert_non_null(strstr(err.message, "missing iqn name"));
}

/* <auth type='chap'>: user name and secret reference survive a round trip; the forms libvirt
 * refuses are refused with its words. */
static void test_pool_iscsi_chap(void **state) {
        static const char xml[] =
                "<pool type='iscsi-direct'><name>t</name><source><host name='127.0.0.1'/>"
                "<device path='iqn.2026-12.test:tgt'/><auth type='chap' username='alice'>"
                "<secret usage='tgt-chap'/></auth><initiator><iqn name='iqn.2026-12.test:me'/></initiator>"
                "</source></pool>";
        VbError err = { 0 };
        PoolDef *def = pool_def_parse(xml, sizeof xml - 1, POOL_PARSE_VALIDATE, &err);
        assert_non_null(def);
        char *out = pool_def_format(def, 0);
        assert_non_null(strstr(out, "<auth type='chap' username='alice'>\n"));
        assert_non_null(strstr(out, "<secret usage='tgt-chap'/>"));
        PoolDef *again = pool_def_parse(out, strlen(out), POOL_PARSE_VALIDATE, &err);
        assert_non_null(again);
        PoolIscsiSourceView v;
        pool_def_get_iscsi_source(again, &v);
        assert_string_equal(v.chap_username, "alice");
        assert_string_equal(v.chap_secret_usage, "tgt-chap");
        assert_null(v.chap_secret_uuid);
        pool_def_free(again);
        pool_def_free(def);
        free(out);

        static const struct {
                const char *auth, *error;
        } bad[] = {
                { "<auth type='ceph' username='a'><secret usage='x'/></auth>", "unknown auth type 'ceph'" },
                { "<auth type='chap'><secret usage='x'/></auth>", "missing username for auth" },
                { "<auth type='chap' username='a'/>", "missing auth secret node" },
                { "<auth type='chap' username='a'><secret/></auth>", "either auth secret uuid or usage expected" },
                { "<auth type='chap' username='a'><secret uuid='nope'/></auth>", "malformed auth secret uuid 'nope'" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                char b[512];
                snprintf(b, sizeof b, "<pool type='iscsi-direct'><name>t</name><source>%s</source></pool>", bad[i].auth);
                err = (VbError) { 0 };
                assert_null(pool_def_parse(b, strlen(b), 0, &err));
                assert_non_null(strstr(err.message, bad[i].error));
        }
}

static void test_vol_fields(void **state) {
        char *xml = conf_test_read("vol-qcow2.in.xml");
        VbError err = { 0 };
        VolDef *def = vol_def_parse(xml, strlen(xml), 0, &err);
        assert_non_null(def);
        assert_string_equal(def->name, "disk1.qcow2");
        assert_string_equal(def->type, "file");                 /* the default */
        assert_string_equal(def->format, "qcow2");
        assert_string_equal(def->path, "/var/lib/libvirt/images/disk1.qcow2");
        assert_int_equal(def->capacity, 10737418240ull);
        assert_int_equal(def->allocation, 1048576);
        assert_int_equal(def->priv->perms.owner.v, 107);
        vol_def_free(def);
        free(xml);

        /* The pool sets key and path; the formatter writes what they say. */
        const char *bare = "<volume><name>v.img</name><capacity unit='G'>1</capacity></volume>";
        def = vol_def_parse(bare, strlen(bare), 0, &err);
        assert_non_null(def);
        assert_int_equal(def->allocation, def->capacity);
        def->key = strdup("/default-pool/v.img");
        def->path = strdup("/default-pool/v.img");
        def->format = strdup("raw");
        char *out = vol_def_format(def, 0);
        assert_string_equal(out,
                "<volume type='file'>\n"
                "  <name>v.img</name>\n"
                "  <key>/default-pool/v.img</key>\n"
                "  <capacity unit='bytes'>1073741824</capacity>\n"
                "  <allocation unit='bytes'>1073741824</allocation>\n"
                "  <target>\n"
                "    <path>/default-pool/v.img</path>\n"
                "    <format type='raw'/>\n"
                "  </target>\n"
                "</volume>\n");
        free(out);
        vol_def_free(def);
}

static void test_null_safety(void **state) {
        assert_null(network_def_free(NULL));
        assert_null(pool_def_free(NULL));
        assert_null(vol_def_free(NULL));
        assert_null(network_def_format(NULL, 0));
        assert_null(pool_def_format(NULL, 0));
        assert_null(vol_def_format(NULL, 0));
        assert_null(network_def_copy(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_network_fields),
                cmocka_unit_test(test_network_defaults),
                cmocka_unit_test(test_pool_fields),
                cmocka_unit_test(test_pool_iscsi_source),
                cmocka_unit_test(test_pool_iscsi_chap),
                cmocka_unit_test(test_vol_fields),
                cmocka_unit_test(test_null_safety),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
