/* test-domain-conf.c: <domain> parsing: generated identity, refusals with libvirt's texts, typed fields, flags, copies. */
#include "conf-test.h"

#include "domain-conf.h"
#include "domain-priv.h"
#include "uuid.h"

#define MINIMAL_HEAD "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os>"

static DomainDef *parse(const char *xml, unsigned flags, VbError *err) {
        return domain_def_parse(xml, strlen(xml), flags, err);
}

static void test_minimal_generates_uuid_and_mac(void **state) {
        const char *xml = MINIMAL_HEAD
                "<devices><interface type='network'><source network='default'/></interface></devices>"
                "</domain>";
        VbError err = { 0 };
        DomainDef *a = parse(xml, 0, &err);
        DomainDef *b = parse(xml, 0, &err);
        assert_non_null(a);
        assert_non_null(b);
        assert_false(uuid_is_null(a->uuid));
        assert_memory_not_equal(a->uuid, b->uuid, 16);
        assert_int_equal(a->uuid[6] >> 4, 4);           /* version 4 */

        const DomainInterface *nic = &a->priv->devices.interfaces[0];
        assert_int_equal(a->priv->devices.n_interfaces, 1);
        assert_memory_equal(nic->mac, "\x52\x54\x00", 3);

        /* what was generated is written out, and kept by the next parse */
        char *out = domain_def_format(a, 0);
        DomainDef *again = parse(out, 0, &err);
        assert_non_null(again);
        assert_memory_equal(again->uuid, a->uuid, 16);
        assert_memory_equal(again->priv->devices.interfaces[0].mac, nic->mac, 6);
        char *out2 = domain_def_format(again, 0);
        assert_string_equal(out, out2);

        free(out2);
        free(out);
        domain_def_free(again);
        domain_def_free(b);
        domain_def_free(a);
}

typedef struct Refusal {
        const char *xml;
        unsigned flags;
        int code, from;
        const char *message;
} Refusal;

