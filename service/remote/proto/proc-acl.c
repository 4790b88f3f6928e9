/* proc-acl.c: libvirt's @acl annotations (remote_protocol.x) for the procedures virtbus implements. */
#include "proc-acl.h"

#include <stddef.h>

#define A(n, arg, obj, ...) { n, REMOTE_ACL_##arg, { .object = AUTHZ_API_##obj, .perms = { __VA_ARGS__ } }, 0 }
#define AS(n, arg, obj, secure, ...) { n, REMOTE_ACL_##arg, { .object = AUTHZ_API_##obj, .perms = { __VA_ARGS__ } }, secure }

/* Lookups by name, UUID or id of domains, networks and pools check getattr on the object the
 * argument names (libvirt: on the object found, the same one). Volume lookups (95-97) and
 * pool_lookup_by_volume (86) are not checked yet (the connection-level check applies).
 * connect_open, auth_* and close callbacks need nothing more. */
static const RemoteAcl acls[] = {
        /* connect-level */
        A(3, NONE, CONNECT, "getattr"),                 /* connect_get_type */
        A(4, NONE, CONNECT, "getattr"),                 /* connect_get_version */
        A(5, NONE, CONNECT, "read"),                    /* connect_get_max_vcpus */
        A(6, NONE, CONNECT, "read"),                    /* node_get_info */
        A(7, NONE, CONNECT, "read"),                    /* connect_get_capabilities */
        A(10, NONE, DOMAIN, "write", "start"),          /* domain_create_xml */
        A(11, NONE, DOMAIN, "write", "save"),           /* domain_define_xml */
        A(21, NONE, CONNECT, "search_domains"),         /* connect_list_defined_domains */
        A(25, NONE, CONNECT, "search_domains"),         /* connect_num_of_defined_domains */
        A(36, NONE, CONNECT, "search_networks"),
        A(37, NONE, CONNECT, "search_domains"),
        A(38, NONE, CONNECT, "search_networks"),
        A(40, NONE, NETWORK, "write", "start"),         /* network_create_xml */
        A(41, NONE, NETWORK, "write", "save"),          /* network_define_xml */
        A(50, NONE, CONNECT, "search_networks"),
        A(51, NONE, CONNECT, "search_domains"),
        A(52, NONE, CONNECT, "search_networks"),
        A(59, NONE, CONNECT, "read"),                   /* connect_get_hostname */
        A(71, NONE, CONNECT, "search_storage_pools"),
        A(72, NONE, CONNECT, "search_storage_pools"),
        A(73, NONE, CONNECT, "search_storage_pools"),
        A(74, NONE, CONNECT, "search_storage_pools"),
        A(76, NONE, POOL, "write", "start"),            /* storage_pool_create_xml */
        A(77, NONE, POOL, "write", "save"),             /* storage_pool_define_xml */
        A(102, NONE, CONNECT, "read"),                  /* node_get_free_memory */
        A(105, NONE, CONNECT, "search_domains"),        /* connect_domain_event_register */
        A(157, NONE, CONNECT, "getattr"),               /* connect_get_lib_version */
        A(167, NONE, CONNECT, "search_domains"),
        A(203, NONE, CONNECT, "read"),                  /* connect_get_sysinfo */
        A(273, NONE, CONNECT, "search_domains"),        /* connect_list_all_domains */
        A(281, NONE, CONNECT, "search_storage_pools"),
        A(283, NONE, CONNECT, "search_networks"),
        A(313, NONE, CONNECT, "search_networks"),
        A(316, NONE, CONNECT, "search_domains"),
        A(344, NONE, CONNECT, "search_domains"),        /* connect_get_all_domain_stats */
        A(350, NONE, DOMAIN, "write", "save"),          /* domain_define_xml_flags */
        A(368, NONE, CONNECT, "search_storage_pools"),
        A(432, NONE, NETWORK, "write", "save"),         /* network_define_xml_flags */
        A(437, NONE, NETWORK, "write", "start"),        /* network_create_xml_flags */

        /* lookups */
        A(22, BY_ID, DOMAIN, "getattr"),                /* domain_lookup_by_id */
        A(23, BY_NAME, DOMAIN, "getattr"),
        A(24, BY_UUID, DOMAIN, "getattr"),
        A(46, BY_NAME, NETWORK, "getattr"),
        A(47, BY_UUID, NETWORK, "getattr"),
        A(84, BY_NAME, POOL, "getattr"),
        A(85, BY_UUID, POOL, "getattr"),

        /* domains */
        A(9, DOMAIN, DOMAIN, "start"),                  /* domain_create */
        A(12, DOMAIN, DOMAIN, "stop"),                  /* domain_destroy */
        AS(14, DOMAIN, DOMAIN, 1u, "read"),             /* domain_get_xml_desc; SECURE: read_secure */
        A(15, DOMAIN, DOMAIN, "read"),
        A(16, DOMAIN, DOMAIN, "read"),
        A(17, DOMAIN, DOMAIN, "read"),
        A(18, DOMAIN, DOMAIN, "read"),
        A(19, DOMAIN, DOMAIN, "read"),
        A(27, DOMAIN, DOMAIN, "init_control"),          /* domain_reboot */
        A(28, DOMAIN, DOMAIN, "suspend"),               /* domain_resume */
        A(29, DOMAIN, DOMAIN, "write"),                 /* domain_set_autostart */
        A(31, DOMAIN, DOMAIN, "write"),                 /* domain_set_memory */
        A(33, DOMAIN, DOMAIN, "init_control"),          /* domain_shutdown */
        A(34, DOMAIN, DOMAIN, "suspend"),
        A(35, DOMAIN, DOMAIN, "delete"),                /* domain_undefine */
        A(121, DOMAIN, DOMAIN, "read"),
        A(150, DOMAIN, DOMAIN, "read"),
        A(151, DOMAIN, DOMAIN, "read"),
        A(183, DOMAIN, DOMAIN, "read"),
        A(187, DOMAIN, DOMAIN, "read"),
        A(196, DOMAIN, DOMAIN, "start"),                /* domain_create_with_flags */
        A(200, DOMAIN, DOMAIN, "read"),
        A(202, DOMAIN, DOMAIN, "read"),
        A(204, DOMAIN, DOMAIN, "write"),                /* domain_set_memory_flags */
        A(211, DOMAIN, DOMAIN, "screenshot"),          /* domain_screenshot */
        A(212, DOMAIN, DOMAIN, "read"),
        A(231, DOMAIN, DOMAIN, "delete"),               /* domain_undefine_flags */
        A(234, DOMAIN, DOMAIN, "stop"),                 /* domain_destroy_flags */
        A(245, DOMAIN, DOMAIN, "reset"),
        A(258, DOMAIN, DOMAIN, "init_control"),         /* domain_shutdown_flags */
        A(264, DOMAIN, DOMAIN, "write"),                /* domain_set_metadata */
        A(265, DOMAIN, DOMAIN, "read"),
        A(426, DOMAIN, DOMAIN, "read"),                 /* domain_get_messages */

        /* networks */
        A(39, NETWORK, NETWORK, "start"),
        A(42, NETWORK, NETWORK, "stop"),
        A(43, NETWORK, NETWORK, "read"),
        A(44, NETWORK, NETWORK, "read"),
        A(45, NETWORK, NETWORK, "read"),
        A(48, NETWORK, NETWORK, "write"),
        A(49, NETWORK, NETWORK, "delete"),
        A(152, NETWORK, NETWORK, "read"),
        A(153, NETWORK, NETWORK, "read"),

        /* pools */
        A(78, POOL, POOL, "start"),
        A(79, POOL, POOL, "format"),                    /* storage_pool_build */
        A(80, POOL, POOL, "stop"),
        A(81, POOL, POOL, "format"),                    /* storage_pool_delete */
        A(82, POOL, POOL, "delete"),                    /* storage_pool_undefine */
        A(83, POOL, POOL, "refresh"),
        A(87, POOL, POOL, "read"),
        A(88, POOL, POOL, "read"),
        A(89, POOL, POOL, "read"),
        A(90, POOL, POOL, "write"),
        A(91, POOL, POOL, "search_storage_vols"),
        A(92, POOL, POOL, "search_storage_vols"),
        A(93, POOL, VOL, "create"),                     /* storage_vol_create_xml */
        A(125, POOL, VOL, "create"),                    /* storage_vol_create_xml_from */
        A(154, POOL, POOL, "read"),
        A(155, POOL, POOL, "read"),
        A(282, POOL, POOL, "search_storage_vols"),

        /* volumes */
        A(94, VOL, VOL, "delete"),
        A(98, VOL, VOL, "read"),
        A(99, VOL, VOL, "read"),
        A(100, VOL, VOL, "read"),
        A(165, VOL, VOL, "data_write"),                 /* storage_vol_wipe */
        A(259, VOL, VOL, "data_write"),
        A(260, VOL, VOL, "resize"),
        A(378, VOL, VOL, "read"),
};

const RemoteAcl *remote_proc_acl(int proc) {
        for (size_t i = 0; i < sizeof acls / sizeof acls[0]; i++)
                if (acls[i].proc == proc)
                        return &acls[i];
        return NULL;
}
