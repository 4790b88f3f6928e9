/* crypto-module-table.c: the one symbol virtbus-remote-crypto.so exports (see crypto-module.h). */
#include "crypto-module.h"

__attribute__((visibility("default"))) const RemoteCryptoOps remote_crypto_module = {
        .abi = REMOTE_CRYPTO_ABI,
        .tls_context_load = tls_context_load,
        .tls_context_unref = tls_context_unref,
        .layer_tls_new = remote_layer_tls_new,
        .sasl_global_init = remote_sasl_global_init,
        .sasl_new = remote_sasl_new,
        .sasl_free = remote_sasl_free,
        .sasl_mechlist = remote_sasl_mechlist,
        .sasl_start = remote_sasl_start,
        .sasl_step = remote_sasl_step,
        .sasl_ssf = remote_sasl_ssf,
        .sasl_username = remote_sasl_username,
        .layer_sasl_new = remote_layer_sasl_new,
        .sasl_user_allowed = remote_sasl_user_allowed,
};
