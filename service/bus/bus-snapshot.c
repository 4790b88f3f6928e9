/* bus-snapshot.c: org.libvirt.DomainSnapshot (<connect>/domainsnapshot/_DOMUUID_EncodeStr(name)) and Domain's snapshot methods, over the core's snapshot trees. */
#define LOG_MODULE "bus"
#include "bus-internal.h"
#include "bus-unsupported.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus-path.h"
#include "domain.h"
#include "snapshot.h"
#include "uuid.h"

/* <connect>/domainsnapshot/_<domain uuid, '-' as '_'>_<EncodeStr(name)> */
static char *snapshot_path(const Snapshot *s) {
        char uuid[BUS_UUID_LEAF_LEN];
        bus_path_encode_uuid(s->domain->obj.uuid, uuid);
        char *prefix = bus_subtree_path(s->domain->obj.conn, OBJECT_SNAPSHOT);
        char *name = bus_path_encode_str(s->def->name);
        char *path = NULL;
        if (prefix && name && asprintf(&path, "%s/%s_%s", prefix, uuid, name) < 0)
                path = NULL;
        free(prefix);
        free(name);
        return path;
}

/* The snapshot a path names, looked up again on every call. */
static Snapshot *snapshot_of(Connection *c, const char *path, VbError *err) {
        char *prefix = bus_subtree_path(c, OBJECT_SNAPSHOT);
        const char *leaf = prefix ? bus_path_leaf(prefix, path) : NULL;
        char uuid_text[BUS_UUID_LEAF_LEN], *name = NULL;
        uint8_t uuid[16];
        Snapshot *s = NULL;
        if (leaf && strlen(leaf) > BUS_UUID_LEAF_LEN && leaf[BUS_UUID_LEAF_LEN - 1] == '_') {
                char head[BUS_UUID_LEAF_LEN];
                memcpy(head, leaf, BUS_UUID_LEAF_LEN - 1);
                head[BUS_UUID_LEAF_LEN - 1] = '\0';
                if (bus_path_decode_uuid(head, uuid_text) == 0 && uuid_parse(uuid_text, uuid) == 0 &&
                    bus_path_decode_str(leaf + BUS_UUID_LEAF_LEN, &name) == 0) {
                        Domain *d = domain_lookup_uuid(c, uuid, err);
                        s = d ? snapshot_lookup(d, name, err) : NULL;
                        free(name);
                        free(prefix);
                        return s;
                }
        }
        free(prefix);
        vb_error_set(err, VB_ERR_NO_DOMAIN_SNAPSHOT, VB_FROM_DOMAIN_SNAPSHOT, "no domain snapshot at '%s'", path);
        return NULL;
}

int bus_snapshot_lookup(BusSubtree *t, const char *path, VbError *err) {
        return snapshot_of(t->conn, path, err) ? 0 : -1;
}

static int reply_snapshot(sd_bus_message *m, const Snapshot *s) {
        char *path = snapshot_path(s);
        if (!path)
                return -ENOMEM;
        int r = sd_bus_reply_method_return(m, "o", path);
        free(path);
        return r;
}

