/* security-selinux-files.h: a file's SELinux label for a guest and back (private to drivers/security). */
#pragma once

#include "error.h"
#include "security-selinux-plan.h"

/* Label path for one more guest: its label before the first guest is kept (with a reference
 * count) in trusted.virtbus.selinux.*, then setfilecon. 0, or -1 with err (nothing changed). */
int selinux_file_take(const char *path, const char *label, VbError *err);
/* Undo one take; the last one sets the remembered label back. Never fails: logs. */
void selinux_file_give_back(const char *path);
