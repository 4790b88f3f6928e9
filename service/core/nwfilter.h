/* nwfilter.h: network filters (virNWFilter) and their bindings (virNWFilterBinding): a host-wide store, system daemon only (libvirt's nwfilter driver refuses session mode). Filters persist under <config_root>/nwfilter; bindings are recorded under <run_root>/nwfilter-binding and applied to their taps by the applier a driver attaches (drivers/network/nwfilter-driver.c). */
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

typedef struct NWFilterStore NWFilterStore;

/* What puts bindings into the host's firewall (none: bindings are only recorded). */
typedef struct NWFilterApplier {
        /* Could b be applied with the store's filters, changed standing for its name when not
         * NULL? 0, or -1 with err naming why not. */
        int (*check)(NWFilterStore *st, const NWFilterBindingDef *b, const NWFilterDef *changed, VbError *err);
        /* Bindings or filters changed: bring the host's rules in line (asynchronously). */
        void (*apply)(NWFilterStore *st);
        /* Call fn once every change so far is loaded (ok: the last load succeeded): 1 when it
         * will be called later, 0 when nothing is pending and the rules are in place (fn is not
         * called); a failed last load is tried again first; -ENOMEM, -EIO (that try failed at
         * once). */
        int (*when_applied)(NWFilterStore *st, void (*fn)(void *data, bool ok), void *data);
} NWFilterApplier;

struct NWFilterStore {
        Registry filters;
        NWFilterBinding *bindings;
        size_t n_bindings;
        Connection *owner;
        bool privileged;                /* the system daemon: defining is allowed */
        char *config_dir, *binding_dir; /* NULL: nothing persisted */
        const NWFilterApplier *applier; /* NULL: none */
        void *applier_data;
};

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

/* A guest NIC's tap gets its filter: the binding def (consumed, also on failure) is created as
 * nwfilter_binding_create() does, for the system daemon only. */
int nwfilter_binding_add(Connection *c, NWFilterBindingDef *def, VbError *err);
/* The tap is gone: its binding (if any) too. */
void nwfilter_binding_remove(Connection *c, const char *portdev);
/* fn(data, ok) once the rules of every binding made so far are loaded: 1 when it will be
 * called; 0 when they are in place (or there is no applier) and it will not; -1 when they are
 * not and cannot be (a new load failed at once) and it will not. */
int nwfilter_when_applied(Connection *c, void (*fn)(void *data, bool ok), void *data);
/* Attach the applier and apply the recorded bindings (the daemon's start, after a restart). */
void nwfilter_set_applier(Connection *c, const NWFilterApplier *applier, void *data);
