/* api-netstor-more.c: libvirt-dbus 1.4.1's network and storage members the network and storage families do not serve yet (a separate block so their own rows merge cleanly). */
#include "api-rows.h"

const ApiRow api_rows_netstor_more[] = {
        ROW(CONNECT_FIND_STORAGE_POOL_SOURCES, 75, "virConnectFindStoragePoolSources", DBUS(CONNECT, "FindStoragePoolSources"), MUT, VERB, ACL(NONE, CONNECT, "detect_storage_pools")),
};

const size_t api_n_rows_netstor_more = sizeof api_rows_netstor_more / sizeof api_rows_netstor_more[0];
