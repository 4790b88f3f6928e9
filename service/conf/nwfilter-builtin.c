/* nwfilter-builtin.c: the standard network filters a libvirt host has (clean-traffic and the filters it is made of, allow-dhcp …), as data: written from what each is documented to do. */
#include "nwfilter-builtin.h"

#include <stddef.h>

#define RETURN_OUT "<rule action='return' direction='out'"
#define DROP_OUT_LAST "<rule action='drop' direction='out' priority='1000'/>"

const NWFilterBuiltin nwfilter_builtins[] = {
        { "no-mac-spoofing",
          "<filter name='no-mac-spoofing' chain='mac' priority='-800'>"
          RETURN_OUT " priority='500'><mac srcmacaddr='$MAC'/></rule>"
          "<rule action='drop' direction='out' priority='500'><mac/></rule>"
          "</filter>" },
        { "no-ip-spoofing",
          "<filter name='no-ip-spoofing' chain='ipv4-ip' priority='-710'>"
          /* a DHCP client has no address yet */
          RETURN_OUT " priority='100'><ip srcipaddr='0.0.0.0' protocol='udp'/></rule>"
          RETURN_OUT "><ip srcipaddr='$IP'/></rule>"
          DROP_OUT_LAST
          "</filter>" },
        { "no-ipv6-spoofing",
          "<filter name='no-ipv6-spoofing' chain='ipv6-ip' priority='-610'>"
          RETURN_OUT " priority='100'><ipv6 srcipaddr='fe80::' srcipmask='10'/></rule>"
          RETURN_OUT "><ipv6 srcipaddr='$IPV6'/></rule>"
          DROP_OUT_LAST
          "</filter>" },
        { "allow-incoming-ipv4",
          "<filter name='allow-incoming-ipv4' chain='ipv4' priority='-700'>"
          "<rule action='accept' direction='in'/>"
          "</filter>" },
        { "allow-incoming-ipv6",
          "<filter name='allow-incoming-ipv6' chain='ipv6' priority='-600'>"
          "<rule action='accept' direction='in'/>"
          "</filter>" },
        { "allow-ipv4",
          "<filter name='allow-ipv4' chain='ipv4' priority='-700'>"
          "<rule action='accept' direction='inout'/>"
          "</filter>" },
        { "allow-ipv6",
          "<filter name='allow-ipv6' chain='ipv6' priority='-600'>"
          "<rule action='accept' direction='inout'/>"
          "</filter>" },
        { "allow-arp",
          "<filter name='allow-arp' chain='arp' priority='-500'>"
          "<rule action='accept' direction='inout'/>"
          "</filter>" },
        { "no-arp-mac-spoofing",
          "<filter name='no-arp-mac-spoofing' chain='arp-mac' priority='-520'>"
          RETURN_OUT " priority='350'><arp srcmacaddr='$MAC' arpsrcmacaddr='$MAC'/></rule>"
          DROP_OUT_LAST
          "</filter>" },
        { "no-arp-ip-spoofing",
          "<filter name='no-arp-ip-spoofing' chain='arp-ip' priority='-510'>"
          /* an address probe (RFC 5227) has no sender address yet */
          RETURN_OUT " priority='390'><arp arpsrcipaddr='0.0.0.0'/></rule>"
          RETURN_OUT " priority='400'><arp arpsrcipaddr='$IP'/></rule>"
          DROP_OUT_LAST
          "</filter>" },
        { "no-arp-spoofing",
          "<filter name='no-arp-spoofing' chain='arp' priority='-500'>"
          "<filterref filter='no-arp-mac-spoofing'/>"
          "<filterref filter='no-arp-ip-spoofing'/>"
          "</filter>" },
        { "no-other-l2-traffic",
          "<filter name='no-other-l2-traffic'>"
          "<rule action='drop' direction='inout' priority='1000'/>"
          "</filter>" },
        { "no-other-rarp-traffic",
          "<filter name='no-other-rarp-traffic' chain='rarp' priority='-400'>"
          "<rule action='drop' direction='inout' priority='1000'/>"
          "</filter>" },
        { "qemu-announce-self-rarp",
          "<filter name='qemu-announce-self-rarp' chain='rarp' priority='-400'>"
          "<rule action='accept' direction='out' priority='500'>"
          "<rarp srcmacaddr='$MAC' dstmacaddr='ff:ff:ff:ff:ff:ff'/></rule>"
          "<rule action='drop' direction='inout' priority='1000'/>"
          "</filter>" },
        { "qemu-announce-self",
          "<filter name='qemu-announce-self'>"
          "<rule action='accept' direction='out' priority='500'><mac protocolid='0x835'/></rule>"
          "<filterref filter='qemu-announce-self-rarp'/>"
          "</filter>" },
        { "clean-traffic",
          "<filter name='clean-traffic' chain='root'>"
          "<filterref filter='no-mac-spoofing'/>"
          "<filterref filter='no-ip-spoofing'/>"
          "<rule action='accept' direction='out' priority='-650'><mac protocolid='ipv4'/></rule>"
          "<filterref filter='allow-incoming-ipv4'/>"
          "<filterref filter='no-arp-spoofing'/>"
          "<rule action='accept' direction='inout' priority='-500'><mac protocolid='arp'/></rule>"
          "<filterref filter='no-other-l2-traffic'/>"
          "<filterref filter='qemu-announce-self'/>"
          "</filter>" },
        { "allow-dhcp",
          "<filter name='allow-dhcp' chain='ipv4' priority='-700'>"
          "<rule action='accept' direction='out' priority='100'><ip srcipaddr='0.0.0.0' dstipaddr='255.255.255.255'"
          " protocol='udp' srcportstart='68' dstportstart='67'/></rule>"
          "<rule action='accept' direction='in' priority='100'><ip protocol='udp' srcportstart='67'"
          " dstportstart='68'/></rule>"
          "</filter>" },
        { "allow-dhcp-server",
          "<filter name='allow-dhcp-server' chain='ipv4' priority='-700'>"
          "<rule action='accept' direction='out' priority='100'><ip srcipaddr='0.0.0.0' dstipaddr='255.255.255.255'"
          " protocol='udp' srcportstart='68' dstportstart='67'/></rule>"
          "<rule action='accept' direction='in' priority='100'><ip srcipaddr='$DHCPSERVER' protocol='udp'"
          " srcportstart='67' dstportstart='68'/></rule>"
          "</filter>" },
        { "allow-dhcpv6",
          "<filter name='allow-dhcpv6' chain='ipv6' priority='-600'>"
          "<rule action='accept' direction='out' priority='100'><ipv6 srcipaddr='fe80::' srcipmask='10'"
          " dstipaddr='ff02::1:2' protocol='udp' srcportstart='546' dstportstart='547'/></rule>"
          "<rule action='accept' direction='in' priority='100'><ipv6 protocol='udp' srcportstart='547'"
          " dstportstart='546'/></rule>"
          "</filter>" },
        { "no-mac-broadcast",
          "<filter name='no-mac-broadcast' chain='mac' priority='-800'>"
          "<rule action='drop' direction='out' priority='500'><mac dstmacaddr='ff:ff:ff:ff:ff:ff'/></rule>"
          "</filter>" },
        { "no-ip-multicast",
          "<filter name='no-ip-multicast' chain='ipv4' priority='-700'>"
          "<rule action='drop' direction='out'><ip dstipaddr='224.0.0.0' dstipmask='4'/></rule>"
          "</filter>" },
        { "no-ipv6-multicast",
          "<filter name='no-ipv6-multicast' chain='ipv6' priority='-600'>"
          "<rule action='drop' direction='out'><ipv6 dstipaddr='ff00::' dstipmask='8'/></rule>"
          "</filter>" },
        { NULL, NULL },
};
