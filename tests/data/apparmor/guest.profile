# AppArmor profile of guest 'aa', written by virtbusd: do not edit.
#include <tunables/global>

profile libvirt-5f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f flags=(attach_disconnected) {
  #include <abstractions/libvirt-qemu>

  "/srv/images/aa root.qcow2" rwk,
  "/srv/images/shared.img" rk,
  "/dev/loop7" rwk,
  "/srv/iso/install.iso" rk,
  "/srv/boot/vmlinuz" r,
  "/srv/boot/initrd.img" r,
  "/var/lib/virtbus/qemu/nvram/aa_VARS.fd" rwk,
  "/var/log/virtbus/aa-serial.log" rw,
  "/var/log/virtbus/qemu/aa.log" w,
}
