/* bandwidth-priv.h: a <bandwidth> element (<inbound>, <outbound>) as libvirt parses and writes it, shared by guest NICs (domain-bandwidth.c), networks and their portgroups (network-qos.c). */
#pragma once

#include <stdbool.h>

#include "domain-model.h"
#include "xml-util.h"

/* bw's <inbound>/<outbound> into in and out (left zeroed when absent); floor only when
 * allow_floor ("floor attribute is not supported for this config"). */
int bandwidth_parse(xmlNodePtr bw, DomainBandwidthRate *in, DomainBandwidthRate *out, bool allow_floor,
                    VbError *err);
/* <bandwidth> with the directions set; nothing when neither is. */
void bandwidth_format(XmlBuf *b, const DomainBandwidthRate *in, const DomainBandwidthRate *out);
