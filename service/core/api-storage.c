/* api-storage.c: the API table's rows for storage pools and volumes. */
#include "api-rows.h"

const ApiRow api_rows_storage[] = {
        ROW(STORAGE_POOL_CREATE_XML, 76, "virStoragePoolCreateXML", DBUS(CONNECT, "StoragePoolCreateXML"), MUT, VERB, ACL(NONE, POOL, "write", "start")),
        ROW(STORAGE_POOL_DEFINE_XML, 77, "virStoragePoolDefineXML", DBUS(CONNECT, "StoragePoolDefineXML"), MUT, VERB, ACL(NONE, POOL, "write", "save")),
        ROW(STORAGE_POOL_CREATE, 78, "virStoragePoolCreate", DBUS(POOL, "Create"), MUT, VERB, ACL(POOL, POOL, "start")),
        ROW(STORAGE_POOL_BUILD, 79, "virStoragePoolBuild", DBUS(POOL, "Build"), MUT, VERB, ACL(POOL, POOL, "format")),
        ROW(STORAGE_POOL_DESTROY, 80, "virStoragePoolDestroy", DBUS(POOL, "Destroy"), MUT, VERB, ACL(POOL, POOL, "stop")),
        ROW(STORAGE_POOL_DELETE, 81, "virStoragePoolDelete", DBUS(POOL, "Delete"), MUT, VERB, ACL(POOL, POOL, "format")),
        ROW(STORAGE_POOL_UNDEFINE, 82, "virStoragePoolUndefine", DBUS(POOL, "Undefine"), MUT, VERB, ACL(POOL, POOL, "delete")),
        ROW(STORAGE_POOL_REFRESH, 83, "virStoragePoolRefresh", DBUS(POOL, "Refresh"), MUT, VERB, ACL(POOL, POOL, "refresh")),
        ROW(STORAGE_POOL_LOOKUP_BY_NAME, 84, "virStoragePoolLookupByName", DBUS(CONNECT, "StoragePoolLookupByName"), RO, VERB, ACL(BY_NAME, POOL, "getattr")),
        ROW(STORAGE_POOL_LOOKUP_BY_TARGET_PATH, 391, "virStoragePoolLookupByTargetPath", NODBUS, RO, VERB, ACL(NONE, POOL, "getattr")),
        ROW(STORAGE_POOL_LOOKUP_BY_UUID, 85, "virStoragePoolLookupByUUID", DBUS(CONNECT, "StoragePoolLookupByUUID"), RO, VERB, ACL(BY_UUID, POOL, "getattr")),
        ROW(STORAGE_POOL_LOOKUP_BY_VOLUME, 86, "virStoragePoolLookupByVolume", NODBUS, RO, VERB, NOACL),
        ROW(STORAGE_POOL_GET_INFO, 87, "virStoragePoolGetInfo", DBUS(POOL, "GetInfo"), RO, VERB, ACL(POOL, POOL, "read")),
        ROW(STORAGE_POOL_GET_XML_DESC, 88, "virStoragePoolGetXMLDesc", DBUS(POOL, "GetXMLDesc"), RO, VERB, ACL(POOL, POOL, "read")),
        ROW(STORAGE_POOL_GET_AUTOSTART, 89, "virStoragePoolGetAutostart", NODBUS, RO, VERB, ACL(POOL, POOL, "read")),
        ROW(STORAGE_POOL_SET_AUTOSTART, 90, "virStoragePoolSetAutostart", NODBUS, MUT, VERB, ACL(POOL, POOL, "write")),
        ROW(STORAGE_POOL_NUM_OF_VOLUMES, 91, "virStoragePoolNumOfVolumes", NODBUS, RO, VERB, ACL(POOL, POOL, "search_storage_vols")),
        ROW(STORAGE_POOL_LIST_VOLUMES, 92, "virStoragePoolListVolumes", NODBUS, RO, VERB, ACL(POOL, POOL, "search_storage_vols")),
        ROW(STORAGE_VOL_CREATE_XML, 93, "virStorageVolCreateXML", DBUS(POOL, "StorageVolCreateXML"), MUT, VERB, ACL(POOL, VOL, "create")),
        ROW(STORAGE_VOL_DELETE, 94, "virStorageVolDelete", DBUS(VOL, "Delete"), MUT, VERB, ACL(VOL, VOL, "delete")),
        ROW(STORAGE_VOL_LOOKUP_BY_NAME, 95, "virStorageVolLookupByName", DBUS(POOL, "StorageVolLookupByName"), RO, VERB, ACL(POOL, POOL, "search_storage_vols")),
        ROW(STORAGE_VOL_LOOKUP_BY_KEY, 96, "virStorageVolLookupByKey", DBUS(CONNECT, "StorageVolLookupByKey"), RO, VERB, ACL(NONE, CONNECT, "search_storage_pools")),
        ROW(STORAGE_VOL_LOOKUP_BY_PATH, 97, "virStorageVolLookupByPath", DBUS(CONNECT, "StorageVolLookupByPath"), RO, VERB, ACL(NONE, CONNECT, "search_storage_pools")),
        ROW(STORAGE_VOL_GET_INFO, 98, "virStorageVolGetInfo", NODBUS, RO, VERB, ACL(VOL, VOL, "read")),
        ROW(STORAGE_VOL_GET_XML_DESC, 99, "virStorageVolGetXMLDesc", DBUS(VOL, "GetXMLDesc"), RO, VERB, ACL(VOL, VOL, "read")),
        ROW(STORAGE_VOL_GET_PATH, 100, "virStorageVolGetPath", NODBUS, RO, VERB, ACL(VOL, VOL, "read")),
        ROW(STORAGE_VOL_CREATE_XML_FROM, 125, "virStorageVolCreateXMLFrom", DBUS(POOL, "StorageVolCreateXMLFrom"), MUT, VERB, ACL(POOL, VOL, "create")),
        ROW(STORAGE_POOL_IS_ACTIVE, 154, "virStoragePoolIsActive", NODBUS, RO, VERB, ACL(POOL, POOL, "read")),
        ROW(STORAGE_POOL_IS_PERSISTENT, 155, "virStoragePoolIsPersistent", NODBUS, RO, VERB, ACL(POOL, POOL, "read")),
        ROW(STORAGE_VOL_WIPE, 165, "virStorageVolWipe", NODBUS, MUT, VERB, ACL(VOL, VOL, "data_write")),
        /* then an upload / a download stream; D-Bus: virtbus's own Upload/Download with an fd */
        ROW(STORAGE_VOL_UPLOAD, 208, "virStorageVolUpload", DBUS(VOL, "Upload"), MUT, VERB, ACL(VOL, VOL, "data_write")),
        ROW(STORAGE_VOL_DOWNLOAD, 209, "virStorageVolDownload", DBUS(VOL, "Download"), MUT, VERB, ACL(VOL, VOL, "data_read")),
        ROW(STORAGE_VOL_WIPE_PATTERN, 259, "virStorageVolWipePattern", DBUS(VOL, "Wipe"), MUT, VERB, ACL(VOL, VOL, "data_write")),
        ROW(STORAGE_VOL_RESIZE, 260, "virStorageVolResize", DBUS(VOL, "Resize"), MUT, VERB, ACL(VOL, VOL, "resize")),
        ROW(STORAGE_POOL_LIST_ALL_VOLUMES, 282, "virStoragePoolListAllVolumes", DBUS(POOL, "ListStorageVolumes"), RO, VERB, ACL(POOL, POOL, "search_storage_vols")),
        ROW(STORAGE_VOL_GET_INFO_FLAGS, 378, "virStorageVolGetInfoFlags", DBUS(VOL, "GetInfo"), RO, VERB, ACL(VOL, VOL, "read")),
};

const size_t api_n_rows_storage = sizeof api_rows_storage / sizeof api_rows_storage[0];
