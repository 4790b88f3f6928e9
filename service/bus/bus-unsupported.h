/* bus-unsupported.h: vtable entries of libvirt-dbus 1.4.1 members virtbus does not serve yet: each method answers
 * libvirt's "this function is not supported by the connection driver: virXxx" (its API row names it), after the
 * object lookup; and the signals, emitted from core notices (bus.c, bus-domain-events.c). Included inside each
 * interface's vtable. */
#pragma once

#include "bus-internal.h"

int bus_method_not_supported(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-hostobj.c: the object of a path of a kind the core keeps none of yet: -1, err set. */
int bus_host_object_lookup(BusSubtree *t, const char *path, VbError *err);
/* bus-iface.c: the same for an interface's path; and Connect's methods for interfaces. */
int bus_iface_lookup(BusSubtree *t, const char *path, VbError *err);
int bus_method_interface_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_interface_lookup_by_mac(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_list_interfaces(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-nodedev.c */
int bus_nodedev_lookup(BusSubtree *t, const char *path, VbError *err);
int bus_method_node_device_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_list_node_devices(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-secret.c: Connect's secret methods. */
int bus_method_secret_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_secret_lookup_by_usage(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_list_secrets(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-nwfilter.c: Connect's network filter methods. */
int bus_snapshot_lookup(BusSubtree *t, const char *path, VbError *err);
int bus_method_nwfilter_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_list_nwfilters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-cpu.c: Connect.GetCPUModelNames. */
int bus_method_get_cpu_model_names(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-cpu-compare.c */
int bus_method_compare_cpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_baseline_cpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_node_get_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_node_set_memory_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-save.c */
int bus_method_domain_save(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_managed_save(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-snapshot.c */
int bus_method_list_domain_snapshots(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_current(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_create_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_lookup_by_name(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_delete(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_get_parent(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_is_current(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_list_children(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_snapshot_revert(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_managed_save_remove(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_has_managed_save_image(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_restore(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_save_image_get_xml_desc(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_save_image_define_xml(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_core_dump(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_rename(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);   /* bus-domain-rename.c */
/* bus-domain-info.c */
int bus_method_memory_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_send_key(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);          /* bus-domain-gfx.c */
int bus_method_inject_nmi(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);        /* bus-domain-live.c */
int bus_method_set_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);         /* bus-domain-live.c */
/* bus-domain-peek.c */
int bus_method_block_peek(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_memory_peek(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_pm_wakeup(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_set_max_downtime(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);        /* bus-domain-migrate.c */
int bus_method_migrate_set_max_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_get_max_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_set_compression_cache(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_get_compression_cache(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_start_post_copy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_migrate_to_uri3(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_open_graphics_fd(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);  /* bus-domain-gfx.c */
/* bus-domain-files.c */
int bus_method_domain_create_xml_with_files(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_domain_create_with_files(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_job_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_hostname(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_time(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_time(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_fs_freeze(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_fs_thaw(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_fs_trim(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_user_password(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_fs_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_guest_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_guest_vcpus(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_scheduler_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_vcpu_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_pin_vcpu(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_pin_emulator(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_pin_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-iothread.c */
int bus_method_add_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_del_iothread(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_security_label_list(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-tune-stats.c */
int bus_method_get_control_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_disk_errors(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_memory_stats_period(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_resize(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_pull(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_rebase(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_copy(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_commit(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_job_abort(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_block_job_set_speed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_block_job_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_job_stats(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_abort_job(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-tune.c */
int bus_method_get_blkio_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_blkio_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_numa_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_emulator_pin_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_get_iothread_info(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-perf.c */
int bus_method_get_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_perf_events(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-iotune.c */
int bus_method_get_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_block_io_tune(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-iftune.c */
int bus_method_get_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_set_interface_parameters(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
/* bus-domain-device.c */
int bus_method_update_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_attach_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
int bus_method_detach_device(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

#define BUS_CONNECT_NOT_SUPPORTED \
        SD_BUS_METHOD_WITH_ARGS("BaselineCPU", SD_BUS_ARGS("as", xmlCPUs, "u", flags), SD_BUS_RESULT("s", cpu), bus_method_baseline_cpu, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("CompareCPU", SD_BUS_ARGS("s", xmlDesc, "u", flags), SD_BUS_RESULT("i", compareResult), bus_method_compare_cpu, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("DomainCreateXMLWithFiles", SD_BUS_ARGS("s", xml, "ah", files, "u", flags), SD_BUS_RESULT("o", domain), bus_method_domain_create_xml_with_files, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("DomainSaveImageDefineXML", SD_BUS_ARGS("s", file, "s", xml, "u", flags), SD_BUS_NO_RESULT, bus_method_domain_save_image_define_xml, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetCPUModelNames", SD_BUS_ARGS("s", arch, "u", flags), SD_BUS_RESULT("as", models), bus_method_get_cpu_model_names, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("InterfaceChangeBegin", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("InterfaceChangeCommit", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("InterfaceChangeRollback", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("InterfaceDefineXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", interface), bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ListNodeDevices", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", devs), bus_method_list_node_devices, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ListNWFilters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", nwfilters), bus_method_list_nwfilters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ListSecrets", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", secrets), bus_method_list_secrets, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeDeviceCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", dev), bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeDeviceLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", dev), bus_method_node_device_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeDeviceLookupSCSIHostByWWN", SD_BUS_ARGS("s", wwnn, "s", wwpn, "u", flags), SD_BUS_RESULT("o", dev), bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NWFilterDefineXML", SD_BUS_ARGS("s", xml), SD_BUS_RESULT("o", nwfilter), bus_method_nwfilter_define_xml, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NWFilterLookupByName", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", nwfilter), bus_method_lookup, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NWFilterLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", nwfilter), bus_method_lookup, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeGetCPUMap", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", res), bus_method_node_get_cpu_map, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeGetCPUStats", SD_BUS_ARGS("i", cpuNum, "u", flags), SD_BUS_RESULT("a{st}", cpuStats), bus_method_node_get_cpu_stats, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeGetMemoryParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", memoryParameters), bus_method_node_get_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("NodeSetMemoryParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_node_set_memory_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SecretDefineXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", secret), bus_method_secret_define_xml, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SecretLookupByUUID", SD_BUS_ARGS("s", uuid), SD_BUS_RESULT("o", secret), bus_method_lookup, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SecretLookupByUsage", SD_BUS_ARGS("i", usageType, "s", usageID), SD_BUS_RESULT("o", secret), bus_method_secret_lookup_by_usage, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_SIGNAL_WITH_ARGS("NodeDeviceEvent", SD_BUS_ARGS("o", dev, "i", event, "i", detail), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("SecretEvent", SD_BUS_ARGS("o", secret, "i", event, "i", detail), 0),

#define BUS_DOMAIN_NOT_SUPPORTED \
        SD_BUS_METHOD_WITH_ARGS("AbortJob", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_abort_job, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("AddIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT, bus_method_add_iothread, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("AttachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT, bus_method_attach_device, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockCommit", SD_BUS_ARGS("s", disk, "s", base, "s", top, "t", bandwidth, "u", flags), SD_BUS_NO_RESULT, bus_method_block_commit, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockCopy", SD_BUS_ARGS("s", disk, "s", destxml, "a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_block_copy, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockJobAbort", SD_BUS_ARGS("s", disk, "u", flags), SD_BUS_NO_RESULT, bus_method_block_job_abort, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockPeek", SD_BUS_ARGS("s", disk, "t", offset, "t", size, "u", flags), SD_BUS_RESULT("ay", buffer), bus_method_block_peek, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockPull", SD_BUS_ARGS("s", disk, "t", bandwidth, "u", flags), SD_BUS_NO_RESULT, bus_method_block_pull, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockRebase", SD_BUS_ARGS("s", disk, "s", base, "t", bandwidth, "u", flags), SD_BUS_NO_RESULT, bus_method_block_rebase, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockResize", SD_BUS_ARGS("s", disk, "t", size, "u", flags), SD_BUS_NO_RESULT, bus_method_block_resize, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("BlockJobSetSpeed", SD_BUS_ARGS("s", disk, "t", bandwidth, "u", flags), SD_BUS_NO_RESULT, bus_method_block_job_set_speed, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("CoreDump", SD_BUS_ARGS("s", to, "u", dumpformat, "u", flags), SD_BUS_NO_RESULT, bus_method_domain_core_dump, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("CreateWithFiles", SD_BUS_ARGS("ah", files, "u", flags), SD_BUS_NO_RESULT, bus_method_domain_create_with_files, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("DelIOThread", SD_BUS_ARGS("u", iothreadId, "u", flags), SD_BUS_NO_RESULT, bus_method_del_iothread, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("DetachDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT, bus_method_detach_device, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("FSFreeze", SD_BUS_ARGS("as", mountpoints, "u", flags), SD_BUS_RESULT("u", frozenFilesystems), bus_method_fs_freeze, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("FSThaw", SD_BUS_ARGS("as", mountpoints, "u", flags), SD_BUS_RESULT("u", thawedFilesystems), bus_method_fs_thaw, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("FSTrim", SD_BUS_ARGS("s", mountpoint, "t", minimum, "u", flags), SD_BUS_NO_RESULT, bus_method_fs_trim, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetBlockIOParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", BlkioParameters), bus_method_get_blkio_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetBlockIOTune", SD_BUS_ARGS("s", disk, "u", flags), SD_BUS_RESULT("a{sv}", blockIOTune), bus_method_get_block_io_tune, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetBlockJobInfo", SD_BUS_ARGS("s", disk, "u", flags), SD_BUS_RESULT("(ittt)", blockJobInfo), bus_method_get_block_job_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetControlInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(uut)", controlInfo), bus_method_get_control_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetDiskErrors", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(si)", diskErrors), bus_method_get_disk_errors, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetEmulatorPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ab", cpumap), bus_method_get_emulator_pin_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetFSInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(sssas)", fsInfo), bus_method_get_fs_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetGuestVcpus", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", vcpus), bus_method_get_guest_vcpus, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetHostname", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", hostname), bus_method_get_hostname, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetInterfaceParameters", SD_BUS_ARGS("s", device, "u", flags), SD_BUS_RESULT("a{sv}", interfaceParameters), bus_method_get_interface_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetIOThreadInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a(uab)", ioThreadInfo), bus_method_get_iothread_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetJobInfo", SD_BUS_NO_ARGS, SD_BUS_RESULT("(ittttttttttt)", jobInfo), bus_method_get_job_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetJobStats", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(ia{sv})", stats), bus_method_get_job_stats, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetNumaParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", numaParameters), bus_method_get_numa_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetPerfEvents", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", perfEvents), bus_method_get_perf_events, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetSchedulerParameters", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{sv}", SchedulerParameters), bus_method_get_scheduler_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetSecurityLabelList", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(sb)", securityLabels), bus_method_get_security_label_list, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetTime", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("(tu)", time), bus_method_get_time, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetVcpuPinInfo", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("aab", vcpuPinInfo), bus_method_get_vcpu_pin_info, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("InjectNMI", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_inject_nmi, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ListDomainSnapshots", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domainSnapshots), bus_method_list_domain_snapshots, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MemoryPeek", SD_BUS_ARGS("t", offset, "t", size, "u", flags), SD_BUS_RESULT("ay", buffer), bus_method_memory_peek, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MemoryStats", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("a{it}", stats), bus_method_memory_stats, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateGetCompressionCache", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("t", cacheSize), bus_method_migrate_get_compression_cache, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateGetMaxSpeed", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("t", bandwidth), bus_method_migrate_get_max_speed, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateSetCompressionCache", SD_BUS_ARGS("t", cacheSize, "u", flags), SD_BUS_NO_RESULT, bus_method_migrate_set_compression_cache, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateSetMaxDowntime", SD_BUS_ARGS("t", downtime, "u", flags), SD_BUS_NO_RESULT, bus_method_migrate_set_max_downtime, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateSetMaxSpeed", SD_BUS_ARGS("t", bandwidth, "u", flags), SD_BUS_NO_RESULT, bus_method_migrate_set_max_speed, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateStartPostCopy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_migrate_start_post_copy, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("MigrateToURI3", SD_BUS_ARGS("s", dconuri, "a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_migrate_to_uri3, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("OpenGraphicsFD", SD_BUS_ARGS("u", idx, "u", flags), SD_BUS_RESULT("h", fd), bus_method_open_graphics_fd, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("PinEmulator", SD_BUS_ARGS("ab", cpumap, "u", flags), SD_BUS_NO_RESULT, bus_method_pin_emulator, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("PinIOThread", SD_BUS_ARGS("u", iothreadId, "ab", cpumap, "u", flags), SD_BUS_NO_RESULT, bus_method_pin_iothread, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("PinVcpu", SD_BUS_ARGS("u", vcpu, "ab", cpumap, "u", flags), SD_BUS_NO_RESULT, bus_method_pin_vcpu, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("PMWakeup", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_pm_wakeup, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Rename", SD_BUS_ARGS("s", name, "u", flags), SD_BUS_NO_RESULT, bus_method_domain_rename, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SendKey", SD_BUS_ARGS("u", codeset, "u", holdtime, "au", keycodes, "u", flags), SD_BUS_NO_RESULT, bus_method_send_key, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SendProcessSignal", SD_BUS_ARGS("x", pidValue, "u", sigNum, "u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetBlockIOParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_blkio_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetBlockIOTune", SD_BUS_ARGS("s", disk, "a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_block_io_tune, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetGuestVcpus", SD_BUS_ARGS("ab", vcpumap, "i", state, "u", flags), SD_BUS_NO_RESULT, bus_method_set_guest_vcpus, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetInterfaceParameters", SD_BUS_ARGS("s", device, "a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_interface_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetMemoryStatsPeriod", SD_BUS_ARGS("i", period, "u", flags), SD_BUS_NO_RESULT, bus_method_set_memory_stats_period, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetNumaParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_numa_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetPerfEvents", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_perf_events, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetSchedulerParameters", SD_BUS_ARGS("a{sv}", params, "u", flags), SD_BUS_NO_RESULT, bus_method_set_scheduler_parameters, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetUserPassword", SD_BUS_ARGS("s", user, "s", password, "u", flags), SD_BUS_NO_RESULT, bus_method_set_user_password, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetTime", SD_BUS_ARGS("t", seconds, "u", nseconds, "u", flags), SD_BUS_NO_RESULT, bus_method_set_time, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SetVcpus", SD_BUS_ARGS("u", vcpus, "u", flags), SD_BUS_NO_RESULT, bus_method_set_vcpus, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SnapshotCurrent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("o", domainSnapshot), bus_method_snapshot_current, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SnapshotCreateXML", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_RESULT("o", domainSnapshot), bus_method_snapshot_create_xml, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("SnapshotLookupByName", SD_BUS_ARGS("s", name, "u", flags), SD_BUS_RESULT("o", domainSnapshot), bus_method_snapshot_lookup_by_name, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("UpdateDevice", SD_BUS_ARGS("s", xml, "u", flags), SD_BUS_NO_RESULT, bus_method_update_device, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_SIGNAL_WITH_ARGS("AgentEvent", SD_BUS_ARGS("i", state, "i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("BalloonChange", SD_BUS_ARGS("t", actual), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("BlockJob", SD_BUS_ARGS("s", disk, "i", type, "i", status), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("ControlError", SD_BUS_NO_ARGS, 0), \
        SD_BUS_SIGNAL_WITH_ARGS("DeviceAdded", SD_BUS_ARGS("s", device), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("DeviceRemovalFailed", SD_BUS_ARGS("s", device), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("DeviceRemoved", SD_BUS_ARGS("s", device), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("DiskChange", SD_BUS_ARGS("s", oldSrcPath, "s", newSrcPath, "s", device, "i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("Graphics", SD_BUS_ARGS("i", phase, "(iss)", local, "(iss)", remote, "s", authScheme, "a(ss)", identities), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("IOError", SD_BUS_ARGS("s", srcPath, "s", device, "i", action, "s", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("JobCompleted", SD_BUS_ARGS("a{sv}", params), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("MigrationIteration", SD_BUS_ARGS("i", iteration), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("PMSuspend", SD_BUS_ARGS("i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("PMSuspendDisk", SD_BUS_ARGS("i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("PMWakeup", SD_BUS_ARGS("i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("RTCChange", SD_BUS_ARGS("x", utcoffset), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("TrayChange", SD_BUS_ARGS("s", device, "i", reason), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("Tunable", SD_BUS_ARGS("a{sv}", params), 0), \
        SD_BUS_SIGNAL_WITH_ARGS("Watchdog", SD_BUS_ARGS("i", action), 0),

#define BUS_DOMAINSNAPSHOT_NOT_SUPPORTED \
        SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_snapshot_delete, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetParent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("o", domainSnapshot), bus_method_snapshot_get_parent, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("GetXMLDesc", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("s", xml), bus_method_snapshot_get_xml_desc, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("IsCurrent", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("b", domainSnapshot), bus_method_snapshot_is_current, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ListChildren", SD_BUS_ARGS("u", flags), SD_BUS_RESULT("ao", domainSnapshots), bus_method_snapshot_list_children, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Revert", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_snapshot_revert, SD_BUS_VTABLE_UNPRIVILEGED),

#define BUS_INTERFACE_NOT_SUPPORTED \
        SD_BUS_METHOD_WITH_ARGS("Create", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_ARGS("u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Undefine", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),

#define BUS_NODEDEVICE_NOT_SUPPORTED \
        SD_BUS_METHOD_WITH_ARGS("Destroy", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Detach", SD_BUS_ARGS("s", driverName, "u", flags), SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("ReAttach", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED), \
        SD_BUS_METHOD_WITH_ARGS("Reset", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, bus_method_not_supported, SD_BUS_VTABLE_UNPRIVILEGED),

#define BUS_NETWORK_NOT_SUPPORTED     /* none left: GetDHCPLeases is served (bus-network.c) */
