/* domain-hotplug-apply.h: what the device kinds' attach and detach share (domain-hotplug-apply.c). */
#pragma once

#include <stddef.h>

#include "call.h"
#include "domain.h"
#include "driver.h"

/* The devices of def (NULL-safe); the definition edited (edit adds dev's device or removes
 * device index), saved and installed, the one before in *old; and that one put back when the
 * driver refused at once. */
DomainDevices *domain_hotplug_devices(const DomainDef *def);
typedef int (*DomainConfigEdit)(DomainDef *nd, DomainDevices *dev, long index);
int domain_hotplug_change_config(Domain *d, DomainConfigEdit edit, DomainDevices *dev, long index, DomainDef **old,
                                 VbError *err);
/* The driver's live part of a call, under the modify job its caller began: op(d, arg, call, err)
 * with d held meanwhile; when it refuses at once the definition before (old, taken; NULL: the
 * definition did not change) goes back, else old is freed; the job ends now unless the call is
 * pending (then when it completes). 0, VERB_PENDING or -1 with err. */
typedef int (*DomainLiveOp)(Domain *d, const void *arg, Call *call, VbError *err);
int domain_run_live(Domain *d, DomainDef *old, DomainLiveOp op, const void *arg, Call *call, VbError *err);
/* The driver's side of a hotplug: attach dev (taken) when not NULL, else detach index (>= 0),
 * else nothing; what is logged ("attaching a disk"). */
typedef struct DomainHotplugLive {
        int (*attach)(Domain *d, DomainDevices *dev, Call *call, VbError *err);
        int (*detach)(Domain *d, size_t index, Call *call, VbError *err);
        DomainDevices *dev;
        long index;
        const char *what;
} DomainHotplugLive;
/* Under the domain's modify job: the definition edited (cdev, taken, added; or ci >= 0
 * removed) and saved, then the live part; when the driver refuses at once the definition goes
 * back. 0, VERB_PENDING (the job ends when the call completes) or -1 with err. */
int domain_hotplug_apply(Domain *d, DomainConfigEdit edit, DomainDevices *cdev, long ci, const DomainHotplugLive *live,
                         Call *call, VbError *err);
