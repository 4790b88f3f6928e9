/* network-dns-priv.h: <dns> parse, format and free for network-conf.c and network-update.c. */
#pragma once

#include "error.h"
#include "network-dns.h"
#include "xml-util.h"

/* The whole <dns> element, checked (libvirt's messages; net is the network's name). */
int network_dns_parse(xmlNodePtr node, NetworkDns *dns, const char *net, unsigned flags, VbError *err);
/* One record each (net-update passes these alone). */
int network_dns_parse_host(xmlNodePtr n, NetworkDnsHost *h, const char *net, unsigned flags, VbError *err);
int network_dns_parse_txt(xmlNodePtr n, NetworkDnsTxt *t, const char *net, unsigned flags, VbError *err);
int network_dns_parse_srv(xmlNodePtr n, NetworkDnsSrv *s, const char *net, unsigned flags, VbError *err);
/* <dns …>…</dns> at b's indent, nothing when dns is empty. */
void network_dns_format(XmlBuf *b, const NetworkDns *dns);
void network_dns_format_host(XmlBuf *b, const NetworkDnsHost *h);
void network_dns_format_txt(XmlBuf *b, const NetworkDnsTxt *t);
void network_dns_format_srv(XmlBuf *b, const NetworkDnsSrv *s);
void network_dns_host_clear(NetworkDnsHost *h);
void network_dns_txt_clear(NetworkDnsTxt *t);
void network_dns_srv_clear(NetworkDnsSrv *s);
void network_dns_clear(NetworkDns *dns);
