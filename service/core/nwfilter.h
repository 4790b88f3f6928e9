/* nwfilter.h: network filters (virNWFilter) and their bindings (virNWFilterBinding): a host-wide store, system daemon only (libvirt's nwfilter driver refuses session mode). Filters persist under <config_root>/nwfilter; bindings are recorded under <run_root>/nwfilter-binding and not yet applied to taps. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "nwfilter-conf.h"
#include "object.h"

#define NWFILTER_LIST_MAX 16384u        /* REMOTE_NWFILTER_LIST_MAX */
#define NWFILTER_BINDING_LIST_MAX 16384u

typedef struct NWFilter {
        Object obj;                     /* name, uuid */
        NWFilterDef *def;
} NWFilter;

typedef struct NWFilterBinding {
        NWFilterBindingDef *def;        /* def->portdev is the key */
} NWFilterBinding;

typedef struct NWFilterStore {
        Registry filters;
        NWFilterBinding *bindings;
        size_t n_bindings;
        Connection *owner;
        bool privileged;                /* the system daemon: defining is allowed */
        char *config_dir, *binding_dir; /* NULL: nothing persisted */
} NWFilterStore;

/* kinds.c */
int nwfilter_load_all(Connection *c);
void nwfilter_release(Connection *c);
Registry *nwfilter_registry_of(Connection *c);

NWFilterStore *nwfilter_store(Connection *c, const char *api, VbError *err);
int nwfilter_define(Connection *c, const char *xml, size_t len, unsigned flags, NWFilter **out, VbError *err);
int nwfilter_undefine(NWFilter *f, VbError *err);
NWFilter *nwfilter_lookup_name(Connection *c, const char *name, VbError *err);
NWFilter *nwfilter_lookup_uuid(Connection *c, const uint8_t uuid[16], VbError *err);
char *nwfilter_xml(NWFilter *f, unsigned flags, VbError *err);
/* virConnectListAllNWFilters' store (flags: none), or NULL with err set. */
NWFilterStore *nwfilter_list_store(Connection *c, unsigned flags, VbError *err);

int nwfilter_binding_create(Connection *c, const char *xml, size_t len, unsigned flags, NWFilterBinding **out,
                            VbError *err);
NWFilterBinding *nwfilter_binding_lookup(Connection *c, const char *portdev, VbError *err);
int nwfilter_binding_delete(Connection *c, NWFilterBinding *b, VbError *err);
char *nwfilter_binding_xml(NWFilterBinding *b, unsigned flags, VbError *err);
NWFilterStore *nwfilter_binding_list_store(Connection *c, unsigned flags, VbError *err);
