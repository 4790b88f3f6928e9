/* domain-update-graphics.h: virDomainUpdateDeviceFlags on a <graphics> (domain-update-graphics.c), below the update that hands it over. */
#pragma once

#include <stdbool.h>
#include <time.h>

#include "call.h"
#include "domain.h"

/* A <graphics> matched by its type: only passwd and passwdValidTo may change (live through the
 * driver's set_graphics_password, and in the definition). Takes dev. And passwdValidTo's text
 * as a time (-1: not YYYY-MM-DDTHH:MM:SS). */
struct DomainDevices;
int domain_update_graphics(Domain *d, struct DomainDevices *dev, bool live, bool config, Call *call, VbError *err);
int domain_graphics_valid_to(const char *s, time_t *out);
