/* error.h: API outcomes carried as libvirt's error numbers and message texts. */
#pragma once

#include <stdarg.h>

/* libvirt's virErrorNumber values that virtbus reports (both doors expose the integers). */
typedef enum VbErrorCode {
        VB_ERR_OK = 0,
        VB_ERR_INTERNAL_ERROR = 1,
        VB_ERR_NO_MEMORY = 2,
        VB_ERR_NO_SUPPORT = 3,
        VB_ERR_NO_CONNECT = 5,
        VB_ERR_INVALID_ARG = 8,
        VB_ERR_OPERATION_FAILED = 9,
        VB_ERR_NO_NAME = 21,
        VB_ERR_XML_ERROR = 27,
        VB_ERR_DOM_EXIST = 28,
        VB_ERR_OPERATION_DENIED = 29,
        VB_ERR_XML_DETAIL = 35,
        VB_ERR_NETWORK_EXIST = 37,
        VB_ERR_SYSTEM_ERROR = 38,
        VB_ERR_NO_DOMAIN = 42,
        VB_ERR_NO_NETWORK = 43,
        VB_ERR_INVALID_MAC = 44,
        VB_ERR_NO_STORAGE_POOL = 49,
        VB_ERR_NO_STORAGE_VOL = 50,
        VB_ERR_OPERATION_INVALID = 55,
        VB_ERR_NO_INTERFACE = 57,
        VB_ERR_INVALID_NWFILTER = 61,
        VB_ERR_NO_NWFILTER = 62,
        VB_ERR_INVALID_SECRET = 65,
        VB_ERR_NO_SECRET = 66,
        VB_ERR_NO_NODE_DEVICE = 53,
        VB_ERR_CONFIG_UNSUPPORTED = 67,
        VB_ERR_OPERATION_TIMEOUT = 68,
        VB_ERR_ARGUMENT_UNSUPPORTED = 74,
        VB_ERR_OPERATION_ABORTED = 78,
        VB_ERR_STORAGE_POOL_BUILT = 76,
        VB_ERR_NO_DOMAIN_METADATA = 80,
        VB_ERR_OPERATION_UNSUPPORTED = 84,
        VB_ERR_OVERFLOW = 82,
        VB_ERR_RESOURCE_BUSY = 87,
        VB_ERR_ACCESS_DENIED = 88,
        VB_ERR_STORAGE_VOL_EXIST = 90,
        VB_ERR_CPU_INCOMPATIBLE = 91,
        VB_ERR_XML_INVALID_SCHEMA = 92,
        VB_ERR_NO_NWFILTER_BINDING = 101,
        VB_ERR_DEVICE_MISSING = 99,
        VB_ERR_NO_DOMAIN_SNAPSHOT = 72,
        VB_ERR_AGENT_UNRESPONSIVE = 86,
        VB_ERR_NETWORK_PORT_EXIST = 106,
        VB_ERR_NO_NETWORK_PORT = 107,
        VB_ERR_NO_DOMAIN_CHECKPOINT = 103,
        VB_ERR_NO_DOMAIN_BACKUP = 104,
} VbErrorCode;

/* libvirt's virErrorDomain values (where an error came from). */
typedef enum VbErrorFrom {
        VB_FROM_NONE = 0,
        VB_FROM_XML = 5,
        VB_FROM_DOM = 6,
        VB_FROM_CONF = 9,
        VB_FROM_QEMU = 10,
        VB_FROM_TEST = 12,
        VB_FROM_REMOTE = 13,
        VB_FROM_STORAGE = 18,
        VB_FROM_NETWORK = 19,
        VB_FROM_DOMAIN = 20,
        VB_FROM_NODEDEV = 22,
        VB_FROM_SECURITY = 24,
        VB_FROM_SECRET = 30,
        VB_FROM_CPU = 31,
        VB_FROM_NWFILTER = 33,
        VB_FROM_DOMAIN_SNAPSHOT = 35,
        VB_FROM_DOMAIN_CHECKPOINT = 69,
        VB_FROM_ACCESS = 55,
        VB_FROM_POLKIT = 60,
        VB_FROM_PERF = 65,
} VbErrorFrom;

#define VB_ERROR_MESSAGE_MAX 1024

typedef struct VbError {
        int code;       /* VbErrorCode */
        int from;       /* VbErrorFrom */
        char message[VB_ERROR_MESSAGE_MAX];
} VbError;

/* Fill *e with code, origin and libvirt's text for code; the detail (printf format, may be NULL)
 * follows libvirt's prefix ("Domain not found: no domain with matching name 'x'").
 * Always returns -1 so that callers can write `return vb_error_set(...)`. e may be NULL. */
int vb_error_set(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
int vb_error_setv(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0)));

/* Set the message verbatim, with no libvirt prefix (for texts libvirt reports unprefixed). */
int vb_error_set_raw(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* -ENOMEM and friends as an internal error that names the errno. */
int vb_error_errno(VbError *e, int negative_errno, const char *what);

/* libvirt's prefix text for a code, e.g. "Domain not found". */
const char *vb_error_prefix(VbErrorCode code);

void vb_error_clear(VbError *e);

/* libvirt's check of the flags argument: "unsupported flags (0x4) in function virDomainCreateWithFlags". */
int vb_check_flags(unsigned flags, unsigned allowed, const char *function, VbError *e);
