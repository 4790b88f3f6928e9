/* qemu-keycodes.c: keycodes of libvirt's sets (linux, xt, atset1, xt_kbd, qnum) as QEMU's qnum numbers for QMP send-key. */
#include "qemu-keycodes.h"

#include <stddef.h>

/* libvirt's virKeycodeSet numbering */
enum { KEYS_LINUX = 0, KEYS_XT = 1, KEYS_ATSET1 = 2, KEYS_XT_KBD = 6, KEYS_QNUM = 9 };

static const char *const set_names[] = {
        "linux", "xt", "atset1", "atset2", "atset3", "osx", "xt_kbd", "usb", "win32", "qnum",
};

/* Linux input keycodes past the 1..83 block, whose qnum is the Linux code itself. */
static const struct { uint16_t linux_code, qnum; } linux_extra[] = {
        { 85, 0x76 },  /* KEY_ZENKAKUHANKAKU */
        { 86, 0x56 },  /* KEY_102ND */
        { 87, 0x57 },  /* KEY_F11 */
        { 88, 0x58 },  /* KEY_F12 */
        { 96, 0x9c },  /* KEY_KPENTER */
        { 97, 0x9d },  /* KEY_RIGHTCTRL */
        { 98, 0xb5 },  /* KEY_KPSLASH */
        { 99, 0x54 },  /* KEY_SYSRQ */
        { 100, 0xb8 }, /* KEY_RIGHTALT */
        { 102, 0xc7 }, /* KEY_HOME */
        { 103, 0xc8 }, /* KEY_UP */
        { 104, 0xc9 }, /* KEY_PAGEUP */
        { 105, 0xcb }, /* KEY_LEFT */
        { 106, 0xcd }, /* KEY_RIGHT */
        { 107, 0xcf }, /* KEY_END */
        { 108, 0xd0 }, /* KEY_DOWN */
        { 109, 0xd1 }, /* KEY_PAGEDOWN */
        { 110, 0xd2 }, /* KEY_INSERT */
        { 111, 0xd3 }, /* KEY_DELETE */
        { 113, 0xa0 }, /* KEY_MUTE */
        { 114, 0xae }, /* KEY_VOLUMEDOWN */
        { 115, 0xb0 }, /* KEY_VOLUMEUP */
        { 116, 0xde }, /* KEY_POWER */
        { 117, 0x59 }, /* KEY_KPEQUAL */
        { 119, 0xc6 }, /* KEY_PAUSE */
        { 125, 0xdb }, /* KEY_LEFTMETA */
        { 126, 0xdc }, /* KEY_RIGHTMETA */
        { 127, 0xdd }, /* KEY_COMPOSE */
        { 142, 0xdf }, /* KEY_SLEEP */
        { 143, 0xe3 }, /* KEY_WAKEUP */
};

/* QEMU's qnum of key in codeset, or -1. xt and atset1 are scancode set 1: one byte, or
 * 0xe0 then a byte (written 0xe0NN), which qnum writes 0x80 | NN. */
int qemu_key_to_qnum(unsigned codeset, uint32_t key) {
        switch (codeset) {
        case KEYS_LINUX:
                if (key >= 1 && key <= 83)
                        return (int) key;
                for (size_t i = 0; i < sizeof linux_extra / sizeof linux_extra[0]; i++)
                        if (linux_extra[i].linux_code == key)
                                return linux_extra[i].qnum;
                return -1;
        case KEYS_XT:
        case KEYS_ATSET1:
                if (key >= 1 && key <= 0x7f)
                        return (int) key;
                if ((key & 0xff00) == 0xe000 && (key & 0xff) >= 1 && (key & 0xff) <= 0x7f && codeset == KEYS_ATSET1)
                        return (int) (0x80 | (key & 0x7f));
                return -1;
        case KEYS_XT_KBD:
        case KEYS_QNUM:
                return key >= 1 && key <= 0xff ? (int) key : -1;
        default:
                return -1;
        }
}

const char *qemu_keycode_set_name(unsigned codeset) {
        return codeset < sizeof set_names / sizeof set_names[0] ? set_names[codeset] : "unknown";
}
