#!/usr/bin/env bash
# tests/guest/build-guest.sh OUTDIR: build the tiny bootable test guest of the QEMU-driver tests.
#
# From Debian's packages, without installing anything on the host:
#   OUTDIR/vmlinuz         a Debian kernel: the installed one (/boot/vmlinuz-*, with its
#                          /lib/modules) or linux-image-amd64's kernel, fetched with
#                          `apt-get download` and unpacked with dpkg-deb -x
#   OUTDIR/initramfs.img   a gzip'd cpio (newc) holding busybox-static, evdev.ko and button.ko
#                          (and whatever they depend on) from that same kernel, and /init
#   OUTDIR/inputs          what they were built from (the cache key)
# and prints, on stdout, shell assignments for the caller:
#   VIRTBUS_GUEST_KERNEL=OUTDIR/vmlinuz
#   VIRTBUS_GUEST_INITRD=OUTDIR/initramfs.img
#   VIRTBUS_GUEST_APPEND='console=ttyS0 ...'
#
# Cached and idempotent: when OUTDIR/inputs already names the same package versions and the
# same hash of this script (which holds the whole guest userland below), nothing is done.
# Concurrent runs on one OUTDIR serialise on OUTDIR/.lock.
#
# Environment:
#   VIRTBUS_GUEST_DEBS=DIR       where downloaded .debs are kept (default OUTDIR/debs)
#   VIRTBUS_GUEST_KERNEL_SOURCE=installed|download
#                                force one kernel source (default: installed if there is one)
#
# The guest (see tests/guest/README.md): /init prints VIRTBUS-GUEST-UP on the console once
# busybox acpid listens to the ACPI power button; the button runs `poweroff -f` after
# printing VIRTBUS-GUEST-POWEROFF. virtbus.{poweroff,reboot,crash}_after=N on the kernel
# command line, or the lines poweroff / reboot / crash typed on the serial console, make the
# guest do that itself.
set -euo pipefail
umask 022

