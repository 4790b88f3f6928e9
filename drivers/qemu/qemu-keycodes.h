/* qemu-keycodes.h: keycodes of libvirt's sets as QEMU's qnum numbers (QMP send-key). */
#pragma once

#include <stdint.h>

/* QEMU's qnum of key in codeset (libvirt's virKeycodeSet numbering: 0 linux, 1 xt, 2 atset1,
 * 6 xt_kbd, 9 qnum/rfb), or -1 when it has none (or the set is not translated). */
int qemu_key_to_qnum(unsigned codeset, uint32_t key);
/* libvirt's name of a set ("linux", "xt", …). */
const char *qemu_keycode_set_name(unsigned codeset);
