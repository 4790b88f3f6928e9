/* qemu-driver.h: the QEMU driver's entry: the two Driver tables daemon/main.c adds (qemu-driver.c). */
#pragma once

#include "driver.h"

/* The drivers main.c adds: qemu:///session (session mode) or qemu:///system (system mode).
 * Not const: the hypervisor version is learnt from the QEMU binary at open. */
extern Driver qemu_session_driver;
extern Driver qemu_system_driver;
