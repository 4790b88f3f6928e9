/* api.h: the API table: one row per libvirt API virtbus serves, read by both doors (remote procedure, D-Bus member, ACL, read-only gate, flags); the rows' types are api-types.h's. */
#pragma once

#include <stdbool.h>

#include "api-types.h"
#include "error.h"
#include "object.h"

/* The row of an API, of a remote procedure, of a D-Bus (interface, member); NULL when virtbus
 * has none. */
const ApiRow *api_row(ApiId id);
const ApiRow *api_row_by_proc(int proc);
const ApiRow *api_row_by_member(const char *interface, const char *member);

/* Every row, in no particular order (for the tables' own tests): call fn until it returns < 0. */
int api_foreach(int (*fn)(const ApiRow *row, void *userdata), void *userdata);

/* libvirt's check of a flags argument against the row: "unsupported flags (0x…) in function
 * virDomainSuspend". 0, or -1 with err set. Rows with API_FLAGS_VERB always pass. */
int api_check_flags(const ApiRow *row, unsigned flags, VbError *err);

/* The fine-grained rule a call needs: the ACL's (a row's, or a property's), with read_secure
 * when flags ask for secrets. Returns false when it asks for no fine-grained check. */
bool api_acl_rule(const ApiAcl *acl, unsigned flags, ApiAclObject *object, const char *perms[API_ACL_MAX_PERMS]);

/* Whether the rule depends on the call's flags (a secure flag or a conditional permission), and
 * the flags to assume when a call's cannot be read (the ones asking the most). */
bool api_acl_uses_flags(const ApiAcl *acl);
unsigned api_acl_strongest_flags(const ApiAcl *acl);

/* Properties of org.libvirt.<kind> (Get/GetAll, Set): libvirt-dbus reads and writes them with
 * the object's read and write APIs. kind _OBJECT_KIND_MAX: the Connect object. */
const ApiAcl *api_property_acl(ObjectKind kind, bool set);