log() { printf 'build-guest: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The local package lists may know nothing (a fresh machine) or name a version the archive no
# longer has (the security archive keeps only the newest): as root, refresh them once and start
# over; otherwise say what to do.
work=
refresh_and_retry() { # WHY
	if [[ -z ${VIRTBUS_GUEST_APT_UPDATED:-} && $(id -u) -eq 0 ]]; then
		log "$1: running apt-get update and starting over"
		apt-get -q update >&2 || die "apt-get update failed"
		[[ -z $work ]] || rm -rf "$work"
		VIRTBUS_GUEST_APT_UPDATED=1 exec bash "$self" "$outdir"
	fi
	die "$1: run 'apt-get update' first"
}

(($# == 1)) || die "usage: $0 OUTDIR"
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
debdir=${VIRTBUS_GUEST_DEBS:-$outdir/debs}
self=$(readlink -f "${BASH_SOURCE[0]}")
# no_timer_check: on a loaded host TCG's guest often fails the kernel's timer check ("8254
# timer not connected to IO-APIC"), which panics (and panic=-1 reboots, over and over).
append='console=ttyS0 quiet panic=-1 no_timer_check'

exec 9>"$outdir/.lock"
flock 9

print_result() {
	printf 'VIRTBUS_GUEST_KERNEL=%q\n' "$outdir/vmlinuz"
	printf 'VIRTBUS_GUEST_INITRD=%q\n' "$outdir/initramfs.img"
	printf "VIRTBUS_GUEST_APPEND='%s'\n" "$append"
}

# --- where the kernel and busybox come from -------------------------------------------------

installed_version() { # PACKAGE: its version when installed, else nothing
	dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null |
		awk '$1 == "installed" { print $2 }' || true
}

# Candidate versions from the local package lists, in one apt-cache call (each call may take a
# second: with no pkgcache.bin, apt parses all lists every time). linux-image-amd64 is a
# metapackage whose Depends names the kernel package and its exact version.
declare -A cand=()
kmeta_dep=
read_candidates() {
	local pkg field value
	while IFS=$'\t' read -r pkg field value; do
		case $field in
		Version) cand[$pkg]=$value ;;
		Depends) [[ $pkg != linux-image-amd64 ]] || kmeta_dep=$value ;;
		esac
	done < <(LC_ALL=C apt-cache show --no-all-versions "$@" 2>/dev/null |
		awk '/^Package:/ { p = $2 } /^(Version|Depends):/ { f = $1; sub(/:$/, "", f); $1 = ""; sub(/^ /, ""); print p "\t" f "\t" $0 }' ||
		true)
}

# The installed kernel: the newest /boot/vmlinuz-V that is readable and has /lib/modules/V.
installed_kernel=
if [[ ${VIRTBUS_GUEST_KERNEL_SOURCE:-} != download ]]; then
	while read -r f; do
		v=${f#/boot/vmlinuz-}
		if [[ -r $f && -d /lib/modules/$v/kernel ]]; then installed_kernel=$v; fi
	done < <(ls -1v /boot/vmlinuz-* 2>/dev/null || true)
fi
[[ -n $installed_kernel || ${VIRTBUS_GUEST_KERNEL_SOURCE:-} != installed ]] ||
	die "no installed kernel (/boot/vmlinuz-* with /lib/modules)"

bver=$(installed_version busybox-static)
[[ -n $bver && -x /bin/busybox ]] || bver=

want=()
[[ -n $installed_kernel ]] || want+=(linux-image-amd64)
[[ -n $bver ]] || want+=(busybox-static)
((${#want[@]} == 0)) || read_candidates "${want[@]}"

if [[ -n $installed_kernel ]]; then
	kpkg=$(dpkg-query -S "/boot/vmlinuz-$installed_kernel" 2>/dev/null | cut -d: -f1 | head -n1 || true)
	kver=${kpkg:+$(installed_version "$kpkg")}
	# Not from a package (or dpkg says nothing): key on the file itself.
	[[ -n $kver ]] || kver=sha256:$(sha256sum "/boot/vmlinuz-$installed_kernel" | cut -d' ' -f1)
	kernel_key="installed ${kpkg:-/boot/vmlinuz-$installed_kernel} $kver"
else
	# "linux-image-6.1.0-56-amd64 (= 6.1.192-2)"
	kpkg=$(tr ',' '\n' <<<"$kmeta_dep" | sed 's/^ *//; s/[ (].*//' | grep -m1 '^linux-image-' || true)
	[[ -n $kpkg ]] || refresh_and_retry "apt-cache knows no linux-image-amd64"
	kver=$(tr ',' '\n' <<<"$kmeta_dep" | sed -n "s/^ *$kpkg (= \(.*\))\$/\1/p" | head -n1 || true)
	if [[ -z $kver ]]; then
		read_candidates "$kpkg"
		kver=${cand[$kpkg]:-}
	fi
	[[ -n $kver ]] || refresh_and_retry "no candidate version of $kpkg"
	kernel_key="download $kpkg $kver"
fi

if [[ -n $bver ]]; then
	busybox_key="installed busybox-static $bver"
else
	bver=${cand[busybox-static]:-}
	[[ -n $bver ]] || refresh_and_retry "apt-cache knows no busybox-static"
	busybox_key="download busybox-static $bver"
fi

# The guest agent: Debian's qemu-ga (package qemu-guest-agent, installed on the host by
# scripts/setup.sh) and the shared libraries it links, copied as they are.
qga=/usr/sbin/qemu-ga
qga_ver=$(installed_version qemu-guest-agent)
[[ -n $qga_ver && -x $qga ]] || die "qemu-guest-agent is not installed (apt-get install qemu-guest-agent)"

inputs="script $(sha256sum "$self" | cut -d' ' -f1)
kernel $kernel_key
busybox $busybox_key
agent qemu-guest-agent $qga_ver"

if [[ -f $outdir/inputs && -f $outdir/vmlinuz && -f $outdir/initramfs.img ]] &&
	[[ $(cat "$outdir/inputs") == "$inputs" ]]; then
	log "up to date in $outdir"
	print_result
	exit 0
fi

# --- fetch and unpack ----------------------------------------------------------------------

work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

fetch() { # PACKAGE VERSION: sets deb to its .deb in $debdir, downloading it when missing
	# (not in a subshell: refresh_and_retry must re-exec the script itself, lock and all)
	local pkg=$1 ver=$2
	mkdir -p "$debdir"
	# apt-get download names the file PKG_VER_ARCH.deb with the epoch's ':' as %3a.
	deb=$(find "$debdir" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -n1 || true)
	if [[ -z $deb ]]; then
		log "downloading $pkg $ver"
		local aptopts=()
		# As root, apt drops to _apt for downloads, which cannot write a root-owned folder.
		[[ $(id -u) -ne 0 ]] || aptopts=(-o APT::Sandbox::User=root)
		(cd "$debdir" && apt-get -q "${aptopts[@]}" download "$pkg=$ver" >&2) ||
			refresh_and_retry "apt-get download $pkg=$ver failed"
		deb=$(find "$debdir" -maxdepth 1 -name "${pkg}_${ver//:/%3a}_*.deb" | head -n1 || true)
		[[ -n $deb ]] || die "apt-get download left no .deb for $pkg $ver in $debdir"
		# Older versions of the same package are dead weight now.
		find "$debdir" -maxdepth 1 -name "${pkg}_*.deb" ! -path "$deb" -delete
	fi
}

if [[ -n $installed_kernel ]]; then
	krel=$installed_kernel
	vmlinuz=/boot/vmlinuz-$krel
	moddir=/lib/modules/$krel
else
	fetch "$kpkg" "$kver"
	log "unpacking $(basename "$deb")"
	mkdir "$work/kernel"
	dpkg-deb -x "$deb" "$work/kernel"
	vmlinuz=$(find "$work/kernel/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1 || true)
	[[ -n $vmlinuz ]] || die "no /boot/vmlinuz-* in $deb"
	krel=${vmlinuz##*/vmlinuz-}
	moddir=$(find "$work/kernel" -maxdepth 3 -path "*/modules/$krel" -type d | head -n1 || true)
	[[ -n $moddir ]] || die "no modules/$krel in $deb"
fi

if [[ $busybox_key == installed* ]]; then
	busybox=/bin/busybox
else
	fetch busybox-static "$bver"
	mkdir "$work/busybox"
	dpkg-deb -x "$deb" "$work/busybox"
	busybox=$work/busybox/bin/busybox
fi
[[ -x $busybox ]] || die "no busybox binary at $busybox"
"$busybox" true || die "$busybox does not run here"
"$busybox" acpid --help >/dev/null 2>&1 || die "$busybox has no acpid applet"

# --- modules: evdev and button, and what they depend on --------------------------------------

root=$work/root
mkdir -p "$root"/{bin,dev,etc/acpi/PWRF,lib/modules,proc,sys,tmp,run,var/log}

modfile() { # NAME: the module's file under $moddir (names may spell - as _ and vice versa)
	local n=$1
	find "$moddir/kernel" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "${n//_/-}.ko" \
		-o -name "${n//_/-}.ko.*" -o -name "${n//-/_}.ko" -o -name "${n//-/_}.ko.*" \) | head -n1 || true
}

builtin() { # NAME: true when the kernel has it built in
	[[ -f $moddir/modules.builtin ]] &&
		grep -qE "/(${1}|${1//_/-}|${1//-/_})\.ko$" "$moddir/modules.builtin"
}

decompress() { # FILE.ko[.xz|.gz|.zst] DEST.ko: busybox insmod takes plain .ko only
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*) die "unknown module compression: $1" ;;
	esac
}

declare -A loaded=()
load_order=()
add_module() { # NAME [optional]: copy it, after what it depends on, into the initramfs
	local n=$1 f dep deps
	[[ -z ${loaded[$n]:-} ]] || return 0
	loaded[$n]=1
	if builtin "$n"; then
		log "module $n is built in"
		return 0
	fi
	f=$(modfile "$n")
	if [[ -z $f ]]; then
		[[ ${2:-} == optional ]] || die "module $n not found under $moddir"
		log "module $n not found under $moddir: left out"
		return 0
	fi
	decompress "$f" "$root/lib/modules/$n.ko"
	# The dependency list is in the module's .modinfo strings; modules.dep may not exist
	# (a kernel package leaves it to depmod at install time).
	deps=$(tr '\0' '\n' <"$root/lib/modules/$n.ko" | sed -n 's/^depends=//p' | head -n1 || true)
	for dep in ${deps//,/ }; do add_module "$dep"; done
	load_order+=("$n")
}
# The ACPI power button reaches busybox acpid only through an evdev device (there is no
# /proc/acpi/event): both are modules in Debian's kernel.
add_module evdev
add_module button
# pvpanic (-device pvpanic, or pvpanic-pci): a guest panic becomes QEMU's GUEST_PANICKED.
add_module pvpanic-mmio optional
add_module pvpanic-pci optional
# virtio-net (and failover, net_failover): a NIC that asks for a DHCP lease at boot.
add_module virtio_pci optional
add_module virtio_net optional
# virtio-blk: a disk hotplugged into the running guest shows up in /sys/block (the `disks`
# console command lists them).
add_module virtio_blk optional
# ext4 (which mounts ext2 too): virtbus.mount=DEV:DIR mounts a disk's filesystem, so the guest
# agent has a real filesystem to list, freeze and thaw.
# These are loaded only when needed (each insmod costs boot time under TCG): the filesystem
# stack for virtbus.mount=, virtio_console when there is a virtio console device.
printf '%s\n' "${load_order[@]}" >"$root/lib/modules/load-order"
n_base=${#load_order[@]}
add_module crc32c_generic optional   # ext4 asks for the crc32c driver at every mount
add_module ext4 optional
printf '%s\n' "${load_order[@]:n_base}" >"$root/lib/modules/load-order-mount"
n_base=${#load_order[@]}
# virtio_console: the virtio-serial port of the guest agent (org.qemu.guest_agent.0).
add_module virtio_console optional
printf '%s\n' "${load_order[@]:n_base}" >"$root/lib/modules/load-order-console"
# Never loaded by /init: a test loads them through the guest agent when it needs them (the
# i6300esb watchdog, whose expiry is QEMU's WATCHDOG event; the virtio balloon, whose driver
# moves the balloon and so makes BALLOON_CHANGE).
n_base=${#load_order[@]}
add_module i6300esb optional
printf '%s\n' "${load_order[@]:n_base}" >"$root/lib/modules/load-order-watchdog"
n_base=${#load_order[@]}
add_module virtio_balloon optional
printf '%s\n' "${load_order[@]:n_base}" >"$root/lib/modules/load-order-balloon"
log "kernel $krel, modules: ${load_order[*]:-none (built in)}"

# --- userland --------------------------------------------------------------------------------

cp "$busybox" "$root/bin/busybox"

# qemu-ga and every library ldd names (the loader too), at the same paths as on the host.
mkdir -p "$root/usr/sbin" "$root/sbin" "$root/etc/qemu" "$root/root"
cp "$qga" "$root/usr/sbin/qemu-ga"
while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done < <(ldd "$qga" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
ln -s /run "$root/var/run"
ln -s /bin/busybox "$root/sbin/hwclock"
# qemu-ga's guest-set-user-password runs chpasswd (busybox's) on these.
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:*:0:0:99999:7:::\n' >"$root/etc/shadow"
chmod 0600 "$root/etc/shadow"
printf 'root:x:0:\n' >"$root/etc/group"
printf 'ID=virtbus-guest\nNAME="virtbus test guest"\nPRETTY_NAME="virtbus test guest"\nVERSION_ID=1\n' >"$root/etc/os-release"

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# The virtbus test guest's init (tests/guest/build-guest.sh).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

say() { echo "$*"; }
hostname virtbus-guest

while read -r m; do
	insmod "/lib/modules/$m.ko" || say "virtbus-guest: insmod $m failed"
done </lib/modules/load-order

# busybox acpid opens /dev/input/event0, event1, ... once, at its start: wait for the power
# button's event device first, then until acpid holds it open.
button=
for _ in $(seq 100); do
	for d in /sys/class/input/event*; do
		[ -e "$d/device/name" ] || continue
		case $(cat "$d/device/name") in
		"Power Button") [ -c "/dev/input/${d##*/}" ] && button=/dev/input/${d##*/} ;;
		esac
	done
	[ -n "$button" ] && break
	sleep 0.05
done
[ -n "$button" ] || say "virtbus-guest: no ACPI power button event device"
acpid -d -c /etc/acpi -a /etc/acpid.conf &
acpid_pid=$!
acpid_listens() {
	for fd in "/proc/$acpid_pid/fd"/*; do
		[ "$(readlink "$fd")" = "$button" ] && return 0
	done
	return 1
}
if [ -n "$button" ]; then
	for _ in $(seq 100); do
		acpid_listens && break
		sleep 0.05
	done
	acpid_listens || say "virtbus-guest: acpid does not listen to $button"
fi

# A NIC (virtio-net) asks for a DHCP lease in the background and says what it got:
# VIRTBUS-GUEST-LEASE <ip> on the console (the network tests wait for it).
if [ -e /sys/class/net/eth0 ]; then
	ip link set lo up
	ip link set eth0 up
	udhcpc -i eth0 -f -t 1000 -T 1 -A 1 -x hostname:virtbus-guest -s /etc/udhcpc.sh >/dev/null 2>&1 &
fi
# virtbus.lspci: the PCI devices the guest sees, one line each (address vendor:device class),
# so a test can check that every device of a definition reached the guest.
case " $(cat /proc/cmdline) " in
*" virtbus.lspci "*)
	for d in /sys/bus/pci/devices/*; do
		say "VIRTBUS-GUEST-PCI ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") $(cat "$d/class")"
	done ;;
esac

# virtbus.mount=DEV:DIR: mount /dev/DEV (ext2/3/4) on DIR once the disk shows up.
for arg in $(cat /proc/cmdline); do
	case $arg in
	virtbus.mount=*:*)
		spec=${arg#*=}
		dev=/dev/${spec%%:*}
		dir=${spec#*:}
		while read -r m; do
			insmod "/lib/modules/$m.ko" || say "virtbus-guest: insmod $m failed"
		done </lib/modules/load-order-mount
		for _ in $(seq 100); do [ -b "$dev" ] && break; sleep 0.05; done
		mkdir -p "$dir"
		if mount -t ext4 "$dev" "$dir"; then say "VIRTBUS-GUEST-MOUNTED $dir"; else say "virtbus-guest: cannot mount $dev on $dir"; fi ;;
	esac
done

# The guest agent on its virtio-serial port, when the guest has one (virtio device id 3, a
# console). Without udev, /dev has only vportNpM: the /dev/virtio-ports/NAME links are made here.
if grep -qx 0x0003 /sys/bus/virtio/devices/*/device 2>/dev/null; then
	while read -r m; do
		insmod "/lib/modules/$m.ko" || say "virtbus-guest: insmod $m failed"
	done </lib/modules/load-order-console
	for _ in $(seq 100); do
		set -- /sys/class/virtio-ports/vport*/name
		[ -e "$1" ] && break
		sleep 0.05
	done
fi
for p in /sys/class/virtio-ports/vport*; do
	[ -e "$p/name" ] || continue
	mkdir -p /dev/virtio-ports
	ln -sf "/dev/${p##*/}" "/dev/virtio-ports/$(cat "$p/name")"
done
if [ -e /dev/virtio-ports/org.qemu.guest_agent.0 ]; then
	/usr/sbin/qemu-ga -m virtio-serial -p /dev/virtio-ports/org.qemu.guest_agent.0 -t /run >/dev/null 2>&1 &
	say VIRTBUS-GUEST-AGENT
fi
# Each virtio-serial port answers a line L the host writes with "VIRTBUS-CHAN <port name> L";
# with no host side connected a read ends at once, so the loop retries a few times a second.
chan_echo() { # vportNpM NAME
	while :; do
		if [ -c "/dev/$1" ] && exec 3<>"/dev/$1"; then
			while read -r l <&3; do echo "VIRTBUS-CHAN $2 $l" >&3; done
			exec 3>&-
		fi
		sleep 0.2
	done
}
for d in /sys/class/virtio-ports/*; do
	[ -e "$d/name" ] || continue
	name=$(cat "$d/name")
	[ "$name" = org.qemu.guest_agent.0 ] || chan_echo "${d##*/}" "$name" &
done

say VIRTBUS-GUEST-UP

# virtbus.poweroff_after=N, virtbus.reboot_after=N, virtbus.crash_after=N: do it N seconds
# after VIRTBUS-GUEST-UP (on every boot: the guest keeps no state across a reboot).
after() { # SECONDS ACTION
	( sleep "$1" && /etc/acpi/do "$2" ) &
}
for arg in $(cat /proc/cmdline); do
	case $arg in
	virtbus.poweroff_after=*) after "${arg#*=}" poweroff ;;
	virtbus.reboot_after=*) after "${arg#*=}" reboot ;;
	virtbus.crash_after=*) after "${arg#*=}" crash ;;
	# numbered lines on the console, a few a second (the log writer's test)
	virtbus.count=*) ( i=0; while [ "$i" -lt "${arg#*=}" ]; do say "VIRTBUS-COUNT $i"; i=$((i + 1)); usleep 20000; done ) & ;;
	esac
done

# Commands typed on the serial console; with no input (a file or null backend) this blocks.
while :; do
	if read -r cmd; then
		case $cmd in
		poweroff | reboot | crash) /etc/acpi/do "$cmd" ;;
		# mark WORD / state: a word kept in this shell's memory and the uptime, so a test
		# can tell a guest restored from a save image from one that booted again.
		mark\ *) mark=${cmd#mark }; say "VIRTBUS-GUEST-MARKED $mark" ;;
		state) say "VIRTBUS-GUEST-STATE mark=${mark:-none} uptime=$(cut -d' ' -f1 /proc/uptime)" ;;
		# keyboard interrupts so far (virDomainSendKey's test)
		i8042) say "VIRTBUS-GUEST-I8042 $(awk '$NF == "i8042" && $1 == "1:" { print $2 }' /proc/interrupts)" ;;
		disks) say "VIRTBUS-GUEST-DISKS $(cd /sys/block && for b in *; do case $b in loop* | ram*) ;; *) printf '%s:%s ' "$b" "$(cat "$b/size")" ;; esac; done)" ;;
		# the network interfaces the kernel has (name:MAC), for NIC hotplug
		nics) say "VIRTBUS-GUEST-NICS $(cd /sys/class/net && for n in *; do [ "$n" = lo ] || printf '%s:%s ' "$n" "$(cat "$n/address")"; done)" ;;
		# NMIs received by the first CPU (virDomainInjectNMI's test)
		nmi) say "VIRTBUS-GUEST-NMI $(awk '$1 == "NMI:" { print $2 }' /proc/interrupts)" ;;
		# online vCPUs (vCPU hotplug): a hotplugged one is onlined first
		cpus) for c in /sys/devices/system/cpu/cpu[0-9]*; do [ -e "$c/online" ] && [ "$(cat "$c/online")" = 0 ] && echo 1 >"$c/online" 2>/dev/null; done; say "VIRTBUS-GUEST-CPUS $(cat /sys/devices/system/cpu/online)" ;;
		# the memory the kernel has (KiB): hotplugged blocks are onlined movable first, so that
		# the guest can give them back (memory hotplug)
		mem) for m in /sys/devices/system/memory/memory[0-9]*; do [ "$(cat "$m/state")" = offline ] && echo online_movable >"$m/state" 2>/dev/null; done; say "VIRTBUS-GUEST-MEM $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)" ;;
		"") ;;
		*) say "virtbus-guest: unknown command '$cmd' (poweroff, reboot, crash, disks, nics, cpus, nmi, mem)" ;;
		esac
	else
		sleep 3600
	fi
