/* test-content.h: the objects libvirt's test:///default holds at start (facts observed with virsh). */
#pragma once

static const char test_domain_xml[] =
        "<domain type='test'>\n"
        "  <name>test</name>\n"
        "  <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>\n"
        "  <memory unit='KiB'>8388608</memory>\n"
        "  <currentMemory unit='KiB'>2097152</currentMemory>\n"
        "  <vcpu placement='static'>2</vcpu>\n"
        "  <os>\n"
        "    <type arch='i686'>hvm</type>\n"
        "    <boot dev='hd'/>\n"
        "  </os>\n"
        "  <clock offset='utc'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <disk type='file' device='disk'>\n"
        "      <source file='/guest/diskimage1'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n"
        "    <interface type='network'>\n"
        "      <mac address='aa:bb:cc:dd:ee:ff'/>\n"
        "      <source network='default'/>\n"
        "    </interface>\n"
        "    <memballoon model='virtio'/>\n"
        "  </devices>\n"
        "</domain>\n";

static const char test_network_xml[] =
        "<network>\n"
        "  <name>default</name>\n"
        "  <uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>\n"
        "  <forward mode='nat'/>\n"
        "  <bridge name='virbr0' stp='on' delay='0'/>\n"
        "  <ip address='192.168.122.1' netmask='255.255.255.0'>\n"
        "    <dhcp>\n"
        "      <range start='192.168.122.2' end='192.168.122.254'/>\n"
        "    </dhcp>\n"
        "  </ip>\n"
        "</network>\n";

static const char test_pool_xml[] =
        "<pool type='dir'>\n"
        "  <name>default-pool</name>\n"
        "  <uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>\n"
        "  <capacity unit='bytes'>107374182400</capacity>\n"
        "  <allocation unit='bytes'>0</allocation>\n"
        "  <available unit='bytes'>107374182400</available>\n"
        "  <target>\n"
        "    <path>/default-pool</path>\n"
        "  </target>\n"
        "</pool>\n";

static const char test_sysinfo_xml[] =
        "<sysinfo type='smbios'>\n"
        "  <bios>\n"
        "    <entry name='vendor'>LENOVO</entry>\n"
        "    <entry name='version'>G4ETA1WW (2.61 )</entry>\n"
        "    <entry name='date'>05/07/2014</entry>\n"
        "    <entry name='release'>2.61</entry>\n"
        "  </bios>\n"
        "</sysinfo>\n";
