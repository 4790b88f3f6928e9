/* connection.h: a Manager's life (connection.c): made, its connections opened and closed, freed. */
#pragma once

#include <systemd/sd-event.h>

#include "error.h"
#include "manager.h"

int manager_new(sd_event *event, Manager **out);
/* Closes every connection (the driver's close(), then each kind's objects: kinds.c), the
 * host's subsystems and the observers. Returns NULL. */
Manager *manager_free(Manager *m);
/* Open a connection with driver and add it; the driver's open() fills it. */
int manager_add_connection(Manager *m, const Driver *driver, Connection **out, VbError *err);
