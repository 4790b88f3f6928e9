/* secret-conf.h: libvirt's secret XML (virSecretDef): parse and format, pure. The value is never part of it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* virSecretUsageType, as both doors carry it. */
typedef enum SecretUsageType {
        SECRET_USAGE_NONE = 0,
        SECRET_USAGE_VOLUME = 1,
        SECRET_USAGE_CEPH = 2,
        SECRET_USAGE_ISCSI = 3,
        SECRET_USAGE_TLS = 4,
        SECRET_USAGE_VTPM = 5,
        _SECRET_USAGE_MAX,
} SecretUsageType;

typedef struct SecretDef {
        bool ephemeral;         /* never written to disk */
        bool private_;          /* the value never leaves the daemon */
        uint8_t uuid[16];
        char *description;
        SecretUsageType usage_type;
        char *usage_id;         /* volume path, ceph/tls/vtpm name, iscsi target; NULL for none */
} SecretDef;

/* "volume", "ceph" …; NULL for an unknown type. */
const char *secret_usage_type_name(int type);

/* Parse a <secret> document; a missing <uuid> gets a fresh one. NULL with err set
 * (libvirt's texts) when it is not a valid secret. */
SecretDef *secret_def_parse(const char *xml, size_t len, VbError *err);
/* libvirt's virSecretGetXMLDesc text; NULL on OOM. */
char *secret_def_format(const SecretDef *def);
SecretDef *secret_def_free(SecretDef *def);
