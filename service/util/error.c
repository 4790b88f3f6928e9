/* error.c: libvirt-compatible error texts; every failure a client sees is built here. */
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The prefixes are libvirt's own texts (virErrorMsg), since clients compare them. */
const char *vb_error_prefix(VbErrorCode code) {
        switch (code) {
        case VB_ERR_OK: return NULL;
        case VB_ERR_INTERNAL_ERROR: return "internal error";
        case VB_ERR_NO_MEMORY: return "out of memory";
        case VB_ERR_NO_SUPPORT: return "this function is not supported by the connection driver";
        case VB_ERR_NO_CONNECT: return "no connection driver available";
        case VB_ERR_INVALID_ARG: return "invalid argument";
        case VB_ERR_OPERATION_FAILED: return "operation failed";
        case VB_ERR_NO_NAME: return "missing name information";
        case VB_ERR_XML_ERROR: return "XML error";
        case VB_ERR_DOM_EXIST: return "this domain exists already";
        case VB_ERR_OPERATION_DENIED: return "operation forbidden";
        case VB_ERR_XML_DETAIL: return NULL;
        case VB_ERR_NETWORK_EXIST: return "this network exists already";
        case VB_ERR_SYSTEM_ERROR: return NULL;
        case VB_ERR_NO_DOMAIN: return "Domain not found";
        case VB_ERR_NO_NETWORK: return "Network not found";
        case VB_ERR_INVALID_MAC: return "invalid MAC address";
        case VB_ERR_NO_STORAGE_POOL: return "Storage pool not found";
        case VB_ERR_NO_STORAGE_VOL: return "Storage volume not found";
        case VB_ERR_OPERATION_INVALID: return "Requested operation is not valid";
        case VB_ERR_NO_INTERFACE: return "Interface not found";
        case VB_ERR_INVALID_NWFILTER: return "Invalid network filter";
        case VB_ERR_NO_NWFILTER: return "Network filter not found";
        case VB_ERR_INVALID_SECRET: return "Invalid secret";
        case VB_ERR_NO_SECRET: return "Secret not found";
        case VB_ERR_NO_NETWORK_PORT: return "network port not found";
        case VB_ERR_NETWORK_PORT_EXIST: return "this network port exists already";
        case VB_ERR_NO_NODE_DEVICE: return "Node device not found";
        case VB_ERR_CONFIG_UNSUPPORTED: return "unsupported configuration";
        case VB_ERR_OPERATION_TIMEOUT: return "Timed out during operation";
        case VB_ERR_ARGUMENT_UNSUPPORTED: return "argument unsupported";
        case VB_ERR_OPERATION_ABORTED: return "operation aborted";
        case VB_ERR_STORAGE_POOL_BUILT: return "Storage pool already built";
        case VB_ERR_NO_DOMAIN_METADATA: return "metadata not found";
        case VB_ERR_OPERATION_UNSUPPORTED: return "Operation not supported";
        case VB_ERR_OVERFLOW: return "numerical overflow";
        case VB_ERR_RESOURCE_BUSY: return "resource busy";
        case VB_ERR_ACCESS_DENIED: return "access denied";
        case VB_ERR_STORAGE_VOL_EXIST: return "storage volume already exists";
        case VB_ERR_CPU_INCOMPATIBLE: return "the CPU is incompatible with host CPU";
        case VB_ERR_XML_INVALID_SCHEMA: return "XML document failed to validate against schema";
        case VB_ERR_NO_NWFILTER_BINDING: return "Network filter binding not found";
        case VB_ERR_DEVICE_MISSING: return "device not found";
        case VB_ERR_NO_DOMAIN_SNAPSHOT: return "Domain snapshot not found";
        case VB_ERR_NO_DOMAIN_CHECKPOINT: return "Domain checkpoint not found";
        case VB_ERR_NO_DOMAIN_BACKUP: return "Domain backup job id not found";
        case VB_ERR_AGENT_UNRESPONSIVE: return "Guest agent is not responding";
        }
        return "unknown error";
}

/* A message cut at the buffer's end must not end in half a UTF-8 character: D-Bus refuses
 * invalid UTF-8, and the error would be lost. */
static void error_trim_utf8(char *s) {
        size_t len = strlen(s);
        if (len < VB_ERROR_MESSAGE_MAX - 1)
                return;
        size_t i = len;
        while (i > 0 && ((unsigned char) s[i - 1] & 0xc0) == 0x80)
                i--;
        if (i > 0 && ((unsigned char) s[i - 1] & 0x80)) {
                unsigned char lead = (unsigned char) s[i - 1];
                size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
                if (len - (i - 1) < need)
                        s[i - 1] = '\0';
        }
}

int vb_error_setv(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, va_list ap) {
        if (!e)
                return -1;
        e->code = code;
        e->from = from;
        const char *prefix = vb_error_prefix(code);
        size_t n = 0;
        if (prefix)
                n = (size_t) snprintf(e->message, sizeof e->message, "%s%s", prefix, fmt ? ": " : "");
        else
                e->message[0] = '\0';
        if (n >= sizeof e->message)
                n = sizeof e->message - 1;
        if (fmt)
                vsnprintf(e->message + n, sizeof e->message - n, fmt, ap);
        error_trim_utf8(e->message);
        return -1;
}

int vb_error_set(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vb_error_setv(e, code, from, fmt, ap);
        va_end(ap);
        return -1;
}

int vb_error_set_raw(VbError *e, VbErrorCode code, VbErrorFrom from, const char *fmt, ...) {
        if (!e)
                return -1;
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        e->from = from;
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
        error_trim_utf8(e->message);
        return -1;
}

int vb_error_errno(VbError *e, int negative_errno, const char *what) {
        if (negative_errno == -ENOMEM)
                return vb_error_set(e, VB_ERR_NO_MEMORY, VB_FROM_NONE, NULL);
        return vb_error_set_raw(e, VB_ERR_SYSTEM_ERROR, VB_FROM_NONE, "%s: %s", what,
                                strerror(-negative_errno));
}

void vb_error_clear(VbError *e) {
        if (!e)
                return;
        e->code = VB_ERR_OK;
        e->from = VB_FROM_NONE;
        e->message[0] = '\0';
}

int vb_check_flags(unsigned flags, unsigned allowed, const char *function, VbError *e) {
        if (flags & ~allowed)
                return vb_error_set_raw(e, VB_ERR_INVALID_ARG, VB_FROM_NONE, "unsupported flags (0x%x) in function %s",
                                        flags & ~allowed, function);
        return 0;
}
