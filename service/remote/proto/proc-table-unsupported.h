/* proc-table-unsupported.h: inside proc-table.c's table: rows whose procedure virtbus does not serve yet, each answering libvirt's
 * "this function is not supported by the connection driver" after its gates (read-only, ACL). A row that gets a real handler
 * moves to proc-table.c. */
        P(DOMAIN_SEND_PROCESS_SIGNAL, proc_not_supported, 0),
        P(INTERFACE_CHANGE_BEGIN, proc_not_supported, 0),
        P(INTERFACE_CHANGE_COMMIT, proc_not_supported, 0),
        P(INTERFACE_CHANGE_ROLLBACK, proc_not_supported, 0),
        P(INTERFACE_CREATE, proc_not_supported, 0),
        P(INTERFACE_DEFINE_XML, proc_not_supported, 0),
        P(INTERFACE_DESTROY, proc_not_supported, 0),
        P(INTERFACE_UNDEFINE, proc_not_supported, 0),
        P(NODE_DEVICE_CREATE_XML, proc_not_supported, 0),
        P(NODE_DEVICE_DESTROY, proc_not_supported, 0),
        P(NODE_DEVICE_DETACH_FLAGS, proc_not_supported, 0),
        P(NODE_DEVICE_LOOKUP_SCSI_HOST_BY_WWN, proc_not_supported, 0),
        P(NODE_DEVICE_RESET, proc_not_supported, 0),
        P(NODE_DEVICE_RE_ATTACH, proc_not_supported, 0),