static const Refusal refusals[] = {
        { "<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_NO_NAME, VB_FROM_DOMAIN, "missing name information" },
        { "<domain type='test'><name></name><memory>1</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_NO_NAME, VB_FROM_DOMAIN, "missing name information" },
        { "<domain type='test'><name>a</name><memory>abc</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid value 'abc' for element or attribute './memory[1]'" },
        { "<domain type='test'><name>a</name><memory>-5</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid value '-5' for element or attribute './memory[1]'" },
        { "<domain type='test'><name>a</name><memory unit='XB'>1</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_INVALID_ARG, VB_FROM_XML, "invalid argument: unknown suffix 'XB'" },
        { "<domain type='test'><name>a</name><memory>1024</memory><currentMemory>x</currentMemory>"
          "<os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid value 'x' for element or attribute './currentMemory[1]'" },
        { "<domain type='test'><name>a</name><os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Memory size must be specified via <memory> or in the <numa> configuration" },
        { MINIMAL_HEAD "<vcpu>x</vcpu></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: maximum vcpus count must be an integer" },
        { MINIMAL_HEAD "<vcpu>0</vcpu></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: maximum vcpus count must be greater than 0" },
        { MINIMAL_HEAD "<vcpu current='x'>2</vcpu></domain>", 0, VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value for attribute 'current' in element 'vcpu': 'x'. Expected non-negative integer value" },
        { MINIMAL_HEAD "<vcpu current='4'>2</vcpu></domain>", 0, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
          "unsupported configuration: maximum vCPU count must not be less than current vCPU count" },
        { MINIMAL_HEAD "<vcpu placement='nowhere'>2</vcpu></domain>", 0, VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value for attribute 'placement' in element 'vcpu': 'nowhere'." },
        { MINIMAL_HEAD "<devices><interface type='network'><mac address='zz:11'/></interface></devices></domain>", 0,
          VB_ERR_INVALID_MAC, VB_FROM_DOMAIN, "invalid MAC address: unable to parse mac address 'zz:11'" },
        { MINIMAL_HEAD "<devices><interface type='user'><mac address='01:00:00:00:00:01'/></interface></devices></domain>", 0,
          VB_ERR_INVALID_MAC, VB_FROM_DOMAIN,
          "invalid MAC address: expected unicast mac address, found multicast '01:00:00:00:00:01'" },
        { MINIMAL_HEAD "<bogus/></domain>", DOMAIN_PARSE_VALIDATE, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element domain has extra content: bogus" },
        { MINIMAL_HEAD "<devices><bogusdev/></devices></domain>", DOMAIN_PARSE_VALIDATE,
          VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element devices has extra content: bogusdev" },
        { MINIMAL_HEAD "<devices><tpm model='tpm-crb'><backend type='emulator' version='2.0'><encryption "
          "secret='6dd3e4a5-1d76-44ce-961f-f119f5aad935'/></backend></tpm></devices></domain>", 0,
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_XML,
          "unsupported configuration: <tpm><backend> element <encryption> is not supported" },
        { MINIMAL_HEAD "<devices><disk type='file' foo='1'/></devices></domain>", DOMAIN_PARSE_VALIDATE,
          VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Invalid attribute foo for element disk" },
        { MINIMAL_HEAD "<devices><disk type='file'><source file='/x' bar='2'/></disk></devices></domain>",
          DOMAIN_PARSE_VALIDATE, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Invalid attribute bar for element source" },
        { MINIMAL_HEAD "<features><hyperv/></features></domain>", DOMAIN_PARSE_VALIDATE,
          VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Element features has extra content: hyperv" },
        { "<domain type='test' bogus='1'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>",
          DOMAIN_PARSE_VALIDATE, VB_ERR_XML_INVALID_SCHEMA, VB_FROM_XML,
          "XML document failed to validate against schema: Invalid attribute bogus for element domain" },
        { "<network><name>a</name></network>", 0, VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: expecting root element of 'domain', not 'network'" },
        { "<domain type='test'><name>a</name>", 0, VB_ERR_XML_DETAIL, VB_FROM_XML,
          "(domain_definition):1: Premature end of data in tag domain line 1\n"
          "<domain type='test'><name>a</name>\n"
          "----------------------------------^" },
        { "<!DOCTYPE domain [<!ENTITY x 'y'>]><domain type='test'><name>&x;</name></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: (domain_definition): DOCTYPE is not allowed" },
        { "<domain><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "internal error: missing domain type attribute" },
        { "<domain type='bogus'><name>a</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "unsupported configuration: invalid domain type bogus" },
        { "<domain type='test'><name>a</name><uuid>xyz</uuid><memory>1024</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_INTERNAL_ERROR, VB_FROM_DOMAIN, "internal error: malformed uuid element" },
        { "<domain type='test'><name>a</name><memory>1024</memory></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: an os <type> must be specified" },
        { "<domain type='test'><name>a</name><title>a\nb</title><memory>1024</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Domain title can't contain newlines" },
        { MINIMAL_HEAD "<on_crash>boom</on_crash></domain>", 0, VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN,
          "unsupported configuration: unknown on_crash action: boom" },
        { MINIMAL_HEAD "<devices><disk type='bogus'/></devices></domain>", 0, VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value for attribute 'type' in element 'disk': 'bogus'." },
        { MINIMAL_HEAD "<cputune><shares>abc</shares></cputune></domain>", 0, VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value 'abc' for element or attribute './cputune/shares[1]'" },
        { MINIMAL_HEAD "<memtune><hard_limit unit='GiB'>abc</hard_limit></memtune></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value 'abc' for element or attribute './memtune/hard_limit[1]'" },
        { MINIMAL_HEAD "<memtune><soft_limit unit='parsec'>1</soft_limit></memtune></domain>", 0,
          VB_ERR_INVALID_ARG, VB_FROM_XML, "invalid argument: unknown suffix 'parsec'" },
        { MINIMAL_HEAD "<devices><video><model type='vga' vram='x'/></video></devices></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML,
          "XML error: Invalid value for attribute 'vram' in element 'model': 'x'. Expected non-negative integer value" },
        { "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type><boot dev='usb'/></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Invalid value for attribute 'dev' in element 'boot': 'usb'." },
        { "<domain type='test'><name>a/b</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: name a/b cannot contain '/'" },
        { MINIMAL_HEAD "<devices><interface><source network='default'/></interface></devices></domain>", 0,
          VB_ERR_XML_ERROR, VB_FROM_XML, "XML error: Missing required attribute 'type' in element 'interface'" },
        { MINIMAL_HEAD "<devices><disk><target dev='vda'/><iotune><read_iops_sec>-1</read_iops_sec></iotune>"
          "</disk></devices></domain>", 0, VB_ERR_XML_ERROR, VB_FROM_DOMAIN,
          "XML error: disk iotune field 'read_iops_sec' must be an integer" },
        /* a user's alias names one device (libvirt 9.0's text); a console on a serial shares it */
        { "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os><devices>"
          "<interface type='user'><mac address='52:54:00:00:00:01'/><alias name='ua-x'/></interface>"
          "<sound model='ich6'><alias name='ua-x'/></sound></devices></domain>", 0,
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "unsupported configuration: non unique alias detected: ua-x" },
        { "<domain type='test'><name>a</name><memory>1024</memory><os><type>hvm</type></os><devices>"
          "<disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/><alias name='ua-d'/></disk>"
          "<disk type='file' device='disk'><source file='/b'/><target dev='vdb' bus='virtio'/><alias name='ua-d'/></disk>"
          "</devices></domain>", 0,
          VB_ERR_CONFIG_UNSUPPORTED, VB_FROM_DOMAIN, "unsupported configuration: non unique alias detected: ua-d" },
};

static void test_refusals(void **state) {
        for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
                const Refusal *r = &refusals[i];
                VbError err = { 0 };
                DomainDef *def = parse(r->xml, r->flags, &err);
                if (def)
                        print_error("accepted: %s\n", r->xml);
                assert_null(def);
                assert_vb_error(&err, r->code, r->from, r->message);
        }
}

/* Without VALIDATE, what libvirt does not know either is dropped, not refused; a device libvirt
 * knows is never dropped: modelled (<sound>) or kept as written (<smartcard>). */
static void test_unknown_dropped_without_validate(void **state) {
        VbError err = { 0 };
        DomainDef *def = parse(MINIMAL_HEAD "<bogus><deeper/></bogus><devices><sound model='ich9'/>"
                               "<smartcard mode='passthrough' type='spicevmc'/><bogusdev/>"
                               "<disk type='file' foo='1'/></devices></domain>", 0, &err);
        assert_non_null(def);
        char *out = domain_def_format(def, 0);
        assert_null(strstr(out, "bogus"));
        assert_non_null(strstr(out, "<sound model='ich9'/>"));
        assert_non_null(strstr(out, "<smartcard mode=\"passthrough\" type=\"spicevmc\"/>"));
        assert_int_equal(def->priv->devices.n_others, 1);
        assert_string_equal(def->priv->devices.others[0].name, "smartcard");
        assert_null(strstr(out, "foo"));
        free(out);
        domain_def_free(def);
}

static void test_typed_fields(void **state) {
        char *xml = conf_test_read("domain-rich.in.xml");
        VbError err = { 0 };
        DomainDef *def = parse(xml, 0, &err);
        assert_non_null(def);
        assert_string_equal(def->virt_type, "kvm");
        assert_string_equal(def->name, "rich");
        assert_string_equal(def->title, "A rich guest");
        assert_string_equal(def->description, "Everything & more: <b> it's \"quoted\"");
        assert_int_equal(def->memory_kib, 2097152);
        assert_int_equal(def->current_memory_kib, 976563);     /* 1000 MB, rounded up to KiB */
        assert_int_equal(def->vcpus, 4);
        assert_int_equal(def->current_vcpus, 2);
        assert_string_equal(def->os_type, "hvm");
        assert_string_equal(def->on_crash, "coredump-restart");
        assert_int_equal(def->id, -1);

        const DomainDefPrivate *p = def->priv;
        assert_string_equal(p->os.arch, "x86_64");
        assert_int_equal(p->os.n_boot_devs, 2);
        assert_string_equal(p->os.boot_devs[1], "cdrom");
        assert_true(p->features.acpi && p->features.apic && p->features.pae);
        assert_string_equal(p->cpu.mode, "custom");
        assert_int_equal(p->cpu.threads.v, 2);
        assert_int_equal(p->cputune.quota.v, -1);
        assert_int_equal(p->cputune.n_vcpupins, 2);
        assert_int_equal(p->memtune.hard_limit_kib, 1048576);
        assert_int_equal(p->memtune.soft_limit_kib, 524288);
        assert_int_equal(p->memtune.swap_hard_limit_kib, 2097152);

        const DomainDevices *d = &p->devices;
        assert_string_equal(d->emulator, "/usr/bin/qemu-system-x86_64");
        assert_int_equal(d->n_disks, 2);
        assert_string_equal(d->disks[1].device, "cdrom");
        assert_string_equal(d->disks[1].source_dev, "/dev/sr0");
        assert_true(d->disks[1].readonly);
        assert_int_equal(d->n_interfaces, 3);
        assert_memory_equal(d->interfaces[1].mac, "\x52\x54\x00\xab\xcd\xef", 6);
        assert_string_equal(d->interfaces[1].source_bridge, "br0");
        assert_int_equal(d->n_serials, 2);
        assert_int_equal(d->n_consoles, 1);
        assert_int_equal(d->n_channels, 2);
        assert_string_equal(d->channels[0].target_name, "org.qemu.guest_agent.0");
        assert_int_equal(d->n_graphics, 2);
        assert_int_equal(d->graphics[0].port.v, -1);
        assert_string_equal(d->graphics[0].autoport, "yes");
        assert_string_equal(d->graphics[1].listen, "0.0.0.0");
        assert_int_equal(d->videos[0].vram.v, 65536);
        assert_string_equal(d->memballoon.model, "virtio");
        assert_string_equal(d->rngs[0].backend, "/dev/urandom");
        assert_string_equal(d->watchdogs[0].action, "reset");
        assert_int_equal(p->n_seclabels, 2);
        domain_def_free(def);
        free(xml);
}

static void test_format_flags(void **state) {
        char *xml = conf_test_read("domain-live.in.xml");
        VbError err = { 0 };
        DomainDef *def = parse(xml, DOMAIN_PARSE_STATUS, &err);
        assert_non_null(def);
        assert_int_equal(def->id, 7);

        char *plain = domain_def_format(def, 0);
        char *secure = domain_def_format(def, DOMAIN_FORMAT_SECURE);
        char *inactive = domain_def_format(def, DOMAIN_FORMAT_INACTIVE | DOMAIN_FORMAT_SECURE);
        assert_non_null(strstr(plain, "<domain type='kvm' id='7'>"));
        assert_null(strstr(plain, "passwd"));                   /* never without SECURE */
        assert_non_null(strstr(secure, " passwd='s3cret'"));
        assert_non_null(strstr(inactive, "<domain type='kvm'>\n"));
        assert_non_null(strstr(inactive, " passwd='s3cret'"));

        def->id = -1;                                          /* the core stops the guest */
        char *stopped = domain_def_format(def, 0);
        assert_non_null(strstr(stopped, "<domain type='kvm'>\n"));

        free(stopped);
        free(inactive);
        free(secure);
        free(plain);
        domain_def_free(def);
        free(xml);
}

static void test_copy_is_deep_and_exact(void **state) {
        char *xml = conf_test_read("domain-live.in.xml");
        VbError err = { 0 };
        DomainDef *def = parse(xml, DOMAIN_PARSE_STATUS, &err);
        DomainDef *copy = domain_def_copy(def);
        assert_non_null(copy);
        assert_int_equal(copy->id, 7);
        char *a = domain_def_format(def, DOMAIN_FORMAT_SECURE);
        char *b = domain_def_format(copy, DOMAIN_FORMAT_SECURE);
        assert_string_equal(a, b);

        free(copy->name);
        copy->name = strdup("other");
        copy->memory_kib = 4096;
        char *c = domain_def_format(def, DOMAIN_FORMAT_SECURE);
        assert_string_equal(a, c);

        /* a stopped definition copies as stopped */
        def->id = -1;
        DomainDef *copy2 = domain_def_copy(def);
        assert_int_equal(copy2->id, -1);

        free(c);
        free(b);
        free(a);
        domain_def_free(copy2);
        domain_def_free(copy);
        domain_def_free(def);
        free(xml);
        assert_null(domain_def_free(NULL));
        assert_null(domain_def_format(NULL, 0));
}

/* The core fills the public fields itself; the formatter writes what they say. */
static void test_public_fields_drive_output(void **state) {
        VbError err = { 0 };
        DomainDef *def = parse(MINIMAL_HEAD "</domain>", 0, &err);
        assert_non_null(def);
        def->memory_kib = 2048;
        def->current_memory_kib = 1024;
        def->vcpus = 4;
        def->current_vcpus = 3;
        free(def->on_poweroff);
        def->on_poweroff = strdup("preserve");
        char *out = domain_def_format(def, 0);
        assert_non_null(strstr(out, "<memory unit='KiB'>2048</memory>"));
        assert_non_null(strstr(out, "<currentMemory unit='KiB'>1024</currentMemory>"));
        assert_non_null(strstr(out, "<vcpu placement='static' current='3'>4</vcpu>"));
        assert_non_null(strstr(out, "<on_poweroff>preserve</on_poweroff>"));
        free(out);
        domain_def_free(def);
}

/* <disk type='volume'> keeps its pool and volume through parse, format and copy (the QEMU
 * driver resolves them at start). */
static void test_volume_disk_kept(void **state) {
        VbError err = { 0 };
        DomainDef *def = parse(MINIMAL_HEAD "<devices><disk type='volume' device='disk'>"
                               "<source pool='guests' volume='a.qcow2'/><target dev='vda' bus='virtio'/>"
                               "</disk></devices></domain>", DOMAIN_PARSE_VALIDATE, &err);
        assert_non_null(def);
        DomainDisk *d = &def->priv->devices.disks[0];
        assert_string_equal(d->type, "volume");
        assert_string_equal(d->source_pool, "guests");
        assert_string_equal(d->source_volume, "a.qcow2");
        DomainDef *copy = domain_def_copy(def);
        char *out = domain_def_format(copy, 0);
        assert_non_null(strstr(out, "<disk type='volume' device='disk'>"));
        assert_non_null(strstr(out, "<source pool='guests' volume='a.qcow2'/>"));
        free(out);
        domain_def_free(copy);
        domain_def_free(def);
}

/* An id is only taken from status XML: defining from a running guest's dumpxml must not. */
static void test_id_only_from_status(void **state) {
        const char *xml = "<domain type='test' id='3'><name>a</name><memory>1024</memory>"
                          "<os><type>hvm</type></os></domain>";
        VbError err = { 0 };
        DomainDef *def = parse(xml, 0, &err);
        assert_int_equal(def->id, -1);
        domain_def_free(def);
        def = parse(xml, DOMAIN_PARSE_STATUS, &err);
        assert_int_equal(def->id, 3);
        domain_def_free(def);
        assert_null(parse("<domain type='test' id='x'><name>a</name><memory>1024</memory>"
                          "<os><type>hvm</type></os></domain>", DOMAIN_PARSE_STATUS, &err));
        assert_vb_error(&err, VB_ERR_XML_ERROR, VB_FROM_XML,
                        "XML error: Invalid value for attribute 'id' in element 'domain': 'x'. Expected integer value");
}

/* Status files wrap the live definition; the core reads the wrapper and hands us the node. */
static void test_parse_node_from_status_file(void **state) {
        const char *status = "<domstatus state='running' reason='1' id='4'>\n"
                             "<domain type='kvm' id='4'><name>s</name><memory>1024</memory>"
                             "<os><type>hvm</type></os></domain>\n</domstatus>\n";
        VbError err = { 0 };
        xmlDocPtr doc = xml_read_untrusted(status, strlen(status), "domstatus", "domain_status", &err);
        assert_non_null(doc);
        DomainDef *def = domain_def_parse_node(xml_node_child(xmlDocGetRootElement(doc), "domain"),
                                               DOMAIN_PARSE_STATUS, &err);
        assert_non_null(def);
        assert_string_equal(def->name, "s");
        assert_int_equal(def->id, 4);
        domain_def_free(def);
        assert_null(domain_def_parse_node(xmlDocGetRootElement(doc), 0, &err));
        assert_int_equal(err.code, VB_ERR_XML_ERROR);
        assert_null(domain_def_parse_node(NULL, 0, &err));
        xmlFreeDoc(doc);
}

/* Pretty-printed numbers are numbers; strings stay verbatim. */
static void test_whitespace_around_numbers(void **state) {
        VbError err = { 0 };
        DomainDef *def = parse("<domain type='test'><name>a</name><uuid>\n  6695eb01-f6a4-8304-79aa-97f2502e193f\n</uuid>"
                               "<memory unit='MiB'>\n    2\n  </memory><vcpu> 3 </vcpu>"
                               "<cputune><shares>\n10\n</shares></cputune>"
                               "<os><type>hvm</type><cmdline> a  b </cmdline></os></domain>", 0, &err);
        assert_non_null(def);
        assert_int_equal(def->memory_kib, 2048);
        assert_int_equal(def->vcpus, 3);
        assert_int_equal(def->priv->cputune.shares.v, 10);
        assert_string_equal(def->priv->os.cmdline, " a  b ");
        assert_int_equal(def->uuid[0], 0x66);
        domain_def_free(def);
}

static void test_current_memory_clamped(void **state) {
        VbError err = { 0 };
        DomainDef *def = parse("<domain type='test'><name>a</name><memory>1024</memory>"
                               "<currentMemory>4096</currentMemory><os><type>hvm</type></os></domain>",
                               0, &err);
        assert_non_null(def);
        assert_int_equal(def->current_memory_kib, 1024);
        domain_def_free(def);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_minimal_generates_uuid_and_mac),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_unknown_dropped_without_validate),
                cmocka_unit_test(test_typed_fields),
                cmocka_unit_test(test_format_flags),
                cmocka_unit_test(test_copy_is_deep_and_exact),
                cmocka_unit_test(test_public_fields_drive_output),
                cmocka_unit_test(test_volume_disk_kept),
                cmocka_unit_test(test_current_memory_clamped),
                cmocka_unit_test(test_whitespace_around_numbers),
                cmocka_unit_test(test_id_only_from_status),
                cmocka_unit_test(test_parse_node_from_status_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
