/* nwfilter-nft-gen.h: network filter bindings turned into one nftables table (bridge family) of the daemon's own, as text (pure). */
#pragma once

#include <stddef.h>

#include "error.h"
#include "nwfilter-conf.h"

#define NWFILTER_NFT_TABLE "virtbus_nwfilter"
#define NWFILTER_NFT_RULES_MAX 4096u    /* rules of one binding after variables are expanded */

/* The filter named name, or NULL when there is none. */
typedef const NWFilterDef *(*NWFilterLookupFn)(const char *name, void *userdata);

/* The script (nft -f syntax) that replaces table bridge virtbus_nwfilter with the rules of
 * bindings[0..n) in one transaction; with n == 0 it only removes the table. Per binding: a
 * chain "from-PORT" (what the guest sends: direction 'out', jumped to from prerouting on
 * iifname PORT) and "to-PORT" (direction 'in', from postrouting on oifname PORT); each filter
 * chain other than root (mac, ipv4-ip, arp-mac …) a chain of its own under those, jumped to at
 * its priority, for its protocol only. Rules are ordered by priority, variables ($IP, $MAC …)
 * taken from the binding's parameters (MAC defaults to the binding's MAC) and from each
 * filterref's, one rule per value of a variable with several. Nothing is written and -1 with
 * err set when a filter is missing, a variable has no value, or a rule uses what the
 * translation does not do (it names it). */
int nwfilter_nft_script(const NWFilterBindingDef *const *bindings, size_t n, NWFilterLookupFn lookup,
                        void *userdata, char **out, VbError *err);

/* One rule's match (the text before the verdict, "" for none) from a protocol element whose
 * attribute values are already substituted; -1 with err set naming what is refused. The
 * verdict for action ("accept", "drop", "reject", "return", "continue"). */
int nwfilter_nft_match(const char *proto, const NWFilterParam *attrs, size_t n_attrs, char **out, VbError *err);
const char *nwfilter_nft_verdict(const char *action);
