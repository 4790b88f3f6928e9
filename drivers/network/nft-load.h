/* nft-load.h: libnftables, loaded on the first firewall change instead of linked.
 *
 * Included in place of <nftables/libnftables.h>: the six calls the driver makes go to
 * nft-load.c, which dlopen()s libnftables.so.1 (and so libnftnl, libmnl, libxtables, jansson)
 * the first time, so a daemon that never starts a NAT or routed network never maps them. */
#pragma once

#include <nftables/libnftables.h>

struct nft_ctx *nft_load_ctx_new(uint32_t flags);       /* NULL (logged) when it cannot be loaded */
void nft_load_ctx_free(struct nft_ctx *ctx);
int nft_load_ctx_buffer_output(struct nft_ctx *ctx);
int nft_load_ctx_buffer_error(struct nft_ctx *ctx);
const char *nft_load_ctx_get_error_buffer(struct nft_ctx *ctx);
int nft_load_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf);

#define nft_ctx_new nft_load_ctx_new
#define nft_ctx_free nft_load_ctx_free
#define nft_ctx_buffer_output nft_load_ctx_buffer_output
#define nft_ctx_buffer_error nft_load_ctx_buffer_error
#define nft_ctx_get_error_buffer nft_load_ctx_get_error_buffer
#define nft_run_cmd_from_buffer nft_load_run_cmd_from_buffer
