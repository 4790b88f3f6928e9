/* nodedev-state.c: virNodeDeviceIsActive, IsPersistent, GetAutostart and SetAutostart as libvirt 9.0 answers them: discovered devices are active and transient, the test driver's are persistent; none starts automatically. */
#include "nodedev.h"

#include "api.h"
#include "driver.h"
#include "manager.h"

int nodedev_is_active(Connection *c, const NodeDev *d, VbError *err) {
        return 1;       /* a device is listed while it exists (mdevs defined but not started: none yet) */
}

int nodedev_is_persistent(Connection *c, const NodeDev *d, VbError *err) {
        return c->driver->nodedevs && c->driver->nodedevs->persistent ? 1 : 0;
}

static int unsupported(ApiId api, VbError *err) {
        return vb_error_set(err, VB_ERR_NO_SUPPORT, VB_FROM_NODEDEV, "%s", api_row(api)->name);
}

int nodedev_get_autostart(Connection *c, const NodeDev *d, VbError *err) {
        if (!c->driver->nodedevs || !c->driver->nodedevs->autostart_calls)
                return unsupported(API_NODE_DEVICE_GET_AUTOSTART, err);
        return 0;
}

int nodedev_set_autostart(Connection *c, const NodeDev *d, bool autostart, VbError *err) {
        if (!c->driver->nodedevs || !c->driver->nodedevs->autostart_calls)
                return unsupported(API_NODE_DEVICE_SET_AUTOSTART, err);
        /* Only defined (persistent) mediated devices can start with the host; the host's
         * discovered devices are transient, and libvirt's udev driver refuses them. */
        if (!c->driver->nodedevs->persistent)
                return vb_error_set(err, VB_ERR_OPERATION_INVALID, (VbErrorFrom) c->driver->error_from,
                                    "cannot set autostart for transient device");
        return unsupported(API_NODE_DEVICE_SET_AUTOSTART, err);
}
