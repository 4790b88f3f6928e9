/* nwfilter-conf.h: libvirt's network filter XML (<filter>) and filter binding XML (<filterbinding>): parse and format, pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct NWFilterParam {
        char *name, *value;
} NWFilterParam;

/* One entry of a filter: a reference to another filter, or a rule with at most one protocol
 * element whose attributes are kept as text in libvirt's order. */
typedef struct NWFilterEntry {
        char *ref;                      /* <filterref filter=…>; NULL for a rule */
        NWFilterParam *params;          /* filterref parameters, sorted by name */
        size_t n_params;
        char *action, *direction, *statematch;
        int priority;
        char *proto;                    /* "tcp", "mac" …; NULL: a rule without one */
        NWFilterParam *attrs;           /* the protocol element's attributes, in libvirt's order */
        size_t n_attrs;
} NWFilterEntry;

typedef struct NWFilterDef {
        char *name;
        uint8_t uuid[16];
        char *chain;                    /* "root", "mac", "ipv4-foo" … */
        int priority;                   /* the chain's: its default when not given */
        NWFilterEntry *entries;
        size_t n_entries;
} NWFilterDef;

NWFilterDef *nwfilter_def_parse(const char *xml, size_t len, VbError *err);
char *nwfilter_def_format(const NWFilterDef *def);
NWFilterDef *nwfilter_def_free(NWFilterDef *def);

typedef struct NWFilterBindingDef {
        char *owner_name;
        uint8_t owner_uuid[16];
        char *portdev, *linkdev;
        char mac[18];                   /* lowercase */
        char *filter;
        NWFilterParam *params;          /* sorted by name */
        size_t n_params;
} NWFilterBindingDef;

NWFilterBindingDef *nwfilter_binding_def_parse(const char *xml, size_t len, VbError *err);
char *nwfilter_binding_def_format(const NWFilterBindingDef *def);
NWFilterBindingDef *nwfilter_binding_def_free(NWFilterBindingDef *def);
