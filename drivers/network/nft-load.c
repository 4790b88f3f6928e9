/* nft-load.c: libnftables through dlopen() on first use (see nft-load.h). */
#define LOG_MODULE "network"
#include <dlfcn.h>
#include <pthread.h>
#include <nftables/libnftables.h>

#include "log.h"

/* The prototypes of nft-load.h without its renaming macros (this file calls the real ones). */
struct nft_ctx *nft_load_ctx_new(uint32_t flags);
void nft_load_ctx_free(struct nft_ctx *ctx);
int nft_load_ctx_buffer_output(struct nft_ctx *ctx);
int nft_load_ctx_buffer_error(struct nft_ctx *ctx);
const char *nft_load_ctx_get_error_buffer(struct nft_ctx *ctx);
int nft_load_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf);

#define NFT_LIBRARY "libnftables.so.1"

static struct {
        struct nft_ctx *(*ctx_new)(uint32_t);
        void (*ctx_free)(struct nft_ctx *);
        int (*buffer_output)(struct nft_ctx *);
        int (*buffer_error)(struct nft_ctx *);
        const char *(*get_error_buffer)(struct nft_ctx *);
        int (*run_cmd_from_buffer)(struct nft_ctx *, const char *);
} nft;
static pthread_once_t nft_once = PTHREAD_ONCE_INIT;
static bool nft_loaded;

static void nft_load(void) {
        void *h = dlopen(NFT_LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                log_error("cannot load %s (package libnftables1): %s", NFT_LIBRARY, dlerror());
                return;
        }
        nft.ctx_new = (struct nft_ctx * (*)(uint32_t)) dlsym(h, "nft_ctx_new");
        nft.ctx_free = (void (*)(struct nft_ctx *)) dlsym(h, "nft_ctx_free");
        nft.buffer_output = (int (*)(struct nft_ctx *)) dlsym(h, "nft_ctx_buffer_output");
        nft.buffer_error = (int (*)(struct nft_ctx *)) dlsym(h, "nft_ctx_buffer_error");
        nft.get_error_buffer = (const char *(*)(struct nft_ctx *)) dlsym(h, "nft_ctx_get_error_buffer");
        nft.run_cmd_from_buffer = (int (*)(struct nft_ctx *, const char *)) dlsym(h, "nft_run_cmd_from_buffer");
        if (!nft.ctx_new || !nft.ctx_free || !nft.buffer_output || !nft.buffer_error || !nft.get_error_buffer ||
            !nft.run_cmd_from_buffer) {
                log_error("%s lacks a function virtbusd calls", NFT_LIBRARY);
                dlclose(h);
                return;
        }
        nft_loaded = true;
}

struct nft_ctx *nft_load_ctx_new(uint32_t flags) {
        pthread_once(&nft_once, nft_load);
        return nft_loaded ? nft.ctx_new(flags) : NULL;
}

/* The rest take a context, which only a loaded library can have made. */
void nft_load_ctx_free(struct nft_ctx *ctx) {
        nft.ctx_free(ctx);
}

int nft_load_ctx_buffer_output(struct nft_ctx *ctx) {
        return nft.buffer_output(ctx);
}

int nft_load_ctx_buffer_error(struct nft_ctx *ctx) {
        return nft.buffer_error(ctx);
}

const char *nft_load_ctx_get_error_buffer(struct nft_ctx *ctx) {
        return nft.get_error_buffer(ctx);
}

int nft_load_run_cmd_from_buffer(struct nft_ctx *ctx, const char *buf) {
        return nft.run_cmd_from_buffer(ctx, buf);
}
