/* api-network.c: the API table's rows for networks. */
#include "api-rows.h"

const ApiRow api_rows_network[] = {
        ROW(NETWORK_CREATE, 39, "virNetworkCreate", DBUS(NETWORK, "Create"), MUT, VERB, ACL(NETWORK, NETWORK, "start")),
        ROW(NETWORK_CREATE_XML, 40, "virNetworkCreateXML", DBUS(CONNECT, "NetworkCreateXML"), MUT, VERB, ACL(NONE, NETWORK, "write", "start")),
        ROW(NETWORK_DEFINE_XML, 41, "virNetworkDefineXML", DBUS(CONNECT, "NetworkDefineXML"), MUT, VERB, ACL(NONE, NETWORK, "write", "save")),
        ROW(NETWORK_DESTROY, 42, "virNetworkDestroy", DBUS(NETWORK, "Destroy"), MUT, VERB, ACL(NETWORK, NETWORK, "stop")),
        ROW(NETWORK_GET_DHCP_LEASES, 341, "virNetworkGetDHCPLeases", DBUS(NETWORK, "GetDHCPLeases"), RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_GET_XML_DESC, 43, "virNetworkGetXMLDesc", DBUS(NETWORK, "GetXMLDesc"), RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_GET_AUTOSTART, 44, "virNetworkGetAutostart", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_GET_BRIDGE_NAME, 45, "virNetworkGetBridgeName", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_LOOKUP_BY_NAME, 46, "virNetworkLookupByName", DBUS(CONNECT, "NetworkLookupByName"), RO, VERB, ACL(BY_NAME, NETWORK, "getattr")),
        ROW(NETWORK_LOOKUP_BY_UUID, 47, "virNetworkLookupByUUID", DBUS(CONNECT, "NetworkLookupByUUID"), RO, VERB, ACL(BY_UUID, NETWORK, "getattr")),
        ROW(NETWORK_SET_AUTOSTART, 48, "virNetworkSetAutostart", NODBUS, MUT, VERB, ACL(NETWORK, NETWORK, "write")),
        ROW(NETWORK_UNDEFINE, 49, "virNetworkUndefine", DBUS(NETWORK, "Undefine"), MUT, VERB, ACL(NETWORK, NETWORK, "delete")),
        ROW(NETWORK_IS_ACTIVE, 152, "virNetworkIsActive", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_IS_PERSISTENT, 153, "virNetworkIsPersistent", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_DEFINE_XML_FLAGS, 432, "virNetworkDefineXMLFlags", NODBUS, MUT, VERB, ACL(NONE, NETWORK, "write", "save")),
        ROW(NETWORK_CREATE_XML_FLAGS, 437, "virNetworkCreateXMLFlags", NODBUS, MUT, VERB, ACL(NONE, NETWORK, "write", "start")),
        /* libvirt: network:write; network:save with VIR_NETWORK_UPDATE_AFFECT_CONFIG (2) or with
         * neither it nor AFFECT_LIVE (1); the flags follow command, section, parentIndex and xml */
        ROW(NETWORK_UPDATE, 291, "virNetworkUpdate", DBUS(NETWORK, "Update"), MUT, VERB, ACL_COND(NETWORK, NETWORK, "write", "save", 2u, 3u, "uuis")),
        ROW(NETWORK_LIST_ALL_PORTS, 404, "virNetworkListAllPorts", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_PORT_LOOKUP_BY_UUID, 405, "virNetworkPortLookupByUUID", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_PORT_CREATE_XML, 406, "virNetworkPortCreateXML", NODBUS, MUT, VERB, ACL(NETWORK, NETWORK, "write")),
        ROW(NETWORK_PORT_GET_PARAMETERS, 407, "virNetworkPortGetParameters", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_PORT_SET_PARAMETERS, 408, "virNetworkPortSetParameters", NODBUS, MUT, VERB, ACL(NETWORK, NETWORK, "write")),
        ROW(NETWORK_PORT_GET_XML_DESC, 409, "virNetworkPortGetXMLDesc", NODBUS, RO, VERB, ACL(NETWORK, NETWORK, "read")),
        ROW(NETWORK_PORT_DELETE, 410, "virNetworkPortDelete", NODBUS, MUT, VERB, ACL(NETWORK, NETWORK, "write")),
};

const size_t api_n_rows_network = sizeof api_rows_network / sizeof api_rows_network[0];