static int reply_list(sd_bus_message *m, Snapshot **v, size_t n) {
        sd_bus_message *reply = NULL;
        int r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        for (size_t i = 0; r >= 0 && i < n; i++) {
                char *path = snapshot_path(v[i]);
                r = path ? sd_bus_message_append_basic(reply, 'o', path) : -ENOMEM;
                free(path);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

/* --- org.libvirt.DomainSnapshot --- */

static Snapshot *snapshot_of_message(BusSubtree *t, sd_bus_message *m, VbError *err) {
        return snapshot_of(t->conn, sd_bus_message_get_path(m), err);
}

int bus_method_snapshot_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Snapshot *s = snapshot_of_message(userdata, m, &err);
        if (!s)
                return bus_error(ret_error, &err);
        return bus_reply_string_owned(m, snapshot_get_xml(s, flags, &err), &err, ret_error);
}

int bus_method_snapshot_get_parent(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if ((r = bus_check_flags(flags, 0, "virDomainSnapshotGetParent", ret_error)) < 0)
                return r;
        Snapshot *s = snapshot_of_message(userdata, m, &err);
        Snapshot *p = s ? snapshot_parent(s, &err) : NULL;
        return p ? reply_snapshot(m, p) : bus_error(ret_error, &err);
}

int bus_method_snapshot_is_current(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if ((r = bus_check_flags(flags, 0, "virDomainSnapshotIsCurrent", ret_error)) < 0)
                return r;
        Snapshot *s = snapshot_of_message(userdata, m, &err);
        if (!s)
                return bus_error(ret_error, &err);
        return sd_bus_reply_method_return(m, "b", snapshot_is_current(s));
}

/* ListDomainSnapshots (a domain's path) and ListChildren (a snapshot's): one "ao" of paths. */
static int method_list(sd_bus_message *m, BusSubtree *t, bool children, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Snapshot *from = NULL, **v = NULL;
        Domain *d = NULL;
        if (children) {
                from = snapshot_of(t->conn, sd_bus_message_get_path(m), &err);
                d = from ? from->domain : NULL;
        } else {
                d = bus_message_domain(m, t, &err);
        }
        size_t n = 0;
        if (!d || snapshot_list(d, from, flags, &v, &n, &err) < 0)
                return bus_error(ret_error, &err);
        r = reply_list(m, v, n);
        free(v);
        return r;
}

int bus_method_snapshot_list_children(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return method_list(m, userdata, true, ret_error);
}

static int snapshot_verb(sd_bus_message *m, BusSubtree *t, int (*verb)(Snapshot *, unsigned, Call *, VbError *),
                         sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        Snapshot *s = snapshot_of_message(t, m, &err);
        if (!s)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new(m);
        if (!call)
                return -ENOMEM;
        r = verb(s, flags, call, &err);
        return bus_call_finish(call, r, &err, NULL, ret_error);
}

int bus_method_snapshot_revert(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return snapshot_verb(m, userdata, snapshot_revert, ret_error);
}

int bus_method_snapshot_delete(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return snapshot_verb(m, userdata, snapshot_delete, ret_error);
}

static bool snapshot_exists(BusSubtree *t, const char *path) {
        return snapshot_of(t->conn, path, &(VbError) { 0 }) != NULL;
}

/* Every snapshot of every domain of the connection. */
static int snapshot_enumerate(sd_bus *bus, const char *prefix, void *userdata, char ***nodes, sd_bus_error *ret_error) {
        BusSubtree *t = userdata;
        size_t n = 0;
        char **list = calloc(1, sizeof *list);
        if (!list)
                return -ENOMEM;
        REGISTRY_FOREACH(o, &t->conn->domains) {
                SnapshotTree *tree = snapshot_tree_of((Domain *) o);
                for (size_t i = 0; tree && i < tree->n; i++) {
                        char **nl = realloc(list, (n + 2) * sizeof *nl);
                        char *path = nl ? snapshot_path(tree->all[i]) : NULL;
                        if (nl)
                                list = nl;
                        if (!path) {
                                for (size_t k = 0; k < n; k++)
                                        free(list[k]);
                                free(list);
                                return -ENOMEM;
                        }
                        list[n++] = path;
                        list[n] = NULL;
                }
        }
        *nodes = list;
        return 0;
}

static const sd_bus_vtable snapshot_vtable[] = {
        SD_BUS_VTABLE_START(0),
        BUS_DOMAINSNAPSHOT_NOT_SUPPORTED
        SD_BUS_VTABLE_END,
};

const BusKind bus_kind_snapshot = {
        .kind = OBJECT_SNAPSHOT,
        .interface = "org.libvirt.DomainSnapshot",
        .vtable = snapshot_vtable,
        .exists = snapshot_exists,
        .enumerate = snapshot_enumerate,
};

/* --- org.libvirt.Domain's snapshot methods --- */

/* A create answers with the new snapshot's path, now or when it has finished. */
static int reply_created(sd_bus_message *m, const void *snapshot) {
        return reply_snapshot(m, snapshot);
}

int bus_method_snapshot_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *xml;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &xml, &flags);
        if (r < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        if (!d)
                return bus_error(ret_error, &err);
        Call *call = bus_call_new_reply(m, reply_created, false);
        if (!call)
                return -ENOMEM;
        Snapshot *s = NULL;
        r = snapshot_create(d, xml, flags, call, &s, &err);
        return bus_call_finish_reply(call, r, &err, s, ret_error);
}

int bus_method_snapshot_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *name;
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "su", &name, &flags);
        if (r < 0)
                return r;
        if ((r = bus_check_flags(flags, 0, "virDomainSnapshotLookupByName", ret_error)) < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        Snapshot *s = d ? snapshot_lookup(d, name, &err) : NULL;
        return s ? reply_snapshot(m, s) : bus_error(ret_error, &err);
}

int bus_method_snapshot_current(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        unsigned flags;
        VbError err = { 0 };
        int r = sd_bus_message_read(m, "u", &flags);
        if (r < 0)
                return r;
        if ((r = bus_check_flags(flags, 0, "virDomainSnapshotCurrent", ret_error)) < 0)
                return r;
        Domain *d = bus_message_domain(m, userdata, &err);
        Snapshot *s = d ? snapshot_current(d, &err) : NULL;
        return s ? reply_snapshot(m, s) : bus_error(ret_error, &err);
}

int bus_method_list_domain_snapshots(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return method_list(m, userdata, false, ret_error);
}
