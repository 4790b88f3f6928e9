/* api.c: the API table's indexes (by API, by remote procedure, by D-Bus member), its flags check and its ACL rules. */
#include "api.h"

#include <string.h>

#include "api-rows.h"

#define API_PROC_MAX 512        /* above libvirt 9.0's last procedure (454) */

typedef struct ApiIndex {
        bool built;
        const ApiRow *by_id[_API_ID_MAX];
        const ApiRow *by_proc[API_PROC_MAX];
} ApiIndex;

static ApiIndex idx;

static const struct {
        const ApiRow *rows;
        const size_t *n;
} groups[] = {
        { api_rows_connect, &api_n_rows_connect },
        { api_rows_domain, &api_n_rows_domain },
        { api_rows_network, &api_n_rows_network },
        { api_rows_storage, &api_n_rows_storage },
        { api_rows_host, &api_n_rows_host },
        { api_rows_domain_more, &api_n_rows_domain_more },
        { api_rows_netstor_more, &api_n_rows_netstor_more },
        { api_rows_migrate, &api_n_rows_migrate },
};

int api_foreach(int (*fn)(const ApiRow *row, void *userdata), void *userdata) {
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
                for (size_t i = 0; i < *groups[g].n; i++) {
                        int r = fn(&groups[g].rows[i], userdata);
                        if (r < 0)
                                return r;
                }
        return 0;
}

static int index_row(const ApiRow *row, void *userdata) {
        if (row->id > API_NONE && row->id < _API_ID_MAX)
                idx.by_id[row->id] = row;
        if (row->proc > 0 && row->proc < API_PROC_MAX)
                idx.by_proc[row->proc] = row;
        return 0;
}

/* Built on first use: the rows are constant, so is the index. */
static const ApiIndex *api_index(void) {
        if (!idx.built) {
                api_foreach(index_row, NULL);
                idx.built = true;
        }
        return &idx;
}

const ApiRow *api_row(ApiId id) {
        return id > API_NONE && id < _API_ID_MAX ? api_index()->by_id[id] : NULL;
}

const ApiRow *api_row_by_proc(int proc) {
        return proc > 0 && proc < API_PROC_MAX ? api_index()->by_proc[proc] : NULL;
}

typedef struct MemberQuery {
        const char *interface, *member;
        const ApiRow *found;
} MemberQuery;

static int match_member(const ApiRow *row, void *userdata) {
        MemberQuery *q = userdata;
        if (!row->dbus_member || strcmp(row->dbus_member, q->member) != 0 ||
            strcmp(row->dbus_interface, q->interface) != 0)
                return 0;
        q->found = row;
        return -1;
}

const ApiRow *api_row_by_member(const char *interface, const char *member) {
        if (!interface || !member)
                return NULL;
        MemberQuery q = { interface, member, NULL };
        api_foreach(match_member, &q);
        return q.found;
}

int api_check_flags(const ApiRow *row, unsigned flags, VbError *err) {
        if (!row || row->flags == API_FLAGS_VERB)
                return 0;
        return vb_check_flags(flags, row->flags, row->name, err);
}

bool api_acl_rule(const ApiAcl *acl, unsigned flags, ApiAclObject *object, const char *perms[API_ACL_MAX_PERMS]) {
        if (!acl || !acl->perms[0])
                return false;
        *object = acl->object;
        for (size_t i = 0; i < API_ACL_MAX_PERMS; i++)
                perms[i] = acl->perms[i];
        if (acl->secure_flag && (flags & acl->secure_flag))
                perms[0] = "read_secure";
        if ((acl->cond_any || acl->cond_none) && !(flags & acl->cond_any) && (flags & acl->cond_none))
                perms[1] = NULL;
        return true;
}

bool api_acl_uses_flags(const ApiAcl *acl) {
        return acl && (acl->secure_flag || acl->cond_any || acl->cond_none);
}

unsigned api_acl_strongest_flags(const ApiAcl *acl) {
        return acl ? acl->secure_flag | acl->cond_any : 0;
}

const ApiAcl *api_property_acl(ObjectKind kind, bool set) {
        static const ApiAcl read_acls[] = {
                [OBJECT_DOMAIN] = ACL(DOMAIN, DOMAIN, "read"),
                [OBJECT_NETWORK] = ACL(NETWORK, NETWORK, "read"),
                [OBJECT_POOL] = ACL(POOL, POOL, "read"),
                [OBJECT_VOLUME] = ACL(VOL, VOL, "read"),
                [OBJECT_INTERFACE] = ACL(NONE, INTERFACE, "read"),
                [OBJECT_NODEDEV] = ACL(NONE, NODEDEV, "read"),
                [OBJECT_SECRET] = ACL(NONE, SECRET, "read"),
                [OBJECT_NWFILTER] = ACL(NONE, NWFILTER, "read"),
                [OBJECT_SNAPSHOT] = ACL(NONE, DOMAIN, "read"),
                [_OBJECT_KIND_MAX] = ACL(NONE, CONNECT, "read"),
        };
        static const ApiAcl write_acls[] = {
                [OBJECT_DOMAIN] = ACL(DOMAIN, DOMAIN, "write"),
                [OBJECT_NETWORK] = ACL(NETWORK, NETWORK, "write"),
                [OBJECT_POOL] = ACL(POOL, POOL, "write"),
                [OBJECT_VOLUME] = ACL(VOL, VOL, "data_write"),  /* libvirt has no storage_vol.write */
                [OBJECT_INTERFACE] = ACL(NONE, INTERFACE, "write"),
                [OBJECT_NODEDEV] = ACL(NONE, NODEDEV, "write"),
                [OBJECT_SECRET] = ACL(NONE, SECRET, "write"),
                [OBJECT_NWFILTER] = ACL(NONE, NWFILTER, "write"),
                [OBJECT_SNAPSHOT] = ACL(NONE, DOMAIN, "write"),
                [_OBJECT_KIND_MAX] = ACL(NONE, CONNECT, "write"),
        };
        if ((unsigned) kind > _OBJECT_KIND_MAX)
                kind = _OBJECT_KIND_MAX;
        return set ? &write_acls[kind] : &read_acls[kind];
}