done
EOF

cat >"$root/etc/udhcpc.sh" <<'EOF'
#!/bin/sh
# udhcpc's hook in the test guest: configure the lease and say so on the console.
case "$1" in
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/$mask" dev "$interface"
	[ -n "$router" ] && ip route replace default via "$router"
	echo "VIRTBUS-GUEST-LEASE $ip" >/dev/console
	;;
esac
exit 0
EOF

# qemu-ga's guest-shutdown runs /sbin/shutdown -h -P|-H|-r +0 MESSAGE: answer at once (the
# agent waits for it), then do it.
cat >"$root/sbin/shutdown" <<'EOF'
#!/bin/sh
# /sbin/shutdown as qemu-ga calls it: -r reboots, anything else powers off.
action=poweroff
for a in "$@"; do [ "$a" = -r ] && action=reboot; done
( sleep 0.2; /etc/acpi/do "$action" ) </dev/null >/dev/null 2>&1 &
exit 0
EOF

# busybox-static has no chpasswd; qemu-ga's guest-set-user-password runs it with USER:PASSWORD
# lines on stdin (-e: the password is already encrypted).
cat >"$root/bin/chpasswd" <<'EOF'
#!/bin/sh
# chpasswd as qemu-ga runs it: USER:PASSWORD lines on stdin; -e: PASSWORD is a crypt(3) hash.
enc=
[ "$1" = -e ] && enc=1
while IFS=: read -r user pass; do
	grep -q "^$user:" /etc/shadow || { echo "chpasswd: unknown user '$user'" >&2; exit 1; }
	[ -n "$enc" ] || pass=$(mkpasswd -m sha512 "$pass") || exit 1
	sed -i "s|^$user:[^:]*:|$user:$pass:|" /etc/shadow || exit 1
