/* nwfilter-builtin.h: the standard network filters of a libvirt host, as XML (nwfilter-builtin.c). */
#pragma once

typedef struct NWFilterBuiltin {
        const char *name, *xml;
} NWFilterBuiltin;

/* Ended by { NULL, NULL }; each XML has no <uuid> (one is made when it is defined). */
extern const NWFilterBuiltin nwfilter_builtins[];
