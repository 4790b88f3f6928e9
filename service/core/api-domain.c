/* api-domain.c: the API table's rows for domains. */
#include "api-rows.h"

#include "domain.h"

/* The lifecycle verbs' flags (domain_lifecycle checks them from here). */
#define START_FLAGS (DOMAIN_START_PAUSED | DOMAIN_START_AUTODESTROY | 0x4 | 0x8 | DOMAIN_START_VALIDATE)
#define SHUTDOWN_FLAGS 0x3fu    /* VIR_DOMAIN_SHUTDOWN_* (ACPI, agent, initctl, signal, paravirt) */
#define REBOOT_FLAGS 0x3fu
#define DESTROY_FLAGS 0x3u      /* VIR_DOMAIN_DESTROY_GRACEFUL (and DEFAULT) */

const ApiRow api_rows_domain[] = {
        ROW(DOMAIN_CREATE, 9, "virDomainCreate", NODBUS, MUT, 0, ACL(DOMAIN, DOMAIN, "start")),
        ROW(DOMAIN_CREATE_XML, 10, "virDomainCreateXML", DBUS(CONNECT, "DomainCreateXML"), MUT, START_FLAGS, ACL(NONE, DOMAIN, "write", "start")),
        ROW(DOMAIN_DEFINE_XML, 11, "virDomainDefineXML", NODBUS, MUT, VERB, ACL(NONE, DOMAIN, "write", "save")),
        ROW(DOMAIN_DESTROY, 12, "virDomainDestroy", NODBUS, MUT, 0, ACL(DOMAIN, DOMAIN, "stop")),
        ROW(DOMAIN_INTERFACE_ADDRESSES, 353, "virDomainInterfaceAddresses", DBUS(DOMAIN, "InterfaceAddresses"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_XML_DESC, 14, "virDomainGetXMLDesc", DBUS(DOMAIN, "GetXMLDesc"), RO, VERB, ACL_SECURE(DOMAIN, DOMAIN, 1, "read")),
        ROW(DOMAIN_GET_AUTOSTART, 15, "virDomainGetAutostart", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_INFO, 16, "virDomainGetInfo", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_MAX_MEMORY, 17, "virDomainGetMaxMemory", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_MAX_VCPUS, 18, "virDomainGetMaxVcpus", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_OS_TYPE, 19, "virDomainGetOSType", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_LOOKUP_BY_ID, 22, "virDomainLookupByID", DBUS(CONNECT, "DomainLookupByID"), RO, VERB, ACL(BY_ID, DOMAIN, "getattr")),
        ROW(DOMAIN_LOOKUP_BY_NAME, 23, "virDomainLookupByName", DBUS(CONNECT, "DomainLookupByName"), RO, VERB, ACL(BY_NAME, DOMAIN, "getattr")),
        ROW(DOMAIN_LOOKUP_BY_UUID, 24, "virDomainLookupByUUID", DBUS(CONNECT, "DomainLookupByUUID"), RO, VERB, ACL(BY_UUID, DOMAIN, "getattr")),
        ROW(DOMAIN_REBOOT, 27, "virDomainReboot", DBUS(DOMAIN, "Reboot"), MUT, REBOOT_FLAGS, ACL(DOMAIN, DOMAIN, "init_control")),
        ROW(DOMAIN_RESUME, 28, "virDomainResume", DBUS(DOMAIN, "Resume"), MUT, 0, ACL(DOMAIN, DOMAIN, "suspend")),
        ROW(DOMAIN_SET_AUTOSTART, 29, "virDomainSetAutostart", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_SET_MEMORY, 31, "virDomainSetMemory", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_SHUTDOWN, 33, "virDomainShutdown", NODBUS, MUT, 0, ACL(DOMAIN, DOMAIN, "init_control")),
        ROW(DOMAIN_SUSPEND, 34, "virDomainSuspend", DBUS(DOMAIN, "Suspend"), MUT, 0, ACL(DOMAIN, DOMAIN, "suspend")),
        ROW(DOMAIN_UNDEFINE, 35, "virDomainUndefine", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "delete")),
        ROW(DOMAIN_GET_SECURITY_LABEL, 121, "virDomainGetSecurityLabel", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_IS_ACTIVE, 150, "virDomainIsActive", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_IS_PERSISTENT, 151, "virDomainIsPersistent", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_HAS_MANAGED_SAVE_IMAGE, 183, "virDomainHasManagedSaveImage", DBUS(DOMAIN, "HasManagedSaveImage"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_SNAPSHOT_NUM, 187, "virDomainSnapshotNum", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_CREATE_WITH_FLAGS, 196, "virDomainCreateWithFlags", DBUS(DOMAIN, "Create"), MUT, START_FLAGS, ACL(DOMAIN, DOMAIN, "start")),
        ROW(DOMAIN_GET_VCPUS_FLAGS, 200, "virDomainGetVcpusFlags", DBUS(DOMAIN, "GetVcpus"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_IS_UPDATED, 202, "virDomainIsUpdated", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_SET_MEMORY_FLAGS, 204, "virDomainSetMemoryFlags", DBUS(DOMAIN, "SetMemory"), MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        /* then a download stream; D-Bus: virtbus's own Screenshot, an fd (libvirt-dbus has no streams) */
        ROW(DOMAIN_OPEN_CONSOLE, 201, "virDomainOpenConsole", DBUS(DOMAIN, "OpenConsole"), MUT, VERB, ACL(DOMAIN, DOMAIN, "open_device")),
        ROW(DOMAIN_SCREENSHOT, 211, "virDomainScreenshot", DBUS(DOMAIN, "Screenshot"), MUT, VERB, ACL(DOMAIN, DOMAIN, "screenshot")),
        ROW(DOMAIN_GET_STATE, 212, "virDomainGetState", DBUS(DOMAIN, "GetState"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_UNDEFINE_FLAGS, 231, "virDomainUndefineFlags", DBUS(DOMAIN, "Undefine"), MUT, VERB, ACL(DOMAIN, DOMAIN, "delete")),
        ROW(DOMAIN_DESTROY_FLAGS, 234, "virDomainDestroyFlags", DBUS(DOMAIN, "Destroy"), MUT, DESTROY_FLAGS, ACL(DOMAIN, DOMAIN, "stop")),
        ROW(DOMAIN_RESET, 245, "virDomainReset", DBUS(DOMAIN, "Reset"), MUT, 0, ACL(DOMAIN, DOMAIN, "reset")),
        ROW(DOMAIN_SHUTDOWN_FLAGS, 258, "virDomainShutdownFlags", DBUS(DOMAIN, "Shutdown"), MUT, SHUTDOWN_FLAGS, ACL(DOMAIN, DOMAIN, "init_control")),
        ROW(DOMAIN_SET_METADATA, 264, "virDomainSetMetadata", DBUS(DOMAIN, "SetMetadata"), MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_GET_METADATA, 265, "virDomainGetMetadata", DBUS(DOMAIN, "GetMetadata"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(CONNECT_GET_ALL_DOMAIN_STATS, 344, "virConnectGetAllDomainStats", DBUS(CONNECT, "GetAllDomainStats"), RO, VERB, ACL(NONE, CONNECT, "search_domains")),
        ROW(DOMAIN_DEFINE_XML_FLAGS, 350, "virDomainDefineXMLFlags", DBUS(CONNECT, "DomainDefineXML"), MUT, VERB, ACL(NONE, DOMAIN, "write", "save")),
        ROW(DOMAIN_GET_MESSAGES, 426, "virDomainGetMessages", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        /* tunables (domain-tune.c): the guest's cgroup limits */
        ROW(DOMAIN_SET_MEMORY_PARAMETERS, 197, "virDomainSetMemoryParameters", DBUS(DOMAIN, "SetMemoryParameters"), MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_GET_SCHEDULER_TYPE, 56, "virDomainGetSchedulerType", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_SCHEDULER_PARAMETERS, 57, "virDomainGetSchedulerParameters", NODBUS, RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_SET_SCHEDULER_PARAMETERS, 58, "virDomainSetSchedulerParameters", NODBUS, MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_SET_SCHEDULER_PARAMETERS_FLAGS, 219, "virDomainSetSchedulerParametersFlags", DBUS(DOMAIN, "SetSchedulerParameters"), MUT, VERB, ACL(DOMAIN, DOMAIN, "write")),
        ROW(DOMAIN_GET_SCHEDULER_PARAMETERS_FLAGS, 223, "virDomainGetSchedulerParametersFlags", DBUS(DOMAIN, "GetSchedulerParameters"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        ROW(DOMAIN_GET_MEMORY_PARAMETERS, 198, "virDomainGetMemoryParameters", DBUS(DOMAIN, "GetMemoryParameters"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
        /* D-Bus only: libvirt-dbus reads one domain's stats with virDomainListGetStats */
        ROW(DOMAIN_LIST_GET_STATS, 0, "virDomainListGetStats", DBUS(DOMAIN, "GetStats"), RO, VERB, ACL(DOMAIN, DOMAIN, "read")),
};

const size_t api_n_rows_domain = sizeof api_rows_domain / sizeof api_rows_domain[0];
