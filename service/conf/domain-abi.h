/* domain-abi.h: does a replacement definition describe the same guest hardware (libvirt's ABI stability check)? */
#pragma once

#include "domain-conf.h"
#include "error.h"

/* 0 when dst may replace src for a guest whose state was kept with src (a save image, a
 * migration); else -1 with err set to libvirt's words ("unsupported configuration: Target
 * domain name 'b' does not match source 'a'"). Name and UUID are held to as well: a
 * replacement XML never renames a domain. */
int domain_def_check_abi(const DomainDef *src, const DomainDef *dst, VbError *err);
