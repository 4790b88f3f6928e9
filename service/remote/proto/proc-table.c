/* proc-table.c: the remote door's handler of each API row it serves (service/core/api-*.c gives the procedure number, the read-only gate, the ACL and the flags), with the gates only this door has. Every other number libvirt defines is "not supported"; numbers it does not define are unknown. */
#include "dispatch.h"

#include <stddef.h>

#include "api.h"

#define P(api, fn, gates) [API_##api] = { fn, gates }
#define PRE (PROC_PREAUTH | PROC_NO_CONN)
#define NOCONN PROC_NO_CONN

static const RemoteProc procs[_API_ID_MAX] = {
        /* connection */
        P(CONNECT_OPEN, proc_connect_open, NOCONN),
        P(CONNECT_CLOSE, proc_connect_close, NOCONN),
        P(CONNECT_GET_TYPE, proc_connect_get_type, 0),
        P(CONNECT_GET_VERSION, proc_connect_get_version, 0),
        P(CONNECT_GET_MAX_VCPUS, proc_connect_get_max_vcpus, 0),
        P(NODE_GET_INFO, proc_node_get_info, 0),
        P(CONNECT_GET_CAPABILITIES, proc_connect_get_capabilities, 0),
        P(CONNECT_GET_HOSTNAME, proc_connect_get_hostname, 0),
        P(CONNECT_SUPPORTS_FEATURE, proc_connect_supports_feature, NOCONN),
        P(AUTH_LIST, proc_auth_list, PRE),
        P(AUTH_SASL_INIT, proc_auth_sasl_init, PRE),
        P(AUTH_SASL_START, proc_auth_sasl_start, PRE),
        P(AUTH_SASL_STEP, proc_auth_sasl_step, PRE),
        P(AUTH_POLKIT, proc_auth_polkit, PRE),
        P(NODE_GET_FREE_MEMORY, proc_node_get_free_memory, 0),
        P(CONNECT_GET_URI, proc_connect_get_uri, 0),
        P(NODE_GET_SECURITY_MODEL, proc_node_get_security_model, 0),
        P(CONNECT_IS_SECURE, proc_connect_is_secure, 0),
        P(CONNECT_GET_LIB_VERSION, proc_connect_get_lib_version, 0),
        P(CONNECT_GET_SYSINFO, proc_connect_get_sysinfo, 0),
        P(CONNECT_GET_DOMAIN_CAPABILITIES, proc_connect_get_domain_capabilities, 0),
        P(CONNECT_REGISTER_CLOSE_CALLBACK, proc_connect_register_close_callback, 0),
        P(CONNECT_UNREGISTER_CLOSE_CALLBACK, proc_connect_unregister_close_callback, 0),
        P(NODE_GET_CPU_STATS, proc_node_get_cpu_stats, 0),
        P(NODE_GET_MEMORY_STATS, proc_node_get_memory_stats, 0),
        P(NODE_GET_CELLS_FREE_MEMORY, proc_node_get_cells_free_memory, 0),
        P(NODE_GET_CPU_MAP, proc_node_get_cpu_map, 0),

        /* domain information */
        P(DOMAIN_MEMORY_STATS, proc_domain_memory_stats, 0),
        P(DOMAIN_GET_JOB_INFO, proc_domain_get_job_info, 0),
        P(DOMAIN_GET_BLOCK_INFO, proc_domain_get_block_info, 0),
        P(DOMAIN_INTERFACE_STATS, proc_domain_interface_stats, 0),
        P(DOMAIN_UPDATE_DEVICE_FLAGS, proc_domain_update_device_flags, 0),
        P(DOMAIN_ATTACH_DEVICE, proc_domain_attach_device, 0),
        P(DOMAIN_ATTACH_DEVICE_FLAGS, proc_domain_attach_device_flags, 0),
        P(DOMAIN_DETACH_DEVICE, proc_domain_detach_device, 0),
        P(DOMAIN_DETACH_DEVICE_FLAGS, proc_domain_detach_device_flags, 0),
        P(DOMAIN_DETACH_DEVICE_ALIAS, proc_domain_detach_device_alias, 0),
        P(DOMAIN_GET_HOSTNAME, proc_domain_get_hostname, 0),
        P(DOMAIN_GET_TIME, proc_domain_get_time, 0),
        P(DOMAIN_GET_VCPUS, proc_domain_get_vcpus, 0),
        P(DOMAIN_GET_VCPU_PIN_INFO, proc_domain_get_vcpu_pin_info, 0),
        P(DOMAIN_GET_EMULATOR_PIN_INFO, proc_domain_get_emulator_pin_info, 0),
        P(DOMAIN_PIN_VCPU_FLAGS, proc_domain_pin_vcpu_flags, 0),
        P(DOMAIN_PIN_EMULATOR, proc_domain_pin_emulator, 0),
        P(DOMAIN_GET_SECURITY_LABEL_LIST, proc_domain_get_security_label_list, 0),
        P(DOMAIN_GET_BLKIO_PARAMETERS, proc_domain_get_blkio_parameters, 0),
        P(DOMAIN_SET_BLKIO_PARAMETERS, proc_domain_set_blkio_parameters, 0),
        P(DOMAIN_GET_NUMA_PARAMETERS, proc_domain_get_numa_parameters, 0),
        P(DOMAIN_SET_NUMA_PARAMETERS, proc_domain_set_numa_parameters, 0),
        P(DOMAIN_GET_IOTHREAD_INFO, proc_domain_get_iothread_info, 0),

        /* node devices */
        P(NODE_NUM_OF_DEVICES, proc_node_num_of_devices, 0),
        P(NODE_LIST_DEVICES, proc_node_list_devices, 0),
        P(CONNECT_LIST_ALL_NODE_DEVICES, proc_connect_list_all_node_devices, 0),
        P(NODE_DEVICE_LOOKUP_BY_NAME, proc_node_device_lookup_by_name, 0),
        P(NODE_DEVICE_GET_XML_DESC, proc_node_device_get_xml_desc, 0),
        P(NODE_DEVICE_GET_PARENT, proc_node_device_get_parent, 0),
        P(NODE_DEVICE_NUM_OF_CAPS, proc_node_device_num_of_caps, 0),
        P(NODE_DEVICE_LIST_CAPS, proc_node_device_list_caps, 0),

        /* host interfaces */
        P(CONNECT_NUM_OF_INTERFACES, proc_connect_num_of_interfaces, 0),
        P(CONNECT_NUM_OF_DEFINED_INTERFACES, proc_connect_num_of_defined_interfaces, 0),
        P(CONNECT_LIST_INTERFACES, proc_connect_list_interfaces, 0),
        P(CONNECT_LIST_DEFINED_INTERFACES, proc_connect_list_defined_interfaces, 0),
        P(CONNECT_LIST_ALL_INTERFACES, proc_connect_list_all_interfaces, 0),
        P(INTERFACE_LOOKUP_BY_NAME, proc_interface_lookup_by_name, 0),
        P(INTERFACE_LOOKUP_BY_MAC_STRING, proc_interface_lookup_by_mac_string, 0),
        P(INTERFACE_GET_XML_DESC, proc_interface_get_xml_desc, 0),
        P(INTERFACE_IS_ACTIVE, proc_interface_is_active, 0),

        /* lists */
        P(CONNECT_LIST_DEFINED_DOMAINS, proc_connect_list_defined_domains, 0),
        P(CONNECT_NUM_OF_DEFINED_DOMAINS, proc_connect_num_of_defined_domains, 0),
        P(CONNECT_LIST_DEFINED_NETWORKS, proc_connect_list_defined_networks, 0),
        P(CONNECT_LIST_DOMAINS, proc_connect_list_domains, 0),
        P(CONNECT_LIST_NETWORKS, proc_connect_list_networks, 0),
        P(CONNECT_NUM_OF_DEFINED_NETWORKS, proc_connect_num_of_defined_networks, 0),
        P(CONNECT_NUM_OF_DOMAINS, proc_connect_num_of_domains, 0),
        P(CONNECT_NUM_OF_NETWORKS, proc_connect_num_of_networks, 0),
        P(CONNECT_NUM_OF_STORAGE_POOLS, proc_connect_num_of_storage_pools, 0),
        P(CONNECT_LIST_STORAGE_POOLS, proc_connect_list_storage_pools, 0),
        P(CONNECT_NUM_OF_DEFINED_STORAGE_POOLS, proc_connect_num_of_defined_storage_pools, 0),
        P(CONNECT_LIST_DEFINED_STORAGE_POOLS, proc_connect_list_defined_storage_pools, 0),
        P(STORAGE_POOL_NUM_OF_VOLUMES, proc_storage_pool_num_of_volumes, 0),
        P(STORAGE_POOL_LIST_VOLUMES, proc_storage_pool_list_volumes, 0),
        P(CONNECT_LIST_ALL_DOMAINS, proc_connect_list_all_domains, 0),
        P(CONNECT_LIST_ALL_STORAGE_POOLS, proc_connect_list_all_storage_pools, 0),
        P(STORAGE_POOL_LIST_ALL_VOLUMES, proc_storage_pool_list_all_volumes, 0),
        P(CONNECT_LIST_ALL_NETWORKS, proc_connect_list_all_networks, 0),

        /* domains */
        P(DOMAIN_CREATE, proc_domain_create, 0),
        P(DOMAIN_CREATE_XML, proc_domain_create_xml, 0),
        P(DOMAIN_DEFINE_XML, proc_domain_define_xml, 0),
        P(DOMAIN_DESTROY, proc_domain_destroy, 0),
        P(DOMAIN_GET_XML_DESC, proc_domain_get_xml_desc, 0),
        P(DOMAIN_GET_AUTOSTART, proc_domain_get_autostart, 0),
        P(DOMAIN_GET_INFO, proc_domain_get_info, 0),
        P(DOMAIN_GET_MAX_MEMORY, proc_domain_get_max_memory, 0),
        P(DOMAIN_GET_MAX_VCPUS, proc_domain_get_max_vcpus, 0),
        P(DOMAIN_GET_OS_TYPE, proc_domain_get_os_type, 0),
        P(DOMAIN_LOOKUP_BY_ID, proc_domain_lookup_by_id, 0),
        P(DOMAIN_LOOKUP_BY_NAME, proc_domain_lookup_by_name, 0),
        P(DOMAIN_LOOKUP_BY_UUID, proc_domain_lookup_by_uuid, 0),
        P(DOMAIN_REBOOT, proc_domain_reboot, 0),
        P(DOMAIN_RESUME, proc_domain_resume, 0),
        P(DOMAIN_SET_AUTOSTART, proc_domain_set_autostart, 0),
        P(DOMAIN_SET_MEMORY, proc_domain_set_memory, 0),
        P(DOMAIN_SHUTDOWN, proc_domain_shutdown, 0),
        P(DOMAIN_SUSPEND, proc_domain_suspend, 0),
        P(DOMAIN_UNDEFINE, proc_domain_undefine, 0),
        P(DOMAIN_GET_SECURITY_LABEL, proc_domain_get_security_label, 0),
        P(DOMAIN_IS_ACTIVE, proc_domain_is_active, 0),
        P(DOMAIN_IS_PERSISTENT, proc_domain_is_persistent, 0),
        P(DOMAIN_HAS_MANAGED_SAVE_IMAGE, proc_domain_has_managed_save_image, 0),
        P(DOMAIN_SAVE, proc_domain_save, 0),                 /* QEMU's stream into the image */
        P(DOMAIN_SAVE_FLAGS, proc_domain_save_flags, 0),
        P(DOMAIN_RESTORE, proc_domain_restore, 0),
        P(DOMAIN_RESTORE_FLAGS, proc_domain_restore_flags, 0),
        P(DOMAIN_SAVE_IMAGE_GET_XML_DESC, proc_domain_save_image_get_xml_desc, 0),
        P(DOMAIN_MANAGED_SAVE, proc_domain_managed_save, 0),
        P(DOMAIN_MANAGED_SAVE_REMOVE, proc_domain_managed_save_remove, 0),
        P(DOMAIN_MANAGED_SAVE_GET_XML_DESC, proc_domain_managed_save_get_xml_desc, 0),
        P(DOMAIN_SNAPSHOT_NUM, proc_domain_snapshot_num, 0),
        P(DOMAIN_CREATE_WITH_FLAGS, proc_domain_create_with_flags, 0),
        P(DOMAIN_GET_VCPUS_FLAGS, proc_domain_get_vcpus_flags, 0),
        P(DOMAIN_INTERFACE_ADDRESSES, proc_domain_interface_addresses, 0),
        P(DOMAIN_IS_UPDATED, proc_domain_is_updated, 0),
        P(DOMAIN_SET_MEMORY_FLAGS, proc_domain_set_memory_flags, 0),
        P(DOMAIN_SCREENSHOT, proc_domain_screenshot, 0),     /* then a download stream */
        P(DOMAIN_SEND_KEY, proc_domain_send_key, 0),
        P(DOMAIN_INJECT_NMI, proc_domain_inject_nmi, 0),
        P(DOMAIN_OPEN_GRAPHICS_FD, proc_domain_open_graphics_fd, 0),     /* a REPLY_WITH_FDS */
        P(DOMAIN_OPEN_CONSOLE, proc_domain_open_console, 0), /* then a duplex stream */
        P(DOMAIN_GET_STATE, proc_domain_get_state, 0),
        P(DOMAIN_UNDEFINE_FLAGS, proc_domain_undefine_flags, 0),
        P(DOMAIN_DESTROY_FLAGS, proc_domain_destroy_flags, 0),
        P(DOMAIN_RESET, proc_domain_reset, 0),
        P(DOMAIN_SHUTDOWN_FLAGS, proc_domain_shutdown_flags, 0),
        P(DOMAIN_SET_METADATA, proc_domain_set_metadata, 0),
        P(DOMAIN_GET_METADATA, proc_domain_get_metadata, 0),
        P(CONNECT_GET_ALL_DOMAIN_STATS, proc_connect_get_all_domain_stats, 0),
        P(DOMAIN_DEFINE_XML_FLAGS, proc_domain_define_xml_flags, 0),
        P(DOMAIN_GET_MESSAGES, proc_domain_get_messages, 0),
        P(DOMAIN_SET_MEMORY_PARAMETERS, proc_domain_set_memory_parameters, 0),
        P(DOMAIN_GET_MEMORY_PARAMETERS, proc_domain_get_memory_parameters, 0),
        P(DOMAIN_GET_SCHEDULER_TYPE, proc_domain_get_scheduler_type, 0),
        P(DOMAIN_GET_SCHEDULER_PARAMETERS, proc_domain_get_scheduler_parameters, 0),
        P(DOMAIN_SET_SCHEDULER_PARAMETERS, proc_domain_set_scheduler_parameters, 0),
        P(DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS, proc_domain_set_scheduler_parameters_flags, 0),
        P(DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS, proc_domain_get_scheduler_parameters_flags, 0),

        /* networks */
        P(NETWORK_CREATE, proc_network_create, 0),
        P(NETWORK_CREATE_XML, proc_network_create_xml, 0),
        P(NETWORK_DEFINE_XML, proc_network_define_xml, 0),
        P(NETWORK_DESTROY, proc_network_destroy, 0),
        P(NETWORK_GET_XML_DESC, proc_network_get_xml_desc, 0),
        P(NETWORK_GET_AUTOSTART, proc_network_get_autostart, 0),
        P(NETWORK_GET_DHCP_LEASES, proc_network_get_dhcp_leases, 0),
        P(NETWORK_GET_BRIDGE_NAME, proc_network_get_bridge_name, 0),
        P(NETWORK_LOOKUP_BY_NAME, proc_network_lookup_by_name, 0),
        P(NETWORK_LOOKUP_BY_UUID, proc_network_lookup_by_uuid, 0),
        P(NETWORK_SET_AUTOSTART, proc_network_set_autostart, 0),
        P(NETWORK_UNDEFINE, proc_network_undefine, 0),
        P(NETWORK_IS_ACTIVE, proc_network_is_active, 0),
        P(NETWORK_IS_PERSISTENT, proc_network_is_persistent, 0),
        P(NETWORK_DEFINE_XML_FLAGS, proc_network_define_xml_flags, 0),
        P(NETWORK_CREATE_XML_FLAGS, proc_network_create_xml_flags, 0),
        P(NETWORK_UPDATE, proc_network_update, 0),

        /* storage pools */
        P(STORAGE_POOL_CREATE_XML, proc_storage_pool_create_xml, 0),
        P(STORAGE_POOL_DEFINE_XML, proc_storage_pool_define_xml, 0),
        P(CONNECT_FIND_STORAGE_POOL_SOURCES, proc_connect_find_storage_pool_sources, 0),
        P(STORAGE_POOL_CREATE, proc_storage_pool_create, 0),
        P(STORAGE_POOL_BUILD, proc_storage_pool_build, 0),
        P(STORAGE_POOL_DESTROY, proc_storage_pool_destroy, 0),
        P(STORAGE_POOL_DELETE, proc_storage_pool_delete, 0),
        P(STORAGE_POOL_UNDEFINE, proc_storage_pool_undefine, 0),
        P(STORAGE_POOL_REFRESH, proc_storage_pool_refresh, 0),
        P(STORAGE_POOL_LOOKUP_BY_NAME, proc_storage_pool_lookup_by_name, 0),
        P(STORAGE_POOL_LOOKUP_BY_UUID, proc_storage_pool_lookup_by_uuid, 0),
        P(STORAGE_POOL_LOOKUP_BY_VOLUME, proc_storage_pool_lookup_by_volume, 0),
        P(STORAGE_POOL_GET_INFO, proc_storage_pool_get_info, 0),
        P(STORAGE_POOL_GET_XML_DESC, proc_storage_pool_get_xml_desc, 0),
        P(STORAGE_POOL_GET_AUTOSTART, proc_storage_pool_get_autostart, 0),
        P(STORAGE_POOL_SET_AUTOSTART, proc_storage_pool_set_autostart, 0),
        P(STORAGE_POOL_IS_ACTIVE, proc_storage_pool_is_active, 0),
        P(STORAGE_POOL_IS_PERSISTENT, proc_storage_pool_is_persistent, 0),

        /* storage volumes */
        P(STORAGE_VOL_CREATE_XML, proc_storage_vol_create_xml, 0),
        P(STORAGE_VOL_DELETE, proc_storage_vol_delete, 0),
        P(STORAGE_VOL_LOOKUP_BY_NAME, proc_storage_vol_lookup_by_name, 0),
        P(STORAGE_VOL_LOOKUP_BY_KEY, proc_storage_vol_lookup_by_key, 0),
        P(STORAGE_VOL_LOOKUP_BY_PATH, proc_storage_vol_lookup_by_path, 0),
        P(STORAGE_VOL_GET_INFO, proc_storage_vol_get_info, 0),
        P(STORAGE_VOL_GET_XML_DESC, proc_storage_vol_get_xml_desc, 0),
        P(STORAGE_VOL_GET_PATH, proc_storage_vol_get_path, 0),
        P(STORAGE_VOL_CREATE_XML_FROM, proc_storage_vol_create_xml_from, 0),
        P(STORAGE_VOL_WIPE, proc_storage_vol_wipe, 0),
        P(STORAGE_VOL_WIPE_PATTERN, proc_storage_vol_wipe_pattern, 0),
        P(STORAGE_VOL_RESIZE, proc_storage_vol_resize, 0),
        P(STORAGE_VOL_UPLOAD, proc_storage_vol_upload, 0),      /* then an upload stream */
        P(STORAGE_VOL_DOWNLOAD, proc_storage_vol_download, 0),  /* then a download stream */
        P(STORAGE_VOL_GET_INFO_FLAGS, proc_storage_vol_get_info_flags, 0),

        /* events */
        P(CONNECT_DOMAIN_EVENT_REGISTER, proc_connect_domain_event_register, 0),
        P(CONNECT_DOMAIN_EVENT_DEREGISTER, proc_connect_domain_event_deregister, 0),
        P(CONNECT_DOMAIN_EVENT_REGISTER_ANY, proc_connect_domain_event_register_any, 0),
        P(CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, proc_connect_domain_event_deregister_any, 0),
        P(CONNECT_NETWORK_EVENT_REGISTER_ANY, proc_connect_network_event_register_any, 0),
        P(CONNECT_NETWORK_EVENT_DEREGISTER_ANY, proc_connect_network_event_deregister_any, 0),
        P(CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, proc_connect_domain_event_callback_register_any, 0),
        P(CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, proc_connect_domain_event_callback_deregister_any, 0),
        P(CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, proc_connect_storage_pool_event_register_any, 0),
        P(CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY, proc_connect_storage_pool_event_deregister_any, 0),
        P(CONNECT_SECRET_EVENT_REGISTER_ANY, proc_connect_secret_event_register_any, 0),
        P(CONNECT_SECRET_EVENT_DEREGISTER_ANY, proc_connect_secret_event_deregister_any, 0),

        /* secrets (proc-secret.c) */
        P(CONNECT_NUM_OF_SECRETS, proc_connect_num_of_secrets, 0),
        P(CONNECT_LIST_SECRETS, proc_connect_list_secrets, 0),
        P(CONNECT_LIST_ALL_SECRETS, proc_connect_list_all_secrets, 0),
        P(SECRET_LOOKUP_BY_UUID, proc_secret_lookup_by_uuid, 0),
        P(SECRET_LOOKUP_BY_USAGE, proc_secret_lookup_by_usage, 0),
        P(SECRET_DEFINE_XML, proc_secret_define_xml, 0),
        P(SECRET_GET_XML_DESC, proc_secret_get_xml_desc, 0),
        P(SECRET_SET_VALUE, proc_secret_set_value, 0),
        P(SECRET_GET_VALUE, proc_secret_get_value, 0),
        P(SECRET_UNDEFINE, proc_secret_undefine, 0),

        /* host CPU models (proc-cpu.c) */
        P(CONNECT_GET_CPU_MODEL_NAMES, proc_connect_get_cpu_model_names, 0),
        P(NODE_GET_MEMORY_PARAMETERS, proc_node_get_memory_parameters, 0),
        P(NODE_GET_FREE_PAGES, proc_node_get_free_pages, 0),

        /* network filters and bindings (proc-nwfilter.c) */
        P(CONNECT_NUM_OF_NWFILTERS, proc_connect_num_of_nwfilters, 0),
        P(CONNECT_LIST_NWFILTERS, proc_connect_list_nwfilters, 0),
        P(CONNECT_LIST_ALL_NWFILTERS, proc_connect_list_all_nwfilters, 0),
        P(NWFILTER_LOOKUP_BY_NAME, proc_nwfilter_lookup_by_name, 0),
        P(NWFILTER_LOOKUP_BY_UUID, proc_nwfilter_lookup_by_uuid, 0),
        P(NWFILTER_GET_XML_DESC, proc_nwfilter_get_xml_desc, 0),
        P(NWFILTER_DEFINE_XML, proc_nwfilter_define_xml, 0),
        P(NWFILTER_DEFINE_XML_FLAGS, proc_nwfilter_define_xml_flags, 0),
        P(NWFILTER_UNDEFINE, proc_nwfilter_undefine, 0),
        P(NWFILTER_BINDING_LOOKUP_BY_PORT_DEV, proc_nwfilter_binding_lookup_by_port_dev, 0),
        P(NWFILTER_BINDING_GET_XML_DESC, proc_nwfilter_binding_get_xml_desc, 0),
        P(NWFILTER_BINDING_CREATE_XML, proc_nwfilter_binding_create_xml, 0),
        P(NWFILTER_BINDING_DELETE, proc_nwfilter_binding_delete, 0),
        P(CONNECT_LIST_ALL_NWFILTER_BINDINGS, proc_connect_list_all_nwfilter_bindings, 0),

        /* rows not served yet: libvirt's "not supported" after the gates */
#include "proc-table-unsupported.h"
};

const RemoteProc *remote_proc_of_api(ApiId id) {
        return id > API_NONE && id < _API_ID_MAX && procs[id].fn ? &procs[id] : NULL;
}

const RemoteProc *remote_proc_lookup(int proc) {
        const ApiRow *row = api_row_by_proc(proc);
        return row ? remote_proc_of_api(row->id) : NULL;
}
