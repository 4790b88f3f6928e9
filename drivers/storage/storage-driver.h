/* storage-driver.h: the host's storage backends (dir pools for now), given to the Manager's host-wide StorageSubsystem. */
#pragma once

#include "manager.h"

/* The ops of the host-wide storage subsystem: every QEMU connection's pools. */
extern const PoolOps storage_host_ops;

/* Give the Manager's host-wide subsystem the real backends (before any connection opens). */
void storage_driver_attach(Manager *m);

/* At the daemon's shutdown, after the event loop and the doors are gone: transfers still
 * running are joined and freed (an upload cut half way is logged), iSCSI sessions log out,
 * pool directories are closed. The pools themselves stay for manager_free. */
void storage_driver_shutdown(Manager *m);
