/* api-rows.h: the notation of the API table's rows (api-*.c), private to the core. */
#pragma once

#include <stddef.h>

#include "api-types.h"

#define IFACE_CONNECT "org.libvirt.Connect"
#define IFACE_DOMAIN "org.libvirt.Domain"
#define IFACE_NETWORK "org.libvirt.Network"
#define IFACE_POOL "org.libvirt.StoragePool"
#define IFACE_VOL "org.libvirt.StorageVol"
#define IFACE_SNAPSHOT "org.libvirt.DomainSnapshot"
#define IFACE_INTERFACE "org.libvirt.Interface"
#define IFACE_NODEDEV "org.libvirt.NodeDevice"
#define IFACE_SECRET "org.libvirt.Secret"
#define IFACE_NWFILTER "org.libvirt.NWFilter"

/* ROW(id, proc, "virName", DBUS(iface, "Member") | NODBUS, MUT | RO, flags | VERB, ACL(…) | NOACL) */
#define ROW(id_, proc_, name_, dbus_, mut_, flags_, acl_) \
        { .id = API_##id_, .proc = proc_, .name = name_, dbus_, .mutates = mut_, .flags = flags_, .acl = acl_ }
#define DBUS(iface_, member_) .dbus_interface = IFACE_##iface_, .dbus_member = member_
#define NODBUS .dbus_interface = NULL
#define MUT true
#define RO false
#define VERB API_FLAGS_VERB
/* ACL(which object, permission object, permissions…) */
#define ACL(arg_, obj_, ...) { .arg = API_ARG_##arg_, .object = API_ACL_##obj_, .perms = { __VA_ARGS__ } }
#define ACL_SECURE(arg_, obj_, secure_, ...) \
        { .arg = API_ARG_##arg_, .object = API_ACL_##obj_, .secure_flag = secure_, .perms = { __VA_ARGS__ } }
#define NOACL { .arg = API_ARG_NONE }
/* perms[1] (a second permission) only when flags carry one of any_ or none of none_; the flags
 * follow the arguments of signature after_ */
#define ACL_COND(arg_, obj_, p0_, p1_, any_, none_, after_) \
        { .arg = API_ARG_##arg_, .object = API_ACL_##obj_, .perms = { p0_, p1_ }, .cond_any = any_, \
          .cond_none = none_, .flags_after = after_ }

extern const ApiRow api_rows_connect[], api_rows_domain[], api_rows_network[], api_rows_storage[];
extern const size_t api_n_rows_connect, api_n_rows_domain, api_n_rows_network, api_n_rows_storage;
extern const ApiRow api_rows_host[], api_rows_domain_more[], api_rows_netstor_more[];
extern const ApiRow api_rows_migrate[];
extern const size_t api_n_rows_migrate;
extern const size_t api_n_rows_host, api_n_rows_domain_more, api_n_rows_netstor_more;