done
EOF

cat >"$root/etc/acpi/do" <<'EOF'
#!/bin/sh
# /etc/acpi/do poweroff|reboot|crash: say so on the console, then do it at once.
case $1 in
poweroff) echo VIRTBUS-GUEST-POWEROFF >/dev/console; exec poweroff -f ;;
reboot) echo VIRTBUS-GUEST-REBOOT >/dev/console; exec reboot -f ;;
crash) echo VIRTBUS-GUEST-CRASH >/dev/console; echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger ;;
esac
EOF

# busybox acpid: an event whose text contains the first word runs /etc/acpi/<second word>
# (a file, or run-parts on a folder). The ACPI power button's event is
# "button/power PWRF 00000080" (PWRB for a button device declared as such).
cat >"$root/etc/acpid.conf" <<'EOF'
PWRF PWRF/00000080
PWRB PWRF/00000080
EOF
cat >"$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
exec /etc/acpi/do poweroff
EOF
chmod 0755 "$root/sbin/shutdown" "$root/bin/chpasswd"
chmod 0755 "$root/init" "$root/etc/udhcpc.sh" "$root/etc/acpi/do" "$root/etc/acpi/PWRF/00000080" "$root/bin/busybox"
chmod 1777 "$root/tmp"

# --- pack ------------------------------------------------------------------------------------

# Same inputs, same bytes: fixed times, owner root, no inode or device numbers of the host.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	"$busybox" cpio -o -H newc -R 0:0 --ignore-devno --renumber-inodes 2>/dev/null) |
	gzip -n -9 >"$work/initramfs.img"
cp "$vmlinuz" "$work/vmlinuz"

mv -f "$work/vmlinuz" "$outdir/vmlinuz"
mv -f "$work/initramfs.img" "$outdir/initramfs.img"
printf '%s\n' "$krel" >"$outdir/kernel-release"
printf '%s\n' "$inputs" >"$outdir/inputs"
log "built $outdir/vmlinuz ($krel) and $outdir/initramfs.img ($(stat -c %s "$outdir/initramfs.img") bytes)"
print_result
